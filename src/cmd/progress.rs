//! The progress bar of long commands (`index`, `eval`): on stderr, only on a terminal, one
//! stage at a time (each stage resets the bar with its own name, unit and length).
//!
//! Nothing is drawn before the first stage starts: a bar created with indicatif's default
//! style drew `0/0` (and redrew it around every warning of the file walk), then a second
//! default bar once the length was known, before the stage's own style. The rate is a whole
//! number (`10,668.2765/s` was the default's `{per_sec}`).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::sync::Mutex;

/// A progress bar over named stages.
pub struct Bar {
    bar: ProgressBar,
    visible: bool,
    stage: Mutex<Option<String>>,
}

/// The stage name and unit of a phase of `quarry index`.
pub fn phase_label(phase: crate::index::Phase) -> (&'static str, &'static str) {
    match phase {
        crate::index::Phase::Parsing => ("parsing", "notes"),
        crate::index::Phase::Embedding => ("embedding", "passages"),
    }
}

/// The template of a stage counted in `unit`.
fn template(unit: &str) -> String {
    format!("{{prefix:>9}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{rate}} eta {{eta}}")
}

/// `123/s`: the rate as a whole number.
fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{:.0}/s", state.per_sec());
}

impl Bar {
    /// A bar drawn on stderr when `visible`, else one that draws nothing.
    pub fn new(visible: bool) -> Bar {
        Bar {
            bar: ProgressBar::hidden(),
            visible,
            stage: Mutex::new(None),
        }
    }

    /// `done` of `total` `unit`s of `stage` are done.
    pub fn set(&self, stage: &str, unit: &str, done: usize, total: usize) {
        let mut current = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_deref() != Some(stage) {
            let first = current.is_none();
            *current = Some(stage.to_string());
            // Style, length and name first, then the position; the bar is only drawn from
            // here on, so no default style ever shows.
            self.bar.set_style(
                ProgressStyle::with_template(&template(unit))
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .with_key("rate", rate)
                    .progress_chars("=> "),
            );
            self.bar.reset();
            self.bar.set_length(total as u64);
            self.bar.set_prefix(stage.to_string());
            if first && self.visible {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_drawn_before_the_first_stage() {
        // A visible bar starts hidden (it used to draw indicatif's default `0/0` bar during
        // the file walk), and gets its stage's style before it draws anything.
        let bar = Bar::new(true);
        assert!(bar.bar.is_hidden());
        bar.set("parsing", "notes", 0, 10);
        assert_eq!(bar.bar.prefix(), "parsing");
        assert_eq!(bar.bar.length(), Some(10));
        bar.set("embedding", "passages", 5, 40);
        assert_eq!(
            (bar.bar.prefix(), bar.bar.length(), bar.bar.position()),
            ("embedding".to_string(), Some(40), 5)
        );
    }

    #[test]
    fn stages_count_their_own_unit_at_a_whole_rate() {
        assert_eq!(
            phase_label(crate::index::Phase::Embedding),
            ("embedding", "passages")
        );
        assert_eq!(
            phase_label(crate::index::Phase::Parsing),
            ("parsing", "notes")
        );
        assert!(template("passages").contains("{pos}/{len} passages {rate}"));
        // The template parses with the rate key (an unknown key would draw nothing).
        ProgressStyle::with_template(&template("notes"))
            .unwrap()
            .with_key("rate", rate);
    }
}
