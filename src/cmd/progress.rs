//! The progress bar of long commands (`index`, `eval`): on stderr, only on a terminal, one
//! stage at a time (each stage resets the bar with its own name, unit and length).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;

/// A progress bar over named stages.
pub struct Bar {
    bar: ProgressBar,
    stage: Mutex<Option<String>>,
}

impl Bar {
    /// A bar drawn on stderr when `visible`, else one that draws nothing.
    pub fn new(visible: bool) -> Bar {
        let bar = if visible {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        Bar {
            bar,
            stage: Mutex::new(None),
        }
    }

    /// `done` of `total` `unit`s of `stage` are done.
    pub fn set(&self, stage: &str, unit: &str, done: usize, total: usize) {
        let mut current = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_deref() != Some(stage) {
            *current = Some(stage.to_string());
            let template = format!(
                "{{prefix:>9}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{per_sec}} eta {{eta}}"
            );
            self.bar.reset();
            self.bar.set_length(total as u64);
            self.bar.set_prefix(stage.to_string());
            self.bar.set_style(
                ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
        }
        self.bar.set_position(done as u64);
    }

    /// Runs `f` (which prints to stderr) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
