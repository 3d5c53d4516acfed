//! Command-line types (clap derive). Nothing here does work: values are parsed,
//! then resolved into settings and handed to the command modules.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::output::ColorChoice;
use crate::signature::{Scheme, SignatureFormat};
use crate::{catalog, ids};
use crate::{retry, units};

const AFTER_HELP: &str = "\
Environment: SCOPIEN_API_KEY, SCOPIEN_API_BASE, SCOPIEN_PROFILE, SCOPIEN_CONFIG,
SCOPIEN_WEBHOOK_SECRET, NO_COLOR.
Exit codes: 0 success, 1 the operation failed, 2 invalid usage or input.";

/// The command-line companion for Scopien AI webhooks.
#[derive(Debug, Parser)]
#[command(
    name = "scopien-hooks",
    version,
    about = "Manage, send, receive and emulate Scopien AI webhooks",
    after_help = AFTER_HELP,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API key for the management API [env: SCOPIEN_API_KEY]
    #[arg(long, global = true, value_name = "KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]
    #[arg(long, global = true, value_name = "URL")]
    pub api_base: Option<String>,
    /// Config profile to use [env: SCOPIEN_PROFILE] [default: default]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON on stdout (NDJSON for streams)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colour (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show more detail (HTTP traces with -v)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print only results and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never prompt; assume yes where a confirmation is asked
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the webhook events with their descriptions
    Events,
    /// Print the signature header value for a payload
    Sign(SignArgs),
    /// Check a signature against a payload (prints valid/invalid, exit 0/1)
    Verify(VerifyArgs),
    /// Send signed test events to a URL, or ask the API to test a webhook (wh_…)
    SendTest(SendTestArgs),
    /// Receive webhooks locally: verify, pretty-print, filter, save and forward
    Listen(ListenArgs),
    /// Re-send deliveries saved by `listen --save`
    Replay(ReplayArgs),
    /// Create a webhook
    Create(CreateArgs),
    /// List webhooks
    List(ListArgs),
    /// Show one webhook
    Get(GetArgs),
    /// Change a webhook (only the fields given are sent)
    Update(UpdateArgs),
    /// Disable a webhook
    Disable(IdArg),
    /// Enable a webhook
    Enable(IdArg),
    /// Delete a webhook
    Delete(IdArg),
    /// Show a webhook's recent deliveries
    Deliveries(DeliveriesArgs),
    /// Retry one delivery
    Redeliver(RedeliverArgs),
    /// Save an API key to the config profile (checked first)
    Login,
    /// Remove the API key from the config profile
    Logout,
    /// Run the Scopien webhook service on this machine
    ///
    /// Clients must send the key given with --api-key, or sk_test_emulator when it is not
    /// given (SCOPIEN_API_KEY and the config profile are not used: they hold real keys).
    /// With --json, each delivery attempt is logged on stderr as one NDJSON line.
    Emulate(EmulateArgs),
    /// Emit events on the emulator (POST /events)
    Trigger(TriggerArgs),
    /// Show the resolved settings and where each one comes from
    Config,
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// `sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Signing secret [env: SCOPIEN_WEBHOOK_SECRET]
    #[arg(long, value_name = "S")]
    pub secret: Option<String>,
    /// Payload file, or - for stdin [default: stdin]
    #[arg(long, value_name = "FILE|-")]
    pub payload: Option<PathBuf>,
    /// Header value format
    #[arg(long, value_enum, default_value_t = SignatureFormat::Prefixed)]
    pub signature_format: SignatureFormat,
    /// Sign as this provider does, printing every header as 'Name: value' [default: scopien, which prints the bare value]
    #[arg(long, value_enum, value_name = "NAME")]
    pub scheme: Option<Scheme>,
    /// The signed timestamp, in Unix seconds, for schemes that sign one [default: now]
    #[arg(long, value_name = "SECS", value_parser = units::parse_unix_seconds, allow_hyphen_values = true)]
    pub timestamp: Option<u64>,
    /// The message id Standard Webhooks signs (webhook-id) [default: a fresh msg_ id]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
}

