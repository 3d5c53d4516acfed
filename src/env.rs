//! Every environment variable scopien-hooks reads, in one place.

/// API key for the management API.
pub const API_KEY: &str = "SCOPIEN_API_KEY";
/// Base URL of the management API (ends in `/v1`).
pub const API_BASE: &str = "SCOPIEN_API_BASE";
/// Config profile name.
pub const PROFILE: &str = "SCOPIEN_PROFILE";
/// Path of the config file.
pub const CONFIG: &str = "SCOPIEN_CONFIG";
/// Webhook signing secret used by `sign`, `verify`, `send-test`, `listen`, `replay`.
pub const WEBHOOK_SECRET: &str = "SCOPIEN_WEBHOOK_SECRET";
/// The emulator's database (`emulate --db`): a SQLite file or a `postgres://` URL.
pub const EMULATOR_DB: &str = "SCOPIEN_EMULATOR_DB";
/// Disables colour when set to any non-empty value (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// Forces colour when set to a non-empty value other than `0`.
pub const FORCE_COLOR: &str = "FORCE_COLOR";

/// The API base used when nothing else names one.
pub const DEFAULT_API_BASE: &str = "https://api.scopien.com/v1";
/// The profile used when nothing else names one.
pub const DEFAULT_PROFILE: &str = "default";

/// Reads an environment variable, treating an empty value as unset.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
