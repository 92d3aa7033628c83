//! Configuration: command-line flags, `NATTER_*` environment variables (clap reads both), and
//! `natter.toml` (`--config`). A flag or variable wins over the file; the file wins over defaults.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use natter_core::{AppSettings, CustomDataField, CustomProfileField};
use natter_webhook::WebhookConfig;
use serde::Deserialize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./natter-data";
pub const DEFAULT_SDKAPPID: u64 = 1_400_000_000;
pub const DEFAULT_ADMIN: &str = "administrator";
pub const DEFAULT_CLUSTER_NAME: &str = "natter";

/// The options shared by `serve` and `usersig` that locate an app and its key.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AppArgs {
    /// Configuration file (TOML). Keys match the long flag names with `_` for `-`;
    /// several apps are `[[app]]` tables.
    #[arg(long, env = "NATTER_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for embedded storage and generated secret keys [default: ./natter-data]
    #[arg(long, env = "NATTER_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// SDKAppID of the default app [default: 1400000000]
    #[arg(long, env = "NATTER_SDKAPPID", value_name = "N")]
    pub sdkappid: Option<u64>,
    /// Secret key of the default app; generated once and kept in the data dir when not given
    #[arg(
        long,
        env = "NATTER_SECRET_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "NATTER_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// PostgreSQL URL (postgres://…); switches storage from the embedded SQLite to PostgreSQL
    #[arg(
        long,
        env = "NATTER_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Admin account of the default app [default: administrator]
    #[arg(long, env = "NATTER_ADMIN", value_name = "USERID")]
    pub admin: Option<String>,
    /// Webhook (third-party callback) URL of the default app
    #[arg(long, env = "NATTER_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Webhook authentication token of the default app (adds Sign and RequestTime)
    #[arg(
        long,
        env = "NATTER_WEBHOOK_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub webhook_token: Option<String>,
    /// PEM certificate chain: serve HTTPS (with --tls-key)
    #[arg(
        long,
        env = "NATTER_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert
    #[arg(
        long,
        env = "NATTER_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Largest request body accepted, in bytes [default: 1048576]
    #[arg(long, env = "NATTER_MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
    /// NATS URL (nats://…): run as one node of a cluster, events to clients travel between
    /// nodes over NATS
    #[arg(long, env = "NATTER_NATS_URL", value_name = "URL")]
    pub nats_url: Option<String>,
    /// Name of the cluster, the prefix of its NATS subjects (several clusters can share one
    /// NATS) [default: natter]
    #[arg(long, env = "NATTER_CLUSTER_NAME", value_name = "NAME")]
    pub cluster_name: Option<String>,
}

/// `natter.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub max_body_bytes: Option<usize>,
    pub nats_url: Option<String>,
    pub cluster_name: Option<String>,
    pub sdkappid: Option<u64>,
    pub secret_key: Option<String>,
    pub admin: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_token: Option<String>,
    #[serde(default, rename = "app")]
    pub apps: Vec<FileApp>,
}

/// One `[[app]]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileApp {
    pub sdkappid: u64,
    pub secret_key: Option<String>,
    #[serde(default)]
    pub admins: Vec<String>,
    pub webhook_url: Option<String>,
    pub webhook_token: Option<String>,
    /// Everything else about webhooks (`[app.webhook]`: switches, timeouts, retries, TLS).
    #[serde(default)]
    pub webhook: WebhookConfig,
    #[serde(default)]
    pub custom_profile_fields: Vec<CustomProfileField>,
    /// Calls per second per API (`"service/command" = N`, 0 = unlimited).
    #[serde(default)]
    pub rate_limits: BTreeMap<String, u32>,
    /// Days of one-to-one history kept; 0 (the default) keeps everything.
    #[serde(default)]
    pub history_retention_days: u32,
    /// `Tag_SNS_Custom_*` friend fields (`[[app.custom_friend_fields]]`).
    #[serde(default)]
    pub custom_friend_fields: Vec<CustomProfileField>,
    /// Refuse client one-to-one messages between non-friends (Tencent's console switch; off).
    #[serde(default)]
    pub c2c_friend_check: bool,
    /// A blocklisted sender's client send fails with 20007 instead of looking sent (Tencent's
    /// console switch "Show 'Sent successfully' After Sending Messages" turned off).
    #[serde(default)]
    pub blocked_send_fails: bool,
    /// Declared `AppDefinedData` keys of groups (`[[app.custom_group_fields]]`); none: any key.
    #[serde(default)]
    pub custom_group_fields: Vec<CustomDataField>,
    /// Declared `AppMemberDefinedData` keys of group members (`[[app.custom_member_fields]]`).
    #[serde(default)]
    pub custom_member_fields: Vec<CustomDataField>,
}

