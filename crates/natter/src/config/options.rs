//! The top-level options: the one definition of every flag, `NATTER_*` variable and top-level
//! `natter.toml` key.
//!
//! Each field of [`Options`] is all three at once, named by the field: `data_dir` is the flag
//! `--data-dir`, the variable `NATTER_DATA_DIR` and the TOML key `data_dir` (a test holds every
//! field to this). Its doc comment is its help, and its `default_value` its default; both are
//! read back from clap's metadata ([`option_docs`]) for `natter config example` and the README's
//! table, so nothing about an option is written twice. `hide_env_values` marks a secret, which
//! `natter config check` masks.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches};
use serde::{Deserialize, Serialize};

use super::apps::AppTable;

/// Whether Natter runs as an emulator (see [`Options::emulator`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmulatorMode {
    Auto,
    On,
    Off,
}

/// One layer of settings: the command line (flags and variables, which clap reads both) or the
/// file. `None` means "not given in this layer", so layers merge field by field
/// (see [`super::ServerConfig::resolve`]); clap's defaults are taken out again by
/// [`Options::without_defaults`] for that reason.
#[derive(Debug, Clone, Default, PartialEq, Args, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Configuration file (TOML); several apps are `[[app]]` tables
    #[arg(long, env = "NATTER_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to listen on
    #[arg(
        long,
        env = "NATTER_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: Option<SocketAddr>,
    /// Directory for embedded storage and generated secret keys
    #[arg(
        long,
        env = "NATTER_DATA_DIR",
        value_name = "DIR",
        default_value = "./natter-data"
    )]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); switches storage from the embedded SQLite to PostgreSQL
    #[arg(
        long,
        env = "NATTER_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// PostgreSQL connections this node keeps at most (with `--database-url`). Sends into one
    /// group wait for each other inside PostgreSQL, each holding a connection meanwhile; mind
    /// PostgreSQL's `max_connections` across all nodes
    #[arg(
        long,
        env = "NATTER_DATABASE_POOL",
        value_name = "N",
        default_value = "32"
    )]
    pub database_pool: Option<u64>,
    /// SDKAppID of the default app (with `[[app]]` tables and no SDKAppID given, the default
    /// app is the first table)
    #[arg(
        long,
        env = "NATTER_SDKAPPID",
        value_name = "N",
        default_value = "1400000000"
    )]
    pub sdkappid: Option<u64>,
    /// Secret key of the default app; generated once and kept in the data dir when not given
    #[arg(
        long,
        env = "NATTER_SECRET_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// Admin account of the default app (added to its `admins`)
    #[arg(
        long,
        env = "NATTER_ADMIN",
        value_name = "USERID",
        default_value = "administrator"
    )]
    pub admin: Option<String>,
    /// Webhook (third-party callback) URL of the default app; none: no callbacks
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
    /// PEM certificate chain: serve HTTPS (with --tls-key); none: plain HTTP
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
    /// Largest request body accepted, in bytes
    // The HTTP layer's own default (a test holds them equal).
    #[arg(
        long,
        env = "NATTER_MAX_BODY_BYTES",
        value_name = "BYTES",
        default_value = "1048576"
    )]
    pub max_body_bytes: Option<usize>,
    /// Most client connections open at once (WebSockets included); at the cap the idlest
    /// connection makes room, or the newcomer is answered 503. Lowered to fit the open-file limit
    #[arg(
        long,
        env = "NATTER_MAX_CONNECTIONS",
        value_name = "N",
        default_value = "10000"
    )]
    pub max_connections: Option<usize>,
    /// Most client connections open at once from one address
    #[arg(
        long,
        env = "NATTER_MAX_CONNECTIONS_PER_IP",
        value_name = "N",
        default_value = "1000"
    )]
    pub max_connections_per_ip: Option<usize>,
    /// Seconds a client has to send a request's head (and, on HTTP/1.1, to start the next
    /// request on a kept-alive connection) or to finish a TLS handshake
    #[arg(
        long,
        env = "NATTER_HEADER_TIMEOUT",
        value_name = "SECS",
        default_value = "10"
    )]
    pub header_timeout: Option<u64>,
    /// Seconds an HTTP connection may stay silent with no request in flight before it is closed
    #[arg(
        long,
        env = "NATTER_IDLE_TIMEOUT",
        value_name = "SECS",
        default_value = "60"
    )]
    pub idle_timeout: Option<u64>,
    /// Seconds a logged-in client (/ws or /binfo) may stay silent before it is dropped
    #[arg(
        long,
        env = "NATTER_CLIENT_TIMEOUT",
        value_name = "SECS",
        default_value = "90"
    )]
    pub client_timeout: Option<u64>,
    /// Most WebSockets (/ws, /binfo) open at once that have not logged in yet; another upgrade is
    /// answered 503
    #[arg(
        long,
        env = "NATTER_MAX_PENDING_LOGINS",
        value_name = "N",
        default_value = "1000"
    )]
    pub max_pending_logins: Option<usize>,
    /// Most /binfo sockets open at once that watch AVChatRooms without login (the Web SDK's viewers); another viewer's join is refused (60018)
    #[arg(
        long,
        env = "NATTER_MAX_VIEWERS",
        value_name = "N",
        default_value = "10000"
    )]
    pub max_viewers: Option<usize>,
    /// NATS URL (nats://…, JetStream enabled): run as one node of a cluster, events to clients travel between
    /// nodes over NATS; none: a single node
    #[arg(
        long,
        env = "NATTER_NATS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub nats_url: Option<String>,
    /// Name of the cluster, the prefix of its NATS subjects (several clusters can share one
    /// NATS)
    #[arg(
        long,
        env = "NATTER_CLUSTER_NAME",
        value_name = "NAME",
        default_value = "natter"
    )]
    pub cluster_name: Option<String>,
    /// In a cluster, how long a node may go unheard (no heartbeat on NATS) before the others
    /// count its connections offline and report them (`State.StateChange` `Disconnect`)
    #[arg(
        long,
        env = "NATTER_NODE_TIMEOUT",
        value_name = "SECS",
        default_value = "15"
    )]
    pub node_timeout: Option<u64>,
    /// Emulator mode (`on`, `off`, or `auto`: on when listening on a loopback address): tests
    /// may move the server's clock (`/_natter/clock`) and local callers get UserSigs made
    /// (`/_natter/usersig`); never on a server others use
    #[arg(
        long,
        env = "NATTER_EMULATOR",
        value_name = "MODE",
        default_value = "auto"
    )]
    pub emulator: Option<EmulatorMode>,
    /// An export (`natter export`'s file) to seed the apps it holds at start: in emulator mode
    /// each one's data is replaced by the file's at every start; otherwise an app that holds
    /// data is refused (import it once with `natter import --replace`)
    #[arg(long, env = "NATTER_IMPORT", value_name = "FILE")]
    pub import: Option<PathBuf>,
    /// Export every app's data to this file when the server stops cleanly (with `--import`
    /// of the same file, an emulator keeps its state between runs)
    #[arg(long, env = "NATTER_EXPORT_ON_EXIT", value_name = "FILE")]
    pub export_on_exit: Option<PathBuf>,
    /// Base URL of a LibreTranslate server (`http://host:5000`) that translates text for the Web
    /// SDK's `translateText`; none: translation is not enabled (60020)
    #[arg(long, env = "NATTER_TRANSLATE_URL", value_name = "URL")]
    pub translate_url: Option<String>,
    /// The LibreTranslate server's API key, when it asks for one
    #[arg(
        long,
        env = "NATTER_TRANSLATE_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub translate_api_key: Option<String>,
    /// Base URL of an OpenAI-compatible transcription server (whisper.cpp's server,
    /// faster-whisper-server, LocalAI: `POST <url>/v1/audio/transcriptions`) for the Web SDK's
    /// `convertVoiceToText`; none: speech recognition is not enabled (60020)
    #[arg(long, env = "NATTER_TRANSCRIBE_URL", value_name = "URL")]
    pub transcribe_url: Option<String>,
    /// The `model` a transcription request names
    #[arg(
        long,
        env = "NATTER_TRANSCRIBE_MODEL",
        value_name = "NAME",
        default_value = "whisper-1"
    )]
    pub transcribe_model: Option<String>,
    /// Bearer token for the transcription server, when it asks for one
    #[arg(
        long,
        env = "NATTER_TRANSCRIBE_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub transcribe_api_key: Option<String>,
    /// The `ffmpeg` binary that takes video covers (a frame of each uploaded video): a path, a
    /// name looked up on PATH, or `off`; when not found, video messages have no cover
    #[arg(
        long,
        env = "NATTER_FFMPEG",
        value_name = "PATH",
        default_value = "ffmpeg"
    )]
    pub ffmpeg: Option<String>,
    /// How long a call to the translation or transcription server, or one video cover, may take (the Web SDK gives up on a request after 15 s)
    #[arg(
        long,
        env = "NATTER_ENGINE_TIMEOUT",
        value_name = "SECS",
        default_value = "12"
    )]
    pub engine_timeout: Option<u64>,
    /// The `[[app]]` tables: only in the file.
    #[arg(skip)]
    #[serde(default, rename = "app", skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<AppTable>,
}