/// `verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Secrets to try (valid if any matches) [env: SCOPIEN_WEBHOOK_SECRET]
    #[arg(long, value_name = "S", num_args = 1.., action = clap::ArgAction::Append)]
    pub secret: Vec<String>,
    /// The scheme's signature header value (`sha256=<hex>` or bare hex for scopien)
    #[arg(long, value_name = "SIG", allow_hyphen_values = true, required_unless_present = "headers")]
    pub signature: Option<String>,
    /// A header the request carried, 'Name: value' (repeatable; what the scheme signs besides the body)
    #[arg(short = 'H', long = "header", value_name = "K: V", value_parser = units::parse_received_header)]
    pub headers: Vec<(String, String)>,
    /// Payload file, or - for stdin [default: stdin]
    #[arg(long, value_name = "FILE|-")]
    pub payload: Option<PathBuf>,
    /// Whose signature this is
    #[arg(long, value_enum, value_name = "NAME", default_value_t = Scheme::Scopien)]
    pub scheme: Scheme,
    /// How far a signed timestamp may be from now, either way [default: 5m, for standard, stripe and slack]
    #[arg(long, value_name = "DUR", value_parser = units::parse_tolerance, allow_hyphen_values = true)]
    pub tolerance: Option<Duration>,
}

/// `send-test`
#[derive(Debug, Args)]
pub struct SendTestArgs {
    /// A URL to send to, or a webhook id (wh_…) to have the API send the test
    pub target: String,
    /// Event to send
    #[arg(long, value_name = "E", default_value = "opportunity.updated", value_parser = EventNames::EXACT, hide_possible_values = true)]
    pub event: String,
    /// Signing secret [env: SCOPIEN_WEBHOOK_SECRET]
    #[arg(long, value_name = "S")]
    pub secret: Option<String>,
    /// JSON merge-patch applied to the sample `data` (inline JSON, @file, or @- for stdin)
    #[arg(long, value_name = "JSON|@file", conflicts_with = "payload")]
    pub data: Option<String>,
    /// Send this file's exact bytes as the body (- for stdin)
    #[arg(long, value_name = "FILE")]
    pub payload: Option<PathBuf>,
    /// Number of events to send
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = units::parse_count, allow_hyphen_values = true)]
    pub count: u64,
    /// Requests in flight at once
    #[arg(long, value_name = "C", default_value_t = 16, value_parser = units::parse_concurrency, allow_hyphen_values = true)]
    pub concurrency: usize,
    /// Events per second, evenly paced
    #[arg(long, value_name = "R", value_parser = units::parse_rate, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Events per request, wrapped as {"events":[…]}
    #[arg(long, value_name = "N", value_parser = units::parse_batch, allow_hyphen_values = true)]
    pub batch: Option<usize>,
    /// Extra header 'K: V' (repeatable; cannot override the signature or Content-Type)
    #[arg(short = 'H', long = "header", value_name = "K: V", value_parser = units::parse_header)]
    pub headers: Vec<(String, String)>,
    /// Per-request timeout
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = units::parse_timeout, allow_hyphen_values = true)]
    pub timeout: Duration,
    /// Follow the retry schedule on a non-2xx answer or an error
    #[arg(long)]
    pub retry: bool,
    /// Waits before each attempt (the first is usually 0)
    #[arg(long, value_name = "LIST", default_value = "0,5s,30s,2m,10m,1h", value_parser = units::parse_schedule, allow_hyphen_values = true)]
    pub retry_schedule: retry::Schedule,
    /// Multiply every wait by F (for tests)
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = units::parse_scale, allow_hyphen_values = true)]
    pub time_scale: f64,
    /// Signature header format
    #[arg(long, value_enum, default_value_t = SignatureFormat::Prefixed)]
    pub signature_format: SignatureFormat,
    /// Sign as this provider does (needs --payload: the built-in samples are Scopien events)
    #[arg(long, value_enum, value_name = "NAME", default_value_t = Scheme::Scopien)]
    pub scheme: Scheme,
    /// Print the signed request as a curl command and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `listen`
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind (0: any free port)
    #[arg(long, default_value_t = 3000, value_parser = units::parse_port, allow_hyphen_values = true)]
    pub port: u16,
    /// Accept only this path (others get 404) [default: any path]
    #[arg(long, value_name = "P")]
    pub path: Option<String>,
    /// Secrets to verify with (valid if any matches) [env: SCOPIEN_WEBHOOK_SECRET]
    #[arg(long, value_name = "S", num_args = 1.., action = clap::ArgAction::Append)]
    pub secret: Vec<String>,
    /// Accept deliveries without checking signatures
    #[arg(long)]
    pub skip_verify: bool,
    /// Whose deliveries these are: the signature headers checked, and where the event name is read
    #[arg(long, value_enum, value_name = "NAME", default_value_t = Scheme::Scopien)]
    pub scheme: Scheme,
    /// Forward each accepted delivery to your app (URL, `4000` or `:4000/path`)
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// Forward events matching PATTERN to URL (first match wins; repeatable)
    #[arg(long = "route", value_name = "PATTERN=URL", num_args = 1.., action = clap::ArgAction::Append)]
    pub routes: Vec<String>,
    /// Deadline for the forwarded request
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = units::parse_timeout, allow_hyphen_values = true)]
    pub forward_timeout: Duration,
    /// Show and forward only these events (patterns; others get 200 and are dimmed)
    #[arg(long, value_name = "PATTERN", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append, value_parser = EventNames::PATTERNS, hide_possible_values = true)]
    pub events: Vec<String>,
    /// Append each delivery as an NDJSON line to FILE
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Answer accepted deliveries with this status
    #[arg(long, value_name = "CODE", value_parser = units::parse_status, allow_hyphen_values = true)]
    pub respond_status: Option<u16>,
    /// Wait this long before answering
    #[arg(long, value_name = "DUR", value_parser = units::parse_duration, allow_hyphen_values = true)]
    pub respond_delay: Option<Duration>,
    /// Answer 500 to the first N attempts of each event id
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = units::parse_fail_first, allow_hyphen_values = true)]
    pub fail_first: u32,
    /// Reject payloads whose timestamp is older than DUR (replay guard); for standard, stripe and slack: how far the signed timestamp may be from now, either way [default: 5m for them]
    #[arg(long, value_name = "DUR", value_parser = units::parse_tolerance, allow_hyphen_values = true)]
    pub tolerance: Option<Duration>,
    /// Largest body accepted (413 above)
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = units::parse_size, allow_hyphen_values = true)]
    pub max_body: u64,
    /// Exit 0 once N events have been accepted
    #[arg(long, value_name = "N", value_parser = units::parse_count, allow_hyphen_values = true)]
    pub max_events: Option<u64>,
    /// Exit 1 if --max-events is not reached within DUR
    #[arg(long, value_name = "DUR", value_parser = units::parse_timeout, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,
    /// Do not answer repeated event ids with `Already processed`
    #[arg(long)]
    pub no_dedupe: bool,
    /// Create a webhook for PUBLIC_URL with a fresh secret and verify with it
    #[arg(long, value_name = "PUBLIC_URL")]
    pub register: Option<String>,
    /// With --register: keep the webhook on exit
    #[arg(long, requires = "register")]
    pub keep: bool,
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Serve the web inspector on 127.0.0.1:4040 (or the next free port up to 4049)
    #[arg(long)]
    pub inspect: bool,
    /// Inspector port (0: any free port)
    #[arg(long, value_name = "P", requires = "inspect", value_parser = units::parse_port, allow_hyphen_values = true)]
    pub inspect_port: Option<u16>,
    /// Requests the inspector keeps (the oldest go first)
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "inspect", value_parser = units::parse_inspect_limit, allow_hyphen_values = true)]
    pub inspect_limit: usize,
    /// Memory the inspector's requests may take in all (the oldest go first)
    #[arg(long, value_name = "SIZE", default_value = "64MiB", requires = "inspect", value_parser = units::parse_size, allow_hyphen_values = true)]
    pub inspect_memory: u64,
}

