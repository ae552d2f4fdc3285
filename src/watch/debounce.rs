//! Turning a stream of file events into batches: one batch per quiet period.
//!
//! An editor's save is several events (write a temp file, rename it over the note, change
//! attributes), and a `git checkout` is thousands. The debouncer gathers the paths of every
//! event that passes the [`Filter`] until no new one has arrived for `quiet` (or events have
//! kept coming for `max_delay`, so a long stream still gets indexed), and hands over the set
//! of paths: the indexer looks at what is on disk *now*, so the order of events and their
//! kinds do not matter, only which paths they touched. An overflowed event queue (or a
//! watcher error) means events were lost: the batch then asks for a full scan instead.

use super::filter::Filter;
use notify::event::{Event, EventKind};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often a wait for events looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(100);

/// What the next call to [`Debouncer::next`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// These paths changed (files or folders; created, written, moved or deleted).
    Paths(BTreeSet<PathBuf>),
    /// Events were lost: compare the whole vault with the index. `reason` says why.
    Rescan {
        /// Why events were lost.
        reason: String,
    },
    /// Nothing happened within the wait.
    Idle,
    /// The stop flag was raised.
    Stopped,
    /// The event source is gone (the watcher was dropped).
    Closed,
}

/// Gathers events into batches.
pub struct Debouncer {
    /// A batch closes once no event has come for this long.
    pub quiet: Duration,
    /// ... or once it has been open this long.
    pub max_delay: Duration,
    /// Which events count.
    pub filter: Filter,
}

/// What one event means for a batch.
enum Meaning {
    Nothing,
    Paths(Vec<PathBuf>),
    Rescan(String),
}

impl Debouncer {
    fn meaning(&self, event: notify::Result<Event>) -> Meaning {
        let event = match event {
            Ok(e) => e,
            Err(e) => return Meaning::Rescan(format!("file watcher error: {e}")),
        };
        if event.need_rescan() {
            return Meaning::Rescan("the file event queue overflowed".into());
        }
        match event.kind {
            // Opening and reading a note (quarry itself does) changes nothing.
            EventKind::Access(_) => Meaning::Nothing,
            EventKind::Create(_)
            | EventKind::Modify(_)
            | EventKind::Remove(_)
            | EventKind::Any
            | EventKind::Other => Meaning::Paths(
                event
                    .paths
                    .into_iter()
                    .filter(|p| self.filter.wants(p))
                    .collect(),
            ),
        }
    }

