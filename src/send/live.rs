//! What a run shows while it runs: a progress bar on stderr (only when stderr is a
//! terminal and there is more than one event) and one line per attempt that will
//! be retried. Workers only bump an atomic counter; a ticker draws the bar.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use colored::Colorize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::output::{Printer, Verbosity, eprintln_safe};
use crate::units;

use super::transport::Attempt;

/// Events per second as the bar shows it: whole numbers, a tenth below 10.
fn rate(per_sec: f64) -> String {
    if per_sec < 10.0 { format!("{per_sec:.1}/s") } else { format!("{per_sec:.0}/s") }
}

/// Shared by the workers of one run.
#[derive(Debug)]
pub struct Live {
    done: AtomicU64,
    bar: Option<ProgressBar>,
    show_attempts: bool,
}

impl Live {
    /// Live output for a run of `total` events.
    pub fn new(printer: &Printer, total: u64) -> Arc<Live> {
        let bar =
            (total > 1 && printer.stderr_is_tty() && printer.verbosity() >= Verbosity::Normal).then(|| {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} events ({rate}, {eta} left)",
                ) {
                    bar.set_style(style.with_key(
                        "rate",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&rate(state.per_sec()));
                        },
                    ));
                }
                bar
            });
        Arc::new(Live {
            done: AtomicU64::new(0),
            bar,
            show_attempts: !printer.json() && printer.verbosity() >= Verbosity::Normal,
        })
    }

    /// Counts finished events.
    pub fn finished(&self, events: u64) {
        self.done.fetch_add(events, Ordering::Relaxed);
    }

    /// Redraws the bar until the run ends; returns at once without a bar.
    pub async fn tick(self: Arc<Self>) {
        let Some(bar) = &self.bar else { return };
        let mut interval = tokio::time::interval(Duration::from_millis(100));
        loop {
            interval.tick().await;
            bar.set_position(self.done.load(Ordering::Relaxed));
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Shows an attempt that failed and will be retried after `wait`.
    pub fn retrying(&self, event_id: Option<&str>, attempt: &Attempt, n: usize, of: usize, wait: Duration) {
        if !self.show_attempts {
            return;
        }
        let outcome = match &attempt.result {
            Ok(a) => super::report::status_text(a.status),
            Err(f) => f.to_string(),
        };
        let line = format!(
            "{} {}attempt {n}/{of}: {outcome} ({}); next attempt in {}",
            "↻".yellow(),
            event_id.map(|id| format!("{id} ")).unwrap_or_default(),
            units::human_duration(attempt.duration),
            units::human_duration(wait),
        );
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln_safe(&line)),
            None => eprintln_safe(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_are_rounded() {
        assert_eq!(super::rate(17_639.176_2), "17639/s");
        assert_eq!(super::rate(2.345), "2.3/s");
    }
}