/// `replay`
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// NDJSON file written by `listen --save` (- for stdin)
    pub file: PathBuf,
    /// URL to send the deliveries to
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Only events matching these patterns
    #[arg(long, value_name = "PATTERN", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append, value_parser = EventNames::PATTERNS, hide_possible_values = true)]
    pub event: Vec<String>,
    /// Only these event ids
    #[arg(long, value_name = "EVT", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append)]
    pub id: Vec<String>,
    /// Re-sign each body with this secret instead of sending the saved signature
    #[arg(long, value_name = "S")]
    pub secret: Option<String>,
    /// Deliveries per second
    #[arg(long, value_name = "R", value_parser = units::parse_rate, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Per-request timeout
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = units::parse_timeout, allow_hyphen_values = true)]
    pub timeout: Duration,
    /// Signature header format when re-signing
    #[arg(long, value_enum, default_value_t = SignatureFormat::Prefixed)]
    pub signature_format: SignatureFormat,
    /// Whose signature headers the saved deliveries carry (replaced when re-signing with --secret)
    #[arg(long, value_enum, value_name = "NAME", default_value_t = Scheme::Scopien)]
    pub scheme: Scheme,
}

/// `create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Endpoint URL (https://, or http:// on a loopback host)
    #[arg(long, value_name = "U")]
    pub url: Option<String>,
    /// Events to subscribe to (exact names, `type.*` or `*`)
    #[arg(long, value_name = "E", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append, value_parser = EventNames::PATTERNS, hide_possible_values = true)]
    pub event: Vec<String>,
    /// Description
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// Signing secret [default: generated by the API]
    #[arg(long, value_name = "S")]
    pub secret: Option<String>,
    /// Custom header 'K: V' added to every delivery (repeatable)
    #[arg(short = 'H', long = "header", value_name = "K: V", value_parser = units::parse_header)]
    pub headers: Vec<(String, String)>,
    /// Filter K=V on the event data (V is JSON when it parses; a repeated key makes a list)
    #[arg(long = "filter", value_name = "K=V")]
    pub filters: Vec<String>,
    /// Deliver events in batches
    #[arg(long)]
    pub batch: bool,
    #[command(flatten)]
    pub limits: WebhookLimits,
}

