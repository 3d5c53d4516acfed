//! `create`, `list`, `get`, `update`, `disable`, `enable`, `delete` and
//! `send-test wh_…`: webhooks through the management API.

use serde_json::Value;

use crate::api::client::Client;
use crate::api::models::{CreateWebhook, Delivery, UpdateWebhook, Webhook};
use crate::catalog;
use crate::cli::{CreateArgs, GetArgs, IdArg, ListArgs, SendTestArgs, UpdateArgs};
use crate::commands::MakeClient;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::escape::escape;
use crate::manage::checks;
use crate::manage::prompts::{self, Prompter};
use crate::manage::views::{self, Secret};

fn print_lines(ctx: &Context, lines: &[String]) {
    for l in lines {
        ctx.printer.out_line(l);
    }
}

/// Prints a webhook: its `data` with `--json`, else the detail view; the
/// secret in either as `secret` says.
fn show(ctx: &Context, raw: &Value, webhook: &Webhook, secret: Secret) {
    if ctx.printer.json() {
        ctx.printer.out_json(&secret.json(raw.clone()));
    } else {
        print_lines(ctx, &views::webhook_detail(webhook, secret));
    }
}

/// What `create` will send, once every flag is checked (before any prompt or request).
struct CreatePlan {
    body: CreateWebhook,
    missing_url: bool,
    missing_events: bool,
}

fn plan_create(args: &CreateArgs) -> Result<CreatePlan> {
    if let Some(url) = &args.url {
        checks::check_url(url, args.limits.allow_http)?;
    }
    if !args.event.is_empty() {
        checks::check_events(&args.event)?;
    }
    if !args.batch && (args.limits.max_batch_size.is_some() || args.limits.max_wait_time.is_some()) {
        return Err(Error::usage("--max-batch-size and --max-wait-time need --batch"));
    }
    if let Some(s) = &args.secret
        && s.trim().is_empty()
    {
        return Err(Error::usage("--secret is empty"));
    }
    let headers = checks::header_map(&args.headers)?;
    let filters = checks::parse_filters(&args.filters)?;
    Ok(CreatePlan {
        missing_url: args.url.is_none(),
        missing_events: args.event.is_empty(),
        body: CreateWebhook {
            url: args.url.clone().unwrap_or_default(),
            events: args.event.clone(),
            description: args.description.clone(),
            secret: args.secret.clone(),
            headers: (!headers.is_empty()).then_some(headers),
            filters: (!filters.is_empty()).then_some(filters),
            batch: args.batch.then_some(true),
            max_batch_size: args.limits.max_batch_size,
            max_wait_time: args.limits.max_wait_time,
        },
    })
}

/// `create`: missing `--url` / `--event` are prompted for on a terminal.
pub async fn create(args: &CreateArgs, ctx: &Context, client: MakeClient<'_>) -> Result<ExitStatus> {
    let mut plan = plan_create(args)?;
    let missing = plan.missing_url || plan.missing_events;
    if missing && !prompts::interactive(ctx) {
        let mut names = Vec::new();
        if plan.missing_url {
            names.push("--url");
        }
        if plan.missing_events {
            names.push("--event");
        }
        return Err(Error::usage(format!("missing {}", names.join(" and ")))
            .with_hint("pass them as flags (prompts need a terminal and no -y)"));
    }
    // Before any prompt: answering them only to learn that no key is set would be a waste.
    let client = client()?;
    if missing {
        let p = Prompter::new(ctx);
        if plan.missing_url {
            plan.body.url = p.url(args.limits.allow_http)?;
        }
        if plan.missing_events {
            plan.body.events = p.events()?;
        }
        if plan.body.description.is_none() {
            plan.body.description = p.description()?;
        }
        let summary = format!("Create a webhook for {} ({})?", plan.body.url, plan.body.events.join(", "));
        if !p.confirm(&summary, true)? {
            return Err(Error::failure("cancelled: no webhook was created"));
        }
    }
    let created = client.create_webhook(&plan.body).await?;
    show(ctx, &created.raw, &created.value, Secret::Full);
    if created.value.secret.is_some() {
        ctx.printer.status(
            "This is the only time the signing secret is shown in full (unless you ask with \
             `get --show-secret`): save it now.",
        );
    }
    Ok(ExitStatus::Success)
}