/// One app after every source is merged.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub settings: AppSettings,
    pub webhook: WebhookConfig,
    /// Whether the key was generated and stored by Natter (shown in the banner).
    pub key_generated: bool,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub max_body_bytes: usize,
    /// NATS, when this node is one of a cluster.
    pub nats_url: Option<String>,
    pub cluster_name: String,
    pub apps: Vec<AppConfig>,
}

pub fn read_file(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
}

impl ServerConfig {
    pub fn resolve(args: ServeArgs) -> anyhow::Result<Self> {
        let file = read_file(args.app.config.as_deref())?;
        let data_dir = args
            .app
            .data_dir
            .clone()
            .or(file.data_dir.clone())
            .unwrap_or_else(|| DEFAULT_DATA_DIR.into());
        let apps = resolve_apps(&args, &file, &data_dir)?;
        let tls = match (
            args.tls_cert.or(file.tls_cert),
            args.tls_key.or(file.tls_key),
        ) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => bail!("tls_cert and tls_key must be given together"),
        };
        Ok(Self {
            listen: args
                .listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address")),
            data_dir,
            database_url: args.database_url.or(file.database_url),
            tls,
            max_body_bytes: args
                .max_body_bytes
                .or(file.max_body_bytes)
                .unwrap_or(natter_http::HttpConfig::default().max_body_bytes),
            nats_url: args.nats_url.or(file.nats_url),
            cluster_name: args
                .cluster_name
                .or(file.cluster_name)
                .unwrap_or_else(|| DEFAULT_CLUSTER_NAME.into()),
            apps,
        })
    }
}

