//! The apps: `[[app]]` tables, the default app that the top-level options describe, and their
//! secret keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use natter_core::{AppSettings, CustomDataField, CustomProfileField, LoginPolicy};
use natter_webhook::WebhookConfig;
use serde::{Deserialize, Serialize};

use super::{AppConfig, Options};

/// One `[[app]]` table. Its keys are documented, with an example of each, in
/// `app_tables.toml` (what `natter config example` prints); a test holds the two to the same
/// keys.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppTable {
    pub sdkappid: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    #[serde(default)]
    pub admins: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_token: Option<String>,
    #[serde(default)]
    pub history_retention_days: u32,
    #[serde(default)]
    pub c2c_friend_check: bool,
    #[serde(default)]
    pub blocked_send_fails: bool,
    #[serde(default)]
    pub login_policy: LoginPolicy,
    #[serde(default = "default_web_instances")]
    pub web_instances: u32,
    #[serde(default = "default_recall_window_secs")]
    pub recall_window_secs: u32,
    #[serde(default)]
    pub custom_profile_fields: Vec<CustomProfileField>,
    #[serde(default)]
    pub custom_friend_fields: Vec<CustomProfileField>,
    #[serde(default)]
    pub custom_group_fields: Vec<CustomDataField>,
    #[serde(default)]
    pub custom_member_fields: Vec<CustomDataField>,
    #[serde(default)]
    pub rate_limits: BTreeMap<String, u32>,
    #[serde(default)]
    pub webhook: WebhookConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_words: Vec<natter_core::LocalWord>,
}

/// Web instances a user may keep under the `per_platform` login policy unless told.
fn default_web_instances() -> u32 {
    1
}

/// Tencent's default time limit on a client's recall.
fn default_recall_window_secs() -> u32 {
    natter_core::DEFAULT_RECALL_WINDOW_SECS
}

/// What to do about an app with no secret key and none kept in the data dir yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingKey {
    /// Generate one and keep it in the data dir (`serve`, `usersig`).
    Generate,
    /// Only make sure one could be generated, writing nothing (`config check`). The app's key
    /// is left empty and `key_generated` set.
    CheckOnly,
}

/// The apps: the `[[app]]` tables, plus the default app described by the top-level keys and
/// flags. When `[[app]]` tables exist and no top-level SDKAppID is given, the flags apply to the
/// first table instead of adding an app.
pub fn resolve_apps(
    given: &Options,
    data_dir: &Path,
    missing_key: MissingKey,
) -> anyhow::Result<Vec<AppConfig>> {
    let defaults = Options::defaults();
    let mut tables = given.apps.clone();
    let primary_index = match given.sdkappid {
        Some(id) => match tables.iter().position(|t| t.sdkappid == id) {
            Some(i) => i,
            None => {
                tables.insert(
                    0,
                    AppTable {
                        sdkappid: id,
                        ..Default::default()
                    },
                );
                0
            }
        },
        None if tables.is_empty() => {
            tables.push(AppTable {
                sdkappid: defaults.sdkappid.expect("sdkappid has a default"),
                ..Default::default()
            });
            0
        }
        None => 0,
    };
    let primary = &mut tables[primary_index];
    if let Some(key) = given.secret_key.clone() {
        primary.secret_key = Some(key);
    }
    if let Some(admin) = given.admin.clone() {
        if !primary.admins.contains(&admin) {
            primary.admins.insert(0, admin);
        }
    }
    if let Some(url) = given.webhook_url.clone() {
        primary.webhook_url = Some(url);
    }
    if let Some(token) = given.webhook_token.clone() {
        primary.webhook_token = Some(token);
    }

    let mut apps: Vec<AppConfig> = Vec::with_capacity(tables.len());
    for table in tables {
        if apps.iter().any(|a| a.settings.sdkappid == table.sdkappid) {
            bail!("SDKAppID {} is configured twice", table.sdkappid);
        }
        check_custom_field_names(&table)?;
        if table.web_instances > 10 {
            bail!(
                "app {}: web_instances must be 1 to 10, as in Tencent's console",
                table.sdkappid
            );
        }
        let (secret_key, key_generated) = match table.secret_key {
            Some(key) if !key.is_empty() => (key, false),
            _ => secret_key_from_data_dir(data_dir, table.sdkappid, missing_key)?,
        };
        let admins = if table.admins.is_empty() {
            vec![defaults.admin.clone().expect("admin has a default")]
        } else {
            table.admins
        };
        if admins.len() > 10 {
            bail!(
                "app {} has {} admins; Tencent allows at most 10",
                table.sdkappid,
                admins.len()
            );
        }
        let mut webhook = table.webhook;
        webhook.url = table.webhook_url.or(webhook.url);
        webhook.token = table.webhook_token.or(webhook.token);
        if let Some(url) = &webhook.url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!(
                    "webhook URL of app {} must start with http:// or https://",
                    table.sdkappid
                );
            }
        }
        // An empty word (or pattern) would match every message in the SDK's filter plugin.
        if table.local_words.iter().any(|w| w.word.trim().is_empty()) {
            bail!(
                "a local word of app {} is empty; each [[app.local_words]] needs a word",
                table.sdkappid
            );
        }
        apps.push(AppConfig {
            settings: AppSettings {
                sdkappid: table.sdkappid,
                secret_key,
                admins,
                custom_profile_fields: table.custom_profile_fields,
                rate_limits: table.rate_limits,
                history_retention_days: table.history_retention_days,
                custom_friend_fields: table.custom_friend_fields,
                c2c_friend_check: table.c2c_friend_check,
                blocked_send_fails: table.blocked_send_fails,
                custom_group_fields: table.custom_group_fields,
                custom_member_fields: table.custom_member_fields,
                login_policy: table.login_policy,
                // 0 (a default app made from flags) is the default, 1.
                web_instances: table.web_instances.max(1),
                recall_window_secs: table.recall_window_secs,
                local_words: table.local_words,
            },
            webhook,
            key_generated,
        });
    }
    Ok(apps)
}