/// `list`: every page; `--json` prints them as one array.
pub async fn list(args: &ListArgs, ctx: &Context, client: &Client) -> Result<ExitStatus> {
    let all = client.list_all_webhooks(args.limit).await?;
    let secret = Secret::shown_if(args.show_secret);
    if ctx.printer.json() {
        ctx.printer.out_json(&secret.json(all.raw));
    } else if all.value.is_empty() {
        ctx.printer.status("No webhooks yet.");
        ctx.printer.hint("create one with `scopien-hooks create --url URL --event EVENT`");
    } else {
        print_lines(ctx, &views::webhook_table(&all.value, secret));
    }
    Ok(ExitStatus::Success)
}

/// `get`
pub async fn get(args: &GetArgs, ctx: &Context, client: &Client) -> Result<ExitStatus> {
    let got = client.get_webhook(&args.id).await?;
    show(ctx, &got.raw, &got.value, Secret::shown_if(args.show_secret));
    Ok(ExitStatus::Success)
}

/// The PATCH body for `update`, built from the flags; `current` is the webhook's
/// events, read first only when `--add-event` / `--remove-event` are given.
fn plan_update(args: &UpdateArgs, current: Option<&[String]>, ctx: &Context) -> Result<UpdateWebhook> {
    let mut body = UpdateWebhook::default();
    if let Some(url) = &args.url {
        checks::check_url(url, args.limits.allow_http)?;
        body.url = Some(url.clone());
    }
    if !args.event.is_empty() {
        checks::check_events(&args.event)?;
        body.events = Some(args.event.clone());
    }
    if let Some(current) = current {
        let mut events: Vec<String> = current.to_vec();
        for e in &args.add_event {
            if !events.contains(e) {
                events.push(e.clone());
            }
        }
        for e in &args.remove_event {
            if !events.contains(e) {
                ctx.printer.warn(&format!("'{e}' is not subscribed; nothing to remove"));
            }
        }
        events.retain(|e| !args.remove_event.contains(e));
        if events.is_empty() {
            return Err(Error::usage("that would leave the webhook with no events")
                .with_hint("use `scopien-hooks disable` or `delete` instead"));
        }
        body.events = Some(events);
    }
    body.description = args.description.clone();
    if args.clear_headers {
        body.headers = Some(Default::default());
    } else if !args.headers.is_empty() {
        body.headers = Some(checks::header_map(&args.headers)?);
    }
    if args.clear_filters {
        body.filters = Some(Default::default());
    } else if !args.filters.is_empty() {
        body.filters = Some(checks::parse_filters(&args.filters)?);
    }
    if args.batch {
        body.batch = Some(true);
    } else if args.no_batch {
        body.batch = Some(false);
    }
    body.max_batch_size = args.limits.max_batch_size;
    body.max_wait_time = args.limits.max_wait_time;
    Ok(body)
}

/// `update`: sends only the fields given.
pub async fn update(args: &UpdateArgs, ctx: &Context, client: MakeClient<'_>) -> Result<ExitStatus> {
    // Everything is checked before the first request, the read included.
    catalog::validate_patterns(&args.add_event)?;
    catalog::validate_patterns(&args.remove_event)?;
    let editing_events = !args.add_event.is_empty() || !args.remove_event.is_empty();
    let body = plan_update(args, None, ctx)?;
    if body.is_empty() && !editing_events {
        return Err(Error::usage("nothing to update").with_hint(
            "give at least one of --url, --event, --add-event, --remove-event, --description, -H, \
             --clear-headers, --filter, --clear-filters, --batch, --no-batch, --max-batch-size, --max-wait-time",
        ));
    }
    let client = client()?;
    let body = if editing_events {
        let current = client.get_webhook(&args.id).await?;
        plan_update(args, Some(&current.value.events), ctx)?
    } else {
        body
    };
    let updated = client.update_webhook(&args.id, &body).await?;
    show(ctx, &updated.raw, &updated.value, Secret::Redacted);
    Ok(ExitStatus::Success)
}

/// `disable` / `enable`
pub async fn set_enabled(args: &IdArg, enable: bool, ctx: &Context, client: &Client) -> Result<ExitStatus> {
    let done = if enable {
        client.enable_webhook(&args.id).await?
    } else {
        client.disable_webhook(&args.id).await?
    };
    if ctx.printer.json() {
        ctx.printer.out_json(&Secret::Redacted.json(done.raw));
    } else {
        ctx.printer.out_line(&format!("{} is now {}", escape(&done.value.id), done.value.status.as_str()));
    }
    Ok(ExitStatus::Success)
}