/// `list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Page size asked of the API (all pages are fetched)
    #[arg(long, value_name = "N", value_parser = units::parse_page_size, allow_hyphen_values = true)]
    pub limit: Option<u32>,
    /// Show the signing secrets in full
    #[arg(long)]
    pub show_secret: bool,
}

/// `get`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Webhook id (wh_…)
    #[arg(value_parser = ids::parse_webhook_id)]
    pub id: String,
    /// Show the signing secret in full
    #[arg(long)]
    pub show_secret: bool,
}

/// `update`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Webhook id (wh_…)
    #[arg(value_parser = ids::parse_webhook_id)]
    pub id: String,
    /// New endpoint URL
    #[arg(long, value_name = "U")]
    pub url: Option<String>,
    /// Replace the subscribed events
    #[arg(long, value_name = "E", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append, value_parser = EventNames::PATTERNS, hide_possible_values = true)]
    pub event: Vec<String>,
    /// Subscribe to more events
    #[arg(long, value_name = "E", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append, conflicts_with = "event", value_parser = EventNames::PATTERNS, hide_possible_values = true)]
    pub add_event: Vec<String>,
    /// Unsubscribe from events
    #[arg(long, value_name = "E", num_args = 1.., value_delimiter = ',', action = clap::ArgAction::Append, conflicts_with = "event", value_parser = EventNames::PATTERNS, hide_possible_values = true)]
    pub remove_event: Vec<String>,
    /// New description
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// Replace the custom headers (repeatable)
    #[arg(short = 'H', long = "header", value_name = "K: V", value_parser = units::parse_header)]
    pub headers: Vec<(String, String)>,
    /// Remove every custom header
    #[arg(long, conflicts_with = "headers")]
    pub clear_headers: bool,
    /// Replace the filters (K=V, repeatable)
    #[arg(long = "filter", value_name = "K=V")]
    pub filters: Vec<String>,
    /// Remove every filter
    #[arg(long, conflicts_with = "filters")]
    pub clear_filters: bool,
    /// Turn batching on
    #[arg(long, conflicts_with = "no_batch")]
    pub batch: bool,
    /// Turn batching off
    #[arg(long)]
    pub no_batch: bool,
    #[command(flatten)]
    pub limits: WebhookLimits,
}

