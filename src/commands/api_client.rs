//! The management API client as commands use it: its `-v` traces and retry
//! notices shown through the printer.

use std::sync::Arc;
use std::time::Duration;

use crate::api::client::{Client, ClientError, Event, Observer, RetryNotice};
use crate::output::{Printer, Verbosity};

/// A client for the API at `base` whose events `printer` shows.
pub fn client(printer: &Printer, base: &str, api_key: &str) -> Result<Client, ClientError> {
    Ok(Client::new(base, api_key)?.with_observer(Arc::new(Shown(printer.clone()))))
}

/// Shows the client's events: traces with `-v`, long retry waits unless `-q`.
struct Shown(Printer);

impl Observer for Shown {
    fn tracing(&self) -> bool {
        self.0.verbosity() >= Verbosity::Verbose
    }

    fn event(&self, event: Event<'_>) {
        match event {
            Event::Trace(line) => self.0.verbose(line),
            Event::Retry(notice) => {
                self.0.verbose(&wait_trace(notice));
                if let Some(line) = retry_line(notice) {
                    self.0.status(&line);
                }
            }
        }
    }
}

/// The `-v` line for a retry: `! 503 Service Unavailable: retrying in 180 ms`.
fn wait_trace(notice: RetryNotice) -> String {
    let why = notice.status.map_or_else(|| "connection error".to_string(), |s| s.to_string());
    format!("! {why}: retrying in {} ms", notice.wait.as_millis())
}

/// The status line for a retry after an answer, when the wait is long (a
/// `Retry-After`, usually) and should not look like a hang.
fn retry_line(notice: RetryNotice) -> Option<String> {
    let status = notice.status?;
    (notice.wait >= Duration::from_secs(1))
        .then(|| format!("The API answered {status}; retrying in {} s…", notice.wait.as_secs_f64().ceil()))
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    #[test]
    fn retry_lines() {
        let long =
            RetryNotice { status: Some(StatusCode::TOO_MANY_REQUESTS), wait: Duration::from_millis(1500) };
        assert_eq!(retry_line(long).unwrap(), "The API answered 429 Too Many Requests; retrying in 2 s…");
        assert_eq!(wait_trace(long), "! 429 Too Many Requests: retrying in 1500 ms");
        let short = RetryNotice { wait: Duration::from_millis(200), ..long };
        assert_eq!(retry_line(short), None);
        let dropped = RetryNotice { status: None, wait: Duration::from_secs(3) };
        assert_eq!(retry_line(dropped), None);
        assert_eq!(wait_trace(dropped), "! connection error: retrying in 3000 ms");
    }
}