/// The options `natter usersig` takes: those that locate an app and its key.
pub const USERSIG_OPTIONS: [&str; 4] = ["config", "data_dir", "sdkappid", "secret_key"];

impl Options {
    /// These options less those that clap filled in with their defaults (in `matches`, which
    /// they were parsed from): defaults come last, after the file.
    pub fn without_defaults(mut self, matches: &ArgMatches) -> Self {
        let defaulted: Vec<&str> = matches
            .ids()
            .map(|id| id.as_str())
            .filter(|id| matches.value_source(id) == Some(ValueSource::DefaultValue))
            .collect();
        self.forget(&defaulted);
        self
    }

    /// Every option's default (`None` for options without one), from clap's metadata.
    pub fn defaults() -> Self {
        // An empty command line, with the environment left out, yields exactly the defaults.
        let command =
            Self::augment_args(clap::Command::new("defaults")).mut_args(|arg| arg.env(None));
        let matches = command
            .try_get_matches_from(["defaults"])
            .expect("an empty command line parses");
        Self::from_arg_matches(&matches).expect("the defaults parse")
    }

    /// Each field of `self`, or of `lower` where `self` has none: the layering of settings.
    pub fn or(self, lower: Self) -> Self {
        let mut merged = self.to_table();
        for (key, value) in lower.to_table() {
            merged.entry(key).or_insert(value);
        }
        let mut apps = self.apps;
        if apps.is_empty() {
            apps = lower.apps;
        }
        let mut options = Self::from_table(merged);
        options.config = self.config.or(lower.config);
        options.apps = apps;
        options
    }