    /// Waits up to `wait` for a relevant event, then gathers the batch it opens. Looks at
    /// `stop` at least every 100 ms while waiting.
    pub fn next(
        &self,
        rx: &Receiver<notify::Result<Event>>,
        wait: Duration,
        stop: &AtomicBool,
    ) -> Next {
        let started = Instant::now();
        let mut paths = BTreeSet::new();
        let mut rescan: Option<String> = None;
        // Wait for the first event that matters.
        loop {
            if stop.load(Ordering::Relaxed) {
                return Next::Stopped;
            }
            let left = wait.saturating_sub(started.elapsed());
            if left.is_zero() && wait > Duration::ZERO {
                return Next::Idle;
            }
            match rx.recv_timeout(left.min(STOP_POLL)) {
                Ok(event) => match self.meaning(event) {
                    Meaning::Nothing => {}
                    Meaning::Paths(p) if p.is_empty() => {}
                    Meaning::Paths(p) => {
                        paths.extend(p);
                        break;
                    }
                    Meaning::Rescan(why) => {
                        rescan = Some(why);
                        break;
                    }
                },
                Err(RecvTimeoutError::Timeout) if wait.is_zero() => return Next::Idle,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Next::Closed,
            }
        }
        // Gather until quiet, or until the batch is old enough.
        let opened = Instant::now();
        let mut last = Instant::now();
        loop {
            let quiet_left = self.quiet.saturating_sub(last.elapsed());
            let age_left = self.max_delay.saturating_sub(opened.elapsed());
            let left = quiet_left.min(age_left);
            if left.is_zero() || stop.load(Ordering::Relaxed) {
                break;
            }
            match rx.recv_timeout(left.min(STOP_POLL)) {
                Ok(event) => match self.meaning(event) {
                    Meaning::Nothing => {}
                    Meaning::Paths(p) => {
                        if !p.is_empty() {
                            last = Instant::now();
                        }
                        paths.extend(p);
                    }
                    Meaning::Rescan(why) => {
                        rescan.get_or_insert(why);
                        last = Instant::now();
                    }
                },
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        match rescan {
            Some(reason) => Next::Rescan { reason },
            None => Next::Paths(paths),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, Flag, ModifyKind, RemoveKind, RenameMode};
    use std::sync::mpsc::channel;

    fn debouncer() -> Debouncer {
        Debouncer {
            quiet: Duration::from_millis(30),
            max_delay: Duration::from_secs(5),
            filter: Filter::new(vec![PathBuf::from("/v")], Some(PathBuf::from("/v/index"))),
        }
    }

    fn ev(kind: EventKind, paths: &[&str]) -> notify::Result<Event> {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        Ok(e)
    }

    fn set(paths: &[&str]) -> Next {
        Next::Paths(paths.iter().map(PathBuf::from).collect())
    }

    /// An atomic save (temp file written, renamed over the note) and a burst of other
    /// writes arrive as one batch of the paths that matter.
    #[test]
    fn a_burst_is_one_batch_of_the_paths_that_matter() {
        let (tx, rx) = channel();
        let stop = AtomicBool::new(false);
        tx.send(ev(EventKind::Create(CreateKind::File), &["/v/.a.md.tmp"]))
            .unwrap();
        tx.send(ev(
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            &["/v/.a.md.tmp", "/v/a.md"],
        ))
        .unwrap();
        tx.send(ev(EventKind::Access(AccessKind::Any), &["/v/b.md"]))
            .unwrap();
        tx.send(ev(
            EventKind::Modify(ModifyKind::Any),
            &["/v/index/meta.json"],
        ))
        .unwrap();
        for i in 0..1000 {
            tx.send(ev(
                EventKind::Create(CreateKind::File),
                &[&format!("/v/c/{i}.md")],
            ))
            .unwrap();
        }
        tx.send(ev(EventKind::Remove(RemoveKind::Folder), &["/v/old"]))
            .unwrap();
        let Next::Paths(paths) = debouncer().next(&rx, Duration::from_secs(1), &stop) else {
            panic!("expected a batch");
        };
        assert_eq!(paths.len(), 1002);
        assert!(paths.contains(&PathBuf::from("/v/a.md")));
        assert!(paths.contains(&PathBuf::from("/v/old")));
        assert!(
            !paths.contains(&PathBuf::from("/v/b.md")),
            "reads are no change"
        );
        assert_eq!(debouncer().next(&rx, Duration::ZERO, &stop), Next::Idle);
    }

    #[test]
    fn events_that_matter_nothing_leave_the_watcher_idle() {
        let (tx, rx) = channel();
        let stop = AtomicBool::new(false);
        tx.send(ev(EventKind::Access(AccessKind::Any), &["/v/a.md"]))
            .unwrap();
        tx.send(ev(EventKind::Modify(ModifyKind::Any), &["/v/index/x"]))
            .unwrap();
        assert_eq!(
            debouncer().next(&rx, Duration::from_millis(50), &stop),
            Next::Idle
        );
    }

    #[test]
    fn an_overflow_asks_for_a_rescan() {
        let (tx, rx) = channel();
        let stop = AtomicBool::new(false);
        tx.send(ev(EventKind::Modify(ModifyKind::Any), &["/v/a.md"]))
            .unwrap();
        tx.send(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)))
            .unwrap();
        assert!(matches!(
            debouncer().next(&rx, Duration::from_secs(1), &stop),
            Next::Rescan { .. }
        ));
        tx.send(Err(notify::Error::generic("inotify watch limit reached")))
            .unwrap();
        assert!(matches!(
            debouncer().next(&rx, Duration::from_secs(1), &stop),
            Next::Rescan { .. }
        ));
    }

    #[test]
    fn stop_and_a_closed_source_end_the_wait() {
        let (tx, rx) = channel::<notify::Result<Event>>();
        let stop = AtomicBool::new(true);
        assert_eq!(
            debouncer().next(&rx, Duration::from_secs(60), &stop),
            Next::Stopped
        );
        drop(tx);
        let stop = AtomicBool::new(false);
        assert_eq!(
            debouncer().next(&rx, Duration::from_secs(60), &stop),
            Next::Closed
        );
    }

    #[test]
    fn a_single_save_is_its_own_batch() {
        let (tx, rx) = channel();
        let stop = AtomicBool::new(false);
        tx.send(ev(EventKind::Modify(ModifyKind::Any), &["/v/a.md"]))
            .unwrap();
        assert_eq!(
            debouncer().next(&rx, Duration::from_secs(1), &stop),
            set(&["/v/a.md"])
        );
    }
}
