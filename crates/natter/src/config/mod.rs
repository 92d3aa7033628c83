//! Configuration: command-line flags, `NATTER_*` environment variables (clap reads both), and
//! `natter.toml` (`--config`). A flag wins over a variable, a variable over the file, the file
//! over the defaults.
//!
//! Where each setting is defined: the top-level options in [`options::Options`] (one field is a
//! flag, a variable and a TOML key, with its doc and default), the `[[app]]` tables in
//! [`apps::AppTable`] and the webhook crate's `WebhookConfig`, documented in `app_tables.toml`.
//! `natter config example` and the README's table are generated from them.

mod apps;
pub mod check;
pub mod example;
mod options;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use natter_core::AppSettings;
use natter_webhook::WebhookConfig;

pub use apps::{key_path, resolve_apps, secret_key_from_data_dir, AppTable, MissingKey};
pub use options::{
    only_usersig_options, option_docs, EmulatorMode, OptionDoc, Options, USERSIG_OPTIONS,
};

/// One app after every source is merged.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub settings: AppSettings,
    pub webhook: WebhookConfig,
    /// Whether the key was generated and stored by Natter (shown in the banner); resolved with
    /// `MissingKey::CheckOnly`, whether it would be.
    pub key_generated: bool,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// PostgreSQL connections this node keeps at most.
    pub database_pool: u32,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub max_body_bytes: usize,
    /// Caps and timeouts of client connections.
    pub limits: crate::ConnectionLimits,
    /// How long a logged-in client may stay silent.
    pub client_timeout: Duration,
    /// WebSockets that have not logged in yet, at most.
    pub max_pending_logins: usize,
    /// `/binfo` sockets watching AVChatRooms without login, at most.
    pub max_viewers: usize,
    /// NATS, when this node is one of a cluster.
    pub nats_url: Option<String>,
    pub cluster_name: String,
    /// How long a silent node's connections still count as online, in a cluster.
    pub node_timeout: Duration,
    /// Emulator mode, resolved: the clock may be moved and local callers get UserSigs made.
    pub emulator: bool,
    /// An export to seed the apps it holds at start (see `Options::import`).
    pub import: Option<PathBuf>,
    /// Where every app's data goes when the server stops cleanly.
    pub export_on_exit: Option<PathBuf>,
    /// Translation, speech recognition and video covers.
    pub engines: natter_services::engines::EngineConfig,
    pub apps: Vec<AppConfig>,
}