/// The flags `create` and `update` end with: batch limits and the URL policy.
#[derive(Debug, Args)]
pub struct WebhookLimits {
    /// Events per batch (1-100)
    #[arg(long, value_name = "N", value_parser = units::parse_batch_size, allow_hyphen_values = true)]
    pub max_batch_size: Option<u32>,
    /// Seconds to wait before sending a partial batch
    #[arg(long, value_name = "SECS", value_parser = units::parse_batch_wait, allow_hyphen_values = true)]
    pub max_wait_time: Option<u64>,
    /// Allow an http:// URL on a non-loopback host
    #[arg(long)]
    pub allow_http: bool,
}

/// A webhook id argument.
#[derive(Debug, Args)]
pub struct IdArg {
    /// Webhook id (wh_…)
    #[arg(value_parser = ids::parse_webhook_id)]
    pub id: String,
}

/// `deliveries`
#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    /// Webhook id (wh_…)
    #[arg(value_parser = ids::parse_webhook_id)]
    pub id: String,
    /// How many deliveries to show
    #[arg(long, value_name = "N", value_parser = units::parse_page_size, allow_hyphen_values = true)]
    pub limit: Option<u32>,
    /// Keep polling and print new attempts as they come
    #[arg(long)]
    pub follow: bool,
    /// With --follow: time between polls
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = units::parse_interval, allow_hyphen_values = true)]
    pub interval: Duration,
}

/// `redeliver`
#[derive(Debug, Args)]
pub struct RedeliverArgs {
    /// Delivery id (dlv_…)
    #[arg(value_parser = ids::parse_delivery_id)]
    pub delivery_id: String,
}

/// `emulate`
#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// The key clients must send; every other key gets 401 [default: sk_test_emulator]
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind (0: any free port)
    #[arg(long, default_value_t = 8787, value_parser = units::parse_port, allow_hyphen_values = true)]
    pub port: u16,
    /// SQLite file, or a postgres:// URL shared by several emulators (env SCOPIEN_EMULATOR_DB)
    /// [default: a file in the user's data directory]
    #[arg(long, value_name = "PATH|URL", conflicts_with = "in_memory")]
    pub db: Option<PathBuf>,
    /// Keep everything in memory (nothing survives a restart)
    #[arg(long)]
    pub in_memory: bool,
    /// Multiply retry waits and batch waits by F
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = units::parse_scale, allow_hyphen_values = true)]
    pub time_scale: f64,
    /// Deadline for each delivery attempt
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = units::parse_timeout, allow_hyphen_values = true)]
    pub delivery_timeout: Duration,
    /// Per-webhook delivery cap in events/s (batches: a tenth of it); 0 for no cap
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = units::parse_max_rate, allow_hyphen_values = true)]
    pub max_rate: u32,
    /// Remove events whose deliveries have all ended once older than DUR (0: keep everything)
    #[arg(long, value_name = "DUR", default_value = "7d", value_parser = units::parse_retain, allow_hyphen_values = true)]
    pub retain: Duration,
    /// Accept webhook URLs with plain http:// on a non-loopback host
    #[arg(long)]
    pub allow_http: bool,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub unused: EmulateUnused,
}