/// The apps: the `[[app]]` tables, plus the default app described by the top-level keys and
/// flags. When `[[app]]` tables exist and no top-level SDKAppID is given, the flags apply to the
/// first table instead of adding an app.
pub fn resolve_apps(
    args: &ServeArgs,
    file: &FileConfig,
    data_dir: &Path,
) -> anyhow::Result<Vec<AppConfig>> {
    let mut tables = file.apps.clone();
    let top_appid = args.app.sdkappid.or(file.sdkappid);
    let primary_index = match top_appid {
        Some(id) => match tables.iter().position(|t| t.sdkappid == id) {
            Some(i) => i,
            None => {
                tables.insert(
                    0,
                    FileApp {
                        sdkappid: id,
                        ..Default::default()
                    },
                );
                0
            }
        },
        None if tables.is_empty() => {
            tables.push(FileApp {
                sdkappid: DEFAULT_SDKAPPID,
                ..Default::default()
            });
            0
        }
        None => 0,
    };
    let primary = &mut tables[primary_index];
    if let Some(key) = args.app.secret_key.clone().or(file.secret_key.clone()) {
        primary.secret_key = Some(key);
    }
    if let Some(admin) = args.admin.clone().or(file.admin.clone()) {
        if !primary.admins.contains(&admin) {
            primary.admins.insert(0, admin);
        }
    }
    if let Some(url) = args.webhook_url.clone().or(file.webhook_url.clone()) {
        primary.webhook_url = Some(url);
    }
    if let Some(token) = args.webhook_token.clone().or(file.webhook_token.clone()) {
        primary.webhook_token = Some(token);
    }

    let mut apps = Vec::with_capacity(tables.len());
    for table in tables {
        if apps
            .iter()
            .any(|a: &AppConfig| a.settings.sdkappid == table.sdkappid)
        {
            bail!("SDKAppID {} is configured twice", table.sdkappid);
        }
        let custom_fields = [
            ("profile", &table.custom_profile_fields),
            ("friend", &table.custom_friend_fields),
        ];
        for (kind, fields) in custom_fields {
            for field in fields {
                if field.name.is_empty()
                    || field.name.len() > 8
                    || !field.name.bytes().all(|b| b.is_ascii_alphabetic())
                {
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
        let (secret_key, key_generated) = match table.secret_key {
            Some(key) if !key.is_empty() => (key, false),
            _ => secret_key_from_data_dir(data_dir, table.sdkappid)?,
        };
        let admins = if table.admins.is_empty() {
            vec![DEFAULT_ADMIN.to_owned()]
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
            },
            webhook,
            key_generated,
        });
    }
    Ok(apps)
}

/// The key kept in `<data-dir>/keys/<sdkappid>.key`, generated (64 hex characters, like the keys
/// Tencent's console shows) the first time.
pub fn secret_key_from_data_dir(data_dir: &Path, sdkappid: u64) -> anyhow::Result<(String, bool)> {
    let path = data_dir.join("keys").join(format!("{sdkappid}.key"));
    if let Ok(text) = std::fs::read_to_string(&path) {
        let key = text.trim().to_owned();
        if !key.is_empty() {
            return Ok((key, false));
        }
    }
    let dir = path.parent().expect("a key path has a parent");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = hex::encode(rand::random::<[u8; 32]>());
    write_private(&path, &key).with_context(|| format!("writing {}", path.display()))?;
    Ok((key, true))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's example `natter.toml` must stay valid.
    #[test]
    fn readme_example_config_parses() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("```toml\n")
            .expect("a TOML example in the README")
            + 8;
        let end = start + readme[start..].find("```").unwrap();
        let file: FileConfig = toml::from_str(&readme[start..end]).unwrap();
        assert_eq!(file.apps.len(), 2);
        assert_eq!(file.apps[0].admins, ["administrator", "ops"]);
        assert_eq!(file.apps[0].custom_profile_fields[0].name, "Hobby");
        assert_eq!(file.apps[0].custom_group_fields[0].max_bytes, 4096);
        assert_eq!(file.apps[0].custom_member_fields[0].name, "Seat");
        assert_eq!(file.apps[0].rate_limits["profile/portrait_get"], 1000);
        assert_eq!(file.apps[0].webhook.after_retries, 3);
        assert_eq!(file.apps[1].sdkappid, 1_400_000_001);
    }

    #[test]
    fn flags_fill_the_default_app_and_apps_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let args = ServeArgs {
            admin: Some("boss".into()),
            webhook_url: Some("http://127.0.0.1:9/cb".into()),
            ..Default::default()
        };
        let apps = resolve_apps(&args, &FileConfig::default(), dir.path()).unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].settings.sdkappid, DEFAULT_SDKAPPID);
        assert_eq!(apps[0].settings.admins, ["boss"]);
        assert_eq!(
            apps[0].webhook.url.as_deref(),
            Some("http://127.0.0.1:9/cb")
        );
        assert!(apps[0].key_generated);
        // The key is kept: a second resolution reads it back.
        let again = resolve_apps(&args, &FileConfig::default(), dir.path()).unwrap();
        assert_eq!(again[0].settings.secret_key, apps[0].settings.secret_key);
        assert!(!again[0].key_generated);

        let twice: FileConfig =
            toml::from_str("[[app]]\nsdkappid = 5\n[[app]]\nsdkappid = 5\n").unwrap();
        assert!(resolve_apps(&ServeArgs::default(), &twice, dir.path()).is_err());
        let bad_url = ServeArgs {
            webhook_url: Some("ftp://x".into()),
            ..Default::default()
        };
        assert!(resolve_apps(&bad_url, &FileConfig::default(), dir.path()).is_err());
        let bad_field: FileConfig = toml::from_str(
            "[[app]]\nsdkappid = 6\n[[app.custom_group_fields]]\nname = \"no spaces\"\n",
        )
        .unwrap();
        assert!(resolve_apps(&ServeArgs::default(), &bad_field, dir.path()).is_err());
    }
}
