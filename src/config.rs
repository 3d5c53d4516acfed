//! The config file: TOML, one table per profile.
//!
//! ```toml
//! [default]
//! api_key = "sk_live_…"
//! api_base = "https://api.scopien.com/v1"
//! ```
//!
//! `[profiles.NAME]` tables are read too. The file is written 0600 inside a 0700
//! directory, atomically (a temporary file renamed over the old one).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, io_reason};

/// The directory scopien-hooks keeps its config in (under the config dir).
const APP_DIR: &str = "scopien-hooks";

/// One profile's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// API key for the management API.
    #[serde(default, alias = "api-key", alias = "apiKey", skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Base URL of the management API.
    #[serde(default, alias = "api-base", alias = "apiBase", skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
}

/// The whole config file: profiles by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// Profiles by name.
    pub profiles: BTreeMap<String, Profile>,
}

/// `$XDG_CONFIG_HOME/scopien-hooks/config.toml` (or the platform's config dir).
pub fn default_path() -> PathBuf {
    dirs::config_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_DIR).join("config.toml")
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => return Err(Error::unreadable("config file", path, &e)),
        };
        Self::parse(&text).map_err(|msg| {
            Error::usage(format!("config file '{}' is not valid: {msg}", path.display()))
                .with_hint("fix or remove the file, or point --config elsewhere")
        })
    }

    /// Parses config text.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
        let mut profiles = BTreeMap::new();
        for (name, value) in table {
            if name == "profiles" {
                let nested: BTreeMap<String, Profile> =
                    value.try_into().map_err(|e: toml::de::Error| e.message().to_string())?;
                profiles.extend(nested);
            } else {
                let profile: Profile = value
                    .try_into()
                    .map_err(|e: toml::de::Error| format!("profile '{name}': {}", e.message()))?;
                profiles.insert(name, profile);
            }
        }
        Ok(ConfigFile { profiles })
    }

    /// The profile of that name, if present.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// Renders the file.
    pub fn to_toml(&self) -> String {
        let profiles: BTreeMap<&String, &Profile> =
            self.profiles.iter().filter(|(_, p)| **p != Profile::default()).collect();
        toml::to_string(&profiles).expect("profiles serialise to TOML")
    }

    /// Writes the file 0600 in a 0700 directory, replacing it atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let fail = |what: &str, e: std::io::Error| {
            Error::failure(format!("cannot {what} '{}': {}", path.display(), io_reason(&e)))
        };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(|e| fail("create the directory for", e))?;
        let tmp = dir.join(format!(".config.toml.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = open_private(&tmp)?;
            f.write_all(self.to_toml().as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail("write", e)
        })
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.exists() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    } else if dir.file_name().is_some_and(|n| n == APP_DIR) {
        // Our own directory made open by something else is closed again; any
        // other directory the user pointed at is theirs to manage.
        if std::fs::metadata(dir)?.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_layouts() {
        let c = ConfigFile::parse(
            "[default]\napi_key = \"sk_a\"\n[profiles.staging]\napi-base = \"http://x/v1\"\n",
        )
        .unwrap();
        assert_eq!(c.profile("default").unwrap().api_key.as_deref(), Some("sk_a"));
        assert_eq!(c.profile("staging").unwrap().api_base.as_deref(), Some("http://x/v1"));
        assert!(ConfigFile::parse("not = [toml").is_err());
        assert!(ConfigFile::parse("[default]\napi_key = 3\n").is_err());
    }

    #[test]
    #[cfg(unix)]
    fn saves_private_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut c = ConfigFile::default();
        c.profiles.insert("default".into(), Profile { api_key: Some("sk_live_x".into()), api_base: None });
        c.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);
        assert_eq!(ConfigFile::load(&path).unwrap(), c);
        assert_eq!(ConfigFile::load(&dir.path().join("none.toml")).unwrap(), ConfigFile::default());
    }

    #[test]
    #[cfg(unix)]
    fn closes_an_open_app_directory_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(APP_DIR);
        let theirs = dir.path().join("shared");
        for d in [&ours, &theirs] {
            std::fs::create_dir(d).unwrap();
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
            ConfigFile::default().save(&d.join("config.toml")).unwrap();
        }
        let mode = |d: &Path| std::fs::metadata(d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), 0o700);
        assert_eq!(mode(&theirs), 0o755);
        assert_eq!(mode(&theirs.join("config.toml")), 0o600);
    }
}