/// The global options `emulate` has no use for, declared here so that they are
/// not offered in its help; given after `emulate`, they are refused.
#[derive(Debug, Args)]
pub struct EmulateUnused {
    #[arg(long, hide = true, value_name = "URL")]
    pub api_base: Option<String>,
    #[arg(long, hide = true, value_name = "NAME")]
    pub profile: Option<String>,
    #[arg(long, hide = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[arg(short = 'y', long, hide = true)]
    pub yes: bool,
}

impl EmulateUnused {
    /// The first of these options given, spelled as on the command line.
    pub fn given(&self) -> Option<&'static str> {
        [
            (self.api_base.is_some(), "--api-base"),
            (self.profile.is_some(), "--profile"),
            (self.config.is_some(), "--config"),
            (self.yes, "--yes"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

/// How `listen` and `emulate` treat slow clients.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Answer 408 to a request whose headers or body take longer than DUR to arrive
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = units::parse_read_timeout, allow_hyphen_values = true)]
    pub read_timeout: Duration,
    /// Most connections open at once (the rest wait to be accepted)
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = units::parse_connections, allow_hyphen_values = true)]
    pub max_connections: usize,
}

/// `trigger`
#[derive(Debug, Args)]
pub struct TriggerArgs {
    /// Event to emit
    #[arg(value_parser = EventNames::EXACT, hide_possible_values = true)]
    pub event: String,
    /// JSON merge-patch applied to the sample `data` (inline JSON or @file)
    #[arg(long, value_name = "JSON|@file")]
    pub data: Option<String>,
    /// How many events to emit
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = units::parse_count, allow_hyphen_values = true)]
    pub count: u64,
}

/// `completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The value parser of event arguments: it takes any string (the command checks it
/// against the catalog, with a "did you mean" hint) but lists the catalog as the
/// possible values, so that shell completions offer the event names.
#[derive(Debug, Clone, Copy)]
pub struct EventNames {
    patterns: bool,
}

impl EventNames {
    /// Exact event names (`send-test --event`, `trigger`).
    pub const EXACT: Self = Self { patterns: false };
    /// Subscription patterns: names and `type.*` (`*` is left out: shells would glob it).
    pub const PATTERNS: Self = Self { patterns: true };
}

impl clap::builder::TypedValueParser for EventNames {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let names =
            catalog::EVENTS.iter().map(|e| clap::builder::PossibleValue::new(e.name).help(e.description));
        let objects = self
            .patterns
            .then(catalog::objects)
            .unwrap_or_default()
            .into_iter()
            .map(|o| clap::builder::PossibleValue::new(format!("{o}.*")));
        Some(Box::new(names.chain(objects)))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use proptest::prelude::*;

    use super::Cli;
    use crate::units::tests::properties::value;

    /// A command line for every value-taking argument of every command: its
    /// words before and after the value.
    fn every_argument() -> Vec<(Vec<String>, String)> {
        let root = Cli::command();
        let mut out = Vec::new();
        let mut add = |words: Vec<String>, arg: &clap::Arg| {
            if !arg.get_action().takes_values() {
                return;
            }
            match arg.get_long() {
                Some(long) => out.push((words, format!("--{long}="))),
                None => out.push(([words, vec!["--".to_string()]].concat(), String::new())),
            }
        };
        for arg in root.get_arguments() {
            add(vec!["scopien-hooks".into()], arg);
        }
        for sub in root.get_subcommands() {
            for arg in sub.get_arguments() {
                add(vec!["scopien-hooks".into(), sub.get_name().into()], arg);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever value any flag of any command is given, its parser answers.
        #[test]
        fn no_parser_panics(values in proptest::collection::vec(value(), 1..4)) {
            let arguments = every_argument();
            prop_assert!(arguments.len() > 60, "every command's flags are listed");
            let mut cli = Cli::command();
            for (words, flag) in &arguments {
                for v in &values {
                    let mut line = words.clone();
                    line.push(format!("{flag}{v}"));
                    // A panic fails the property; a refusal is an answer.
                    let _ = cli.try_get_matches_from_mut(line);
                }
            }
        }
    }
}