    /// Clears the named options.
    fn forget(&mut self, keys: &[&str]) {
        let mut table = self.to_table();
        for key in keys {
            table.remove(*key);
        }
        let config = self.config.take().filter(|_| !keys.contains(&"config"));
        let apps = std::mem::take(&mut self.apps);
        *self = Self::from_table(table);
        self.config = config;
        self.apps = apps;
    }

    // The settings as a TOML table (absent options have no key), so that layers merge key by key
    // without naming every field again; `config` and `apps` are not in it.
    fn to_table(&self) -> toml::Table {
        let scalars = Self {
            config: None,
            apps: Vec::new(),
            ..self.clone()
        };
        toml::Table::try_from(scalars).expect("options serialize to a TOML table")
    }

    fn from_table(table: toml::Table) -> Self {
        table
            .try_into()
            .expect("a table made from options deserializes again")
    }
}

/// What the help, the example file and the README say about one option.
#[derive(Debug, Clone)]
pub struct OptionDoc {
    /// The TOML key and clap id (`data_dir`); `None` for `config`, which is not a TOML key.
    pub toml_key: Option<String>,
    pub flag: String,
    pub env: String,
    pub value_name: String,
    pub default: Option<String>,
    pub doc: String,
    /// A secret (clap's `hide_env_values`): masked wherever settings are shown.
    pub secret: bool,
}

/// The options as clap knows them, in declaration order.
pub fn option_docs() -> Vec<OptionDoc> {
    let command = Options::augment_args(clap::Command::new("serve"));
    command
        .get_arguments()
        .map(|arg| {
            let id = arg.get_id().as_str();
            let doc = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            OptionDoc {
                toml_key: (id != "config").then(|| id.to_owned()),
                flag: format!("--{}", arg.get_long().expect("every option is a long flag")),
                env: arg
                    .get_env()
                    .expect("every option is a variable")
                    .to_string_lossy()
                    .into_owned(),
                value_name: arg
                    .get_value_names()
                    .and_then(|names| names.first())
                    .map(|name| name.to_string())
                    .unwrap_or_default(),
                default: arg
                    .get_default_values()
                    .first()
                    .map(|value| value.to_string_lossy().into_owned()),
                // clap joins the lines of a doc comment's paragraph; keep it one line.
                doc: doc.split_whitespace().collect::<Vec<_>>().join(" "),
                secret: arg.is_hide_env_values_set(),
            }
        })
        .collect()
}

/// `natter usersig` takes the same definitions, but only [`USERSIG_OPTIONS`]: the others are
/// hidden and read no variable, so its help and behaviour stay those of a signing tool.
pub fn only_usersig_options(command: clap::Command) -> clap::Command {
    let serve_only: Vec<String> = option_docs()
        .into_iter()
        .filter_map(|option| option.toml_key)
        .filter(|key| !USERSIG_OPTIONS.contains(&key.as_str()))
        .collect();
    command.mut_args(|arg| {
        if serve_only.iter().any(|key| key == arg.get_id().as_str()) {
            arg.hide(true).env(None)
        } else {
            arg
        }
    })
}
