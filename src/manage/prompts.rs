//! Interactive prompts (dialoguer, on stderr). They are only offered when stdin
//! and stderr are both terminals and `-y` was not given; callers fall back to a
//! usage error naming the missing flags otherwise.

use std::io::IsTerminal;

use dialoguer::console::Term;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Password};

use crate::catalog::{self, EVENTS};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::manage::checks;

/// Whether prompting is allowed: stdin and stderr are terminals and `-y` is off.
pub fn interactive(ctx: &Context) -> bool {
    !ctx.settings.yes && ctx.printer.stderr_is_tty() && std::io::stdin().is_terminal()
}

/// Prompts, themed to match the colour choice.
pub struct Prompter {
    theme: Box<dyn Theme>,
    term: Term,
}

fn failed(e: dialoguer::Error) -> Error {
    let dialoguer::Error::IO(io) = e;
    Error::failure(format!("the prompt failed: {}", crate::error::io_reason(&io)))
}

impl Prompter {
    /// A prompter on stderr.
    pub fn new(ctx: &Context) -> Prompter {
        let theme: Box<dyn Theme> =
            if ctx.printer.color() { Box::new(ColorfulTheme::default()) } else { Box::new(SimpleTheme) };
        Prompter { theme, term: Term::stderr() }
    }

    /// A webhook URL, checked as `--url` would be.
    pub fn url(&self, allow_http: bool) -> Result<String> {
        let url: String = Input::with_theme(self.theme.as_ref())
            .with_prompt("Endpoint URL")
            .validate_with(|s: &String| match checks::url_problem(s, allow_http) {
                Some(problem) => Err(problem),
                None => Ok(()),
            })
            .interact_text_on(&self.term)
            .map_err(failed)?;
        Ok(url.trim().to_string())
    }

    /// Events from the catalog, grouped by object: each group opens with its
    /// `object.*` pattern, then its events. At least one must be chosen.
    pub fn events(&self) -> Result<Vec<String>> {
        let choices = event_choices();
        let labels: Vec<String> = choices.iter().map(|(_, label)| label.clone()).collect();
        loop {
            let picked = MultiSelect::with_theme(self.theme.as_ref())
                .with_prompt("Events (space selects, enter confirms)")
                .items(&labels)
                .max_length(20)
                // dialoguer would echo the labels, descriptions and all: report the names instead.
                .report(false)
                .interact_on(&self.term)
                .map_err(failed)?;
            let patterns: Vec<String> = picked.iter().map(|&i| choices[i].0.clone()).collect();
            let patterns = collapse(patterns);
            if !patterns.is_empty() {
                let names: Vec<&str> = patterns.iter().map(String::as_str).collect();
                let mut line = String::new();
                let _ = self.theme.format_multi_select_prompt_selection(&mut line, "Events", &names);
                let _ = self.term.write_line(&line);
                return Ok(patterns);
            }
            let _ = self.term.write_line("Pick at least one event.");
        }
    }

    /// An optional description (empty for none).
    pub fn description(&self) -> Result<Option<String>> {
        let d: String = Input::with_theme(self.theme.as_ref())
            .with_prompt("Description (optional)")
            .allow_empty(true)
            .interact_text_on(&self.term)
            .map_err(failed)?;
        let d = d.trim();
        Ok((!d.is_empty()).then(|| d.to_string()))
    }

    /// A yes/no question. Questions quote API data (a webhook's URL): it is
    /// escaped and its password masked, as every human view does.
    pub fn confirm(&self, question: &str, default: bool) -> Result<bool> {
        let question = crate::escape::escape(&crate::redact::url_passwords(question)).into_owned();
        Confirm::with_theme(self.theme.as_ref())
            .with_prompt(question)
            .default(default)
            .interact_on(&self.term)
            .map_err(failed)
    }

    /// A secret typed without echo.
    pub fn hidden(&self, prompt: &str) -> Result<String> {
        let v = Password::with_theme(self.theme.as_ref())
            .with_prompt(prompt)
            .interact_on(&self.term)
            .map_err(failed)?;
        Ok(v.trim().to_string())
    }
}

/// `(pattern, label)` for the multi-select: `*` first, then grouped by object type.
pub fn event_choices() -> Vec<(String, String)> {
    let width = EVENTS.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let mut out = vec![("*".to_string(), format!("{:<width$}  every event", "*"))];
    for object in catalog::objects() {
        let members: Vec<_> = EVENTS.iter().filter(|e| e.object() == object).collect();
        if members.len() > 1 {
            let pattern = format!("{object}.*");
            out.push((pattern.clone(), format!("{pattern:<width$}  every {object} event")));
        }
        for e in members {
            out.push((e.name.to_string(), format!("{:<width$}  {}", e.name, e.description)));
        }
    }
    out
}

/// Drops the patterns already covered by a chosen `*` or `object.*`.
fn collapse(patterns: Vec<String>) -> Vec<String> {
    if patterns.iter().any(|p| p == "*") {
        return vec!["*".into()];
    }
    let wildcards: Vec<String> = patterns.iter().filter(|p| p.ends_with(".*")).cloned().collect();
    patterns
        .into_iter()
        .filter(|p| p.ends_with(".*") || !wildcards.iter().any(|w| catalog::matches(w, p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_grouped_and_valid() {
        let choices = event_choices();
        assert_eq!(choices[0].0, "*");
        assert_eq!(choices[1].0, "opportunity.*");
        assert_eq!(choices[2].0, "opportunity.created");
        assert!(choices.iter().any(|(p, _)| p == "webhook.failed"));
        assert!(!choices.iter().any(|(p, _)| p == "webhook.*"));
        for (p, label) in &choices {
            assert!(catalog::validate_pattern(p).is_ok(), "{p}");
            assert!(label.starts_with(p.as_str()));
        }
    }

    #[test]
    fn wildcards_absorb_their_members() {
        let got = collapse(vec!["lead.*".into(), "lead.created".into(), "case.closed".into()]);
        assert_eq!(got, ["lead.*", "case.closed"]);
        assert_eq!(collapse(vec!["*".into(), "lead.*".into(), "case.closed".into()]), ["*"]);
    }
}