/// The `[[app]]` table that gives `app` (the inverse of [`resolve_apps`] for one app), for
/// showing what Natter runs with.
pub fn table_of(app: &AppConfig) -> AppTable {
    let s = app.settings.clone();
    AppTable {
        sdkappid: s.sdkappid,
        secret_key: Some(s.secret_key),
        admins: s.admins,
        webhook_url: None,
        webhook_token: None,
        history_retention_days: s.history_retention_days,
        c2c_friend_check: s.c2c_friend_check,
        blocked_send_fails: s.blocked_send_fails,
        login_policy: s.login_policy,
        web_instances: s.web_instances,
        recall_window_secs: s.recall_window_secs,
        custom_profile_fields: s.custom_profile_fields,
        custom_friend_fields: s.custom_friend_fields,
        custom_group_fields: s.custom_group_fields,
        custom_member_fields: s.custom_member_fields,
        rate_limits: s.rate_limits,
        webhook: app.webhook.clone(),
        local_words: s.local_words,
    }
}

fn check_custom_field_names(table: &AppTable) -> anyhow::Result<()> {
    let custom_fields = [
        ("profile", &table.custom_profile_fields),
        ("friend", &table.custom_friend_fields),
    ];
    for (kind, fields) in custom_fields {
        for field in fields {
            if !natter_core::is_custom_field_name(&field.name) {
                bail!(
                    "custom {kind} field {:?} of app {}: the name must be 1 to 8 letters",
                    field.name,
                    table.sdkappid
                );
            }
        }
    }
    let data_fields = [
        ("group", &table.custom_group_fields),
        ("group member", &table.custom_member_fields),
    ];
    for (kind, fields) in data_fields {
        for field in fields {
            if field.name.is_empty()
                || field.name.len() > 16
                || !field
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                bail!(
                    "custom {kind} field {:?} of app {}: the name must be 1 to 16 letters, digits or underscores",
                    field.name,
                    table.sdkappid
                );
            }
        }
    }
    Ok(())
}

/// Where the key of `sdkappid` is kept when Natter generates it.
pub fn key_path(data_dir: &Path, sdkappid: u64) -> PathBuf {
    data_dir.join("keys").join(format!("{sdkappid}.key"))
}

/// The key kept in `<data-dir>/keys/<sdkappid>.key`, generated (64 hex characters, like the keys
/// Tencent's console shows) the first time; with whether it was generated now.
pub fn secret_key_from_data_dir(
    data_dir: &Path,
    sdkappid: u64,
    missing_key: MissingKey,
) -> anyhow::Result<(String, bool)> {
    let path = key_path(data_dir, sdkappid);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let key = text.trim().to_owned();
        if !key.is_empty() {
            return Ok((key, false));
        }
    }
    let dir = path.parent().expect("a key path has a parent");
    if missing_key == MissingKey::CheckOnly {
        could_create_in(dir).with_context(|| {
            format!(
                "app {sdkappid} has no secret_key, and none can be generated into {}",
                path.display()
            )
        })?;
        return Ok((String::new(), true));
    }
    crate::private::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = hex::encode(rand::random::<[u8; 32]>());
    crate::private::write_file(&path, &key)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok((key, true))
}

/// Whether a file could be created in `dir` (creating the directories missing on the way),
/// judged without writing anything: the nearest existing ancestor must be a writable directory.
fn could_create_in(dir: &Path) -> anyhow::Result<()> {
    let mut existing = dir;
    loop {
        match std::fs::metadata(existing) {
            Ok(meta) if !meta.is_dir() => bail!("{} is not a directory", existing.display()),
            Ok(meta) if meta.permissions().readonly() => {
                bail!("{} is read-only", existing.display())
            }
            Ok(_) => return Ok(()),
            Err(_) => match existing.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
                // A relative path with no existing component: it is made in the working dir.
                _ => return could_create_in(Path::new(".")),
            },
        }
    }
}
