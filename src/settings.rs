//! Global settings, resolved once before any work: flag > env > config profile > default.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::config::{self, ConfigFile};
use crate::env;
use crate::error::{Error, Result};
use crate::output::{ColorChoice, Printer, Verbosity};
use crate::signature::{KeyError, Scheme, SignatureFormat, Signer, Verifier};

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The config profile.
    Profile,
    /// The built-in default.
    Default,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

/// The global options as given on the command line, before the environment and
/// the config file are consulted.
#[derive(Debug, Clone, Default)]
pub struct GlobalFlags {
    /// `--api-key`.
    pub api_key: Option<String>,
    /// `--api-base`.
    pub api_base: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--json`.
    pub json: bool,
    /// `--color`.
    pub color: ColorChoice,
    /// How many `-v`.
    pub verbose: u8,
    /// `-q`.
    pub quiet: bool,
    /// `-y`.
    pub yes: bool,
}

/// Everything the global options decide.
#[derive(Debug, Clone)]
pub struct Settings {
    /// API key, if any was given anywhere.
    pub api_key: Option<Sourced<String>>,
    /// API base URL, without a trailing slash.
    pub api_base: Sourced<String>,
    /// Profile name.
    pub profile: Sourced<String>,
    /// Config file path.
    pub config_path: Sourced<PathBuf>,
    /// The config file as read (empty when absent or unreadable).
    pub config: ConfigFile,
    /// Why the config file could not be used, raised only by commands that need it.
    pub config_error: Option<Error>,
    /// The profile asked for by name is not in the config file (raised like `config_error`).
    pub profile_error: Option<Error>,
    /// `--json`.
    pub json: bool,
    /// `--color`.
    pub color: ColorChoice,
    /// `-v`/`-q`.
    pub verbosity: Verbosity,
    /// `-y`: never prompt.
    pub yes: bool,
}

fn pick<T>(flag: Option<T>, env_value: Option<T>) -> Option<Sourced<T>> {
    flag.map(|value| Sourced { value, source: Source::Flag })
        .or_else(|| env_value.map(|value| Sourced { value, source: Source::Env }))
}

impl Settings {
    /// Resolves the global options against the environment and the config file.
    pub fn resolve(global: &GlobalFlags) -> Settings {
        let profile = pick(global.profile.clone(), env::var(env::PROFILE))
            .unwrap_or(Sourced { value: env::DEFAULT_PROFILE.to_string(), source: Source::Default });
        let config_path = pick(global.config.clone(), env::var(env::CONFIG).map(PathBuf::from))
            .unwrap_or(Sourced { value: config::default_path(), source: Source::Default });
        let (config, config_error) = match ConfigFile::load(&config_path.value) {
            Ok(c) => (c, None),
            Err(e) => (ConfigFile::default(), Some(e)),
        };
        let profile_error =
            config_error.is_none().then(|| missing_profile(&config, &profile, &config_path.value)).flatten();
        let from_profile = config.profile(&profile.value).cloned().unwrap_or_default();
        let api_key = pick(global.api_key.clone(), env::var(env::API_KEY))
            .or_else(|| from_profile.api_key.clone().map(|value| Sourced { value, source: Source::Profile }));
        let api_base = pick(global.api_base.clone(), env::var(env::API_BASE))
            .or_else(|| from_profile.api_base.clone().map(|value| Sourced { value, source: Source::Profile }))
            .unwrap_or(Sourced { value: env::DEFAULT_API_BASE.to_string(), source: Source::Default });
        let api_base = Sourced { value: api_base.value.trim_end_matches('/').to_string(), ..api_base };
        let verbosity = if global.quiet {
            Verbosity::Quiet
        } else if global.verbose > 0 {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        Settings {
            api_key,
            api_base,
            profile,
            config_path,
            config,
            config_error,
            profile_error,
            json: global.json,
            color: global.color,
            verbosity,
            yes: global.yes,
        }
    }

    /// The printer these settings call for.
    pub fn printer(&self) -> Printer {
        Printer::new(self.json, self.color, self.verbosity)
    }

    /// The config file, or the error that made it unusable (a broken file, or
    /// no such profile in it).
    pub fn config_file(&self) -> Result<&ConfigFile> {
        match self.config_error.as_ref().or(self.profile_error.as_ref()) {
            Some(e) => Err(e.clone()),
            None => Ok(&self.config),
        }
    }

    /// The API key, or a usage error saying how to give one.
    pub fn require_api_key(&self) -> Result<&str> {
        self.config_file()?;
        self.api_key.as_ref().map(|k| k.value.as_str()).ok_or_else(|| {
            Error::usage("no API key: pass --api-key, set SCOPIEN_API_KEY, or run `scopien-hooks login`")
        })
    }
}

/// A profile asked for by name (`--profile`, `SCOPIEN_PROFILE`) that the file
/// lacks is a mistake to report, not a reason to fall back to the defaults and
/// send another profile's requests elsewhere. `login` creates it instead.
fn missing_profile(config: &ConfigFile, profile: &Sourced<String>, path: &std::path::Path) -> Option<Error> {
    let default = profile.source == Source::Default || profile.value == env::DEFAULT_PROFILE;
    if default || config.profile(&profile.value).is_some() {
        return None;
    }
    let given = if profile.source == Source::Flag { "--profile" } else { env::PROFILE };
    let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
    let hint = if known.is_empty() {
        format!("create it with `scopien-hooks --profile {} login`", profile.value)
    } else {
        format!(
            "profiles there: {}; create this one with `scopien-hooks --profile {} login`",
            known.join(", "),
            profile.value
        )
    };
    Some(
        Error::usage(format!("{given}: no profile '{}' in '{}'", profile.value, path.display()))
            .with_hint(hint),
    )
}

/// The signing secret for commands that take one: `--secret`, else `SCOPIEN_WEBHOOK_SECRET`.
pub fn secret_or_env(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string).or_else(|| env::var(env::WEBHOOK_SECRET))
}

/// Like [`secret_or_env`], but missing is a usage error.
pub fn require_secret(flag: Option<&str>) -> Result<String> {
    secret_or_env(flag)
        .ok_or_else(|| Error::usage("no signing secret: pass --secret or set SCOPIEN_WEBHOOK_SECRET"))
}

/// Several secrets (rotation): the flags, else `SCOPIEN_WEBHOOK_SECRET`.
pub fn secrets_or_env(flags: &[String]) -> Vec<String> {
    if flags.is_empty() { env::var(env::WEBHOOK_SECRET).into_iter().collect() } else { flags.to_vec() }
}

/// A signer for `scheme`, or a usage error when the secret cannot key it.
pub fn signer(scheme: Scheme, secret: &str, format: SignatureFormat) -> Result<Signer> {
    Signer::for_scheme(scheme, secret, format).map_err(key_error)
}

/// A verifier for `scheme` with these secrets, or a usage error when one
/// cannot key it or `tolerance` means nothing to the scheme.
pub fn verifier<S: AsRef<str>>(
    scheme: Scheme,
    secrets: &[S],
    tolerance: Option<Duration>,
) -> Result<Verifier> {
    if tolerance.is_some() && !scheme.timestamped() {
        return Err(Error::usage(format!("--tolerance: {scheme} signatures carry no timestamp"))
            .with_hint("only standard, stripe and slack sign a timestamp"));
    }
    Verifier::for_scheme(scheme, secrets, tolerance).map_err(key_error)
}

fn key_error(e: KeyError) -> Error {
    Error::usage(format!("--secret: {e}")).with_hint(
        "a Standard Webhooks secret looks like whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw: copy it whole",
    )
}