/// Reads and parses `natter.toml`; no path, no file: an empty layer. Errors name the file, and
/// toml's own message names the key, its line and column.
pub fn read_file(path: Option<&Path>) -> anyhow::Result<Options> {
    let Some(path) = path else {
        return Ok(Options::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    parse_file(&text).with_context(|| format!("parsing config file {}", path.display()))
}

/// Parses the text of a `natter.toml`: unknown keys and badly typed values are errors.
pub fn parse_file(text: &str) -> anyhow::Result<Options> {
    Ok(toml::from_str(text)?)
}

impl ServerConfig {
    /// The configuration `natter serve` runs with: `command_line` (flags and variables) over the
    /// file it names over the defaults. Generates and keeps the keys of apps that have none.
    pub fn resolve(command_line: Options) -> anyhow::Result<Self> {
        Self::resolve_with(command_line, MissingKey::Generate)
    }

    pub fn resolve_with(command_line: Options, missing_key: MissingKey) -> anyhow::Result<Self> {
        let file = read_file(command_line.config.as_deref())?;
        let given = command_line.or(file);
        let defaults = Options::defaults();
        let limits = connection_limits(&given, &defaults)?;
        let data_dir = given
            .data_dir
            .clone()
            .or(defaults.data_dir)
            .expect("data_dir has a default");
        // The SDKAppID and admin defaults apply per app (see resolve_apps), not here.
        let apps = resolve_apps(&given, &data_dir, missing_key)?;
        let tls = match (given.tls_cert, given.tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => bail!("tls_cert and tls_key must be given together"),
        };
        let listen = given
            .listen
            .or(defaults.listen)
            .expect("listen has a default");
        let emulator = match given.emulator.or(defaults.emulator) {
            Some(EmulatorMode::On) => true,
            Some(EmulatorMode::Off) => false,
            Some(EmulatorMode::Auto) | None => listen.ip().is_loopback(),
        };
        let engines = natter_services::engines::EngineConfig {
            translate_url: given.translate_url.clone(),
            translate_api_key: given.translate_api_key.clone(),
            transcribe_url: given.transcribe_url.clone(),
            transcribe_model: given
                .transcribe_model
                .clone()
                .or(defaults.transcribe_model.clone())
                .expect("transcribe_model has a default"),
            transcribe_api_key: given.transcribe_api_key.clone(),
            ffmpeg: natter_services::engines::covers::find_ffmpeg(
                given
                    .ffmpeg
                    .as_deref()
                    .or(defaults.ffmpeg.as_deref())
                    .expect("ffmpeg has a default"),
            ),
            timeout: Duration::from_secs(at_least_one(
                "engine_timeout",
                given.engine_timeout.or(defaults.engine_timeout),
            )?),
        };
        Ok(Self {
            engines,
            listen,
            emulator,
            data_dir,
            database_url: given.database_url,
            database_pool: at_least_one(
                "database_pool",
                given.database_pool.or(defaults.database_pool),
            )?
            .try_into()
            .map_err(|_| anyhow::anyhow!("database_pool is too large"))?,
            tls,
            max_body_bytes: given
                .max_body_bytes
                .or(defaults.max_body_bytes)
                .expect("max_body_bytes has a default"),
            limits,
            client_timeout: Duration::from_secs(at_least_one(
                "client_timeout",
                given.client_timeout.or(defaults.client_timeout),
            )?),
            max_pending_logins: at_least_one(
                "max_pending_logins",
                given
                    .max_pending_logins
                    .or(defaults.max_pending_logins)
                    .map(|n| n as u64),
            )? as usize,
            max_viewers: at_least_one(
                "max_viewers",
                given.max_viewers.or(defaults.max_viewers).map(|n| n as u64),
            )? as usize,
            nats_url: given.nats_url,
            import: given.import,
            export_on_exit: given.export_on_exit,
            cluster_name: given
                .cluster_name
                .or(defaults.cluster_name)
                .expect("cluster_name has a default"),
            node_timeout: Duration::from_secs(at_least_one(
                "node_timeout",
                given.node_timeout.or(defaults.node_timeout),
            )?),
            apps,
        })
    }
}

fn at_least_one(name: &str, value: Option<u64>) -> anyhow::Result<u64> {
    match value.expect("limits and timeouts have defaults") {
        0 => bail!("{name} must be at least 1"),
        value => Ok(value),
    }
}

/// The connection limits of `given`, or their defaults; zero is refused (a cap of zero serves
/// nobody, a timeout of zero closes every connection at once).
fn connection_limits(
    given: &Options,
    defaults: &Options,
) -> anyhow::Result<crate::ConnectionLimits> {
    let pick = |name: &str, value: Option<u64>, default: Option<u64>| {
        at_least_one(name, value.or(default))
    };
    let as_u64 = |v: Option<usize>| v.map(|v| v as u64);
    Ok(crate::ConnectionLimits {
        max_connections: pick(
            "max_connections",
            as_u64(given.max_connections),
            as_u64(defaults.max_connections),
        )? as usize,
        max_connections_per_ip: pick(
            "max_connections_per_ip",
            as_u64(given.max_connections_per_ip),
            as_u64(defaults.max_connections_per_ip),
        )? as usize,
        header_timeout: Duration::from_secs(pick(
            "header_timeout",
            given.header_timeout,
            defaults.header_timeout,
        )?),
        idle_timeout: Duration::from_secs(pick(
            "idle_timeout",
            given.idle_timeout,
            defaults.idle_timeout,
        )?),
    })
}

#[cfg(test)]
mod tests;