/// `delete`: asks first on a terminal; without one `--yes` is required.
pub async fn delete(args: &IdArg, ctx: &Context, client: MakeClient<'_>) -> Result<ExitStatus> {
    if !ctx.settings.yes && !prompts::interactive(ctx) {
        return Err(Error::usage(format!("refusing to delete {} without confirmation", args.id))
            .with_hint("pass --yes to delete without a terminal"));
    }
    let client = client()?;
    if !ctx.settings.yes {
        // The URL tells the user which endpoint stops receiving, which an id alone does not.
        let webhook = client.get_webhook(&args.id).await?.value;
        let question = format!("Delete webhook {} ({})? This cannot be undone", args.id, webhook.url);
        if !Prompter::new(ctx).confirm(&question, false)? {
            // Declining is an answer, not a failure.
            ctx.printer.out_line("Not deleted.");
            return Ok(ExitStatus::Success);
        }
    }
    let deleted = client.delete_webhook(&args.id).await?;
    if ctx.printer.json() {
        ctx.printer.out_json(&Secret::Redacted.json(deleted));
    } else {
        ctx.printer.out_line(&format!("Deleted {}", args.id));
    }
    Ok(ExitStatus::Success)
}

/// Flags of `send-test` that only mean something when sending to a URL.
fn url_only_flags(args: &SendTestArgs) -> Vec<&'static str> {
    let mut given = Vec::new();
    let checks: [(&'static str, bool); 9] = [
        ("--secret", args.secret.is_some()),
        ("--data", args.data.is_some()),
        ("--payload", args.payload.is_some()),
        ("--count", args.count != 1),
        ("--rate", args.rate.is_some()),
        ("--batch", args.batch.is_some()),
        ("--header", !args.headers.is_empty()),
        ("--retry", args.retry),
        ("--dry-run", args.dry_run),
    ];
    for (flag, set) in checks {
        if set {
            given.push(flag);
        }
    }
    given
}

/// `send-test wh_…`: the API sends a test event to the webhook.
pub async fn send_test(args: &SendTestArgs, ctx: &Context, client: MakeClient<'_>) -> Result<ExitStatus> {
    crate::ids::parse_webhook_id(&args.target).map_err(Error::usage)?;
    catalog::validate_event(&args.event)?;
    let extra = url_only_flags(args);
    if !extra.is_empty() {
        return Err(Error::usage(format!(
            "{} cannot be used with a webhook id (the API builds and signs the test event)",
            extra.join(", ")
        )));
    }
    let answer = client()?.test_webhook(&args.target, &args.event).await?;
    if ctx.printer.json() {
        ctx.printer.out_json(&Secret::Redacted.json(answer.clone()));
    }
    let delivery = serde_json::from_value::<Delivery>(answer).ok();
    if !ctx.printer.json() {
        match &delivery {
            Some(d) => print_lines(ctx, &views::delivery_block(d, &views::today())),
            None => ctx.printer.out_line(&format!("Test {} sent to {}", args.event, args.target)),
        }
    }
    super::deliveries::outcome(delivery.as_ref(), "the test delivery")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn ctx() -> Context {
        let settings = crate::settings::Settings::resolve(&Default::default());
        let printer = crate::output::Printer::new(
            true,
            crate::output::ColorChoice::Never,
            crate::output::Verbosity::Quiet,
        );
        Context { settings, printer }
    }

    fn update_args(args: &[&str]) -> UpdateArgs {
        let cli = crate::cli::Cli::parse_from([&["scopien-hooks", "update", "wh_1"], args].concat());
        match cli.command {
            crate::cli::Command::Update(a) => a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn update_sends_only_changes() {
        let body = plan_update(&update_args(&["--description", "x"]), None, &ctx()).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"description": "x"}));
        let body = plan_update(&update_args(&["--clear-headers", "--no-batch"]), None, &ctx()).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"headers": {}, "batch": false}));
        assert!(plan_update(&update_args(&[]), None, &ctx()).unwrap().is_empty());
    }

    #[test]
    fn add_and_remove_events_edit_the_current_list() {
        let args = update_args(&["--add-event", "case.closed", "--remove-event", "lead.created"]);
        let current = vec!["lead.created".to_string(), "opportunity.*".to_string()];
        let body = plan_update(&args, Some(&current), &ctx()).unwrap();
        assert_eq!(body.events.unwrap(), ["opportunity.*", "case.closed"]);
        let args = update_args(&["--remove-event", "lead.created"]);
        assert_eq!(
            plan_update(&args, Some(&["lead.created".to_string()]), &ctx()).unwrap_err().exit_code(),
            2
        );
    }
}
