//! `natter`: the command line. `natter serve` runs the server; `natter usersig` prints a UserSig;
//! `natter config` prints an example `natter.toml` or checks one; `natter export` and `natter
//! import` move apps' data through a file.

use std::sync::Arc;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use natter::config::{Options, ServerConfig};
use natter_core::Clock;

/// mimalloc instead of the system allocator: request handling allocates many small short-lived
/// buffers (JSON, headers), and glibc's malloc took about 15 % of the server's CPU under load.
/// The `system-allocator` feature keeps the system's, for heap profilers that hook malloc
/// (heaptrack, valgrind): BENCHMARKS.md, memory per WebSocket.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Called when a runtime worker has nothing to do: at most once a second per worker, mimalloc
/// collects that thread's heap. A connection's memory is often freed by another worker than the
/// one that allocated it, and mimalloc only reclaims such blocks when the owning thread allocates
/// again or collects (BENCHMARKS.md, memory per WebSocket).
#[cfg(not(feature = "system-allocator"))]
fn collect_when_idle() {
    use std::cell::Cell;
    use std::time::{Duration, Instant};
    const EVERY: Duration = Duration::from_secs(1);
    thread_local! {
        static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
    }
    let now = Instant::now();
    if LAST
        .get()
        .is_some_and(|last| now.duration_since(last) < EVERY)
    {
        return;
    }
    LAST.set(Some(now));
    // SAFETY: mi_collect takes no pointers; it only works on this thread's own heap (and
    // memory already free), so calling it at any point on any thread is sound.
    unsafe { libmimalloc_sys::mi_collect(false) };
}

#[cfg(feature = "system-allocator")]
fn collect_when_idle() {}

/// A thread of its own that asks mimalloc once a second to give back to the OS the memory that
/// has been free for longer than its purge delay (1 s). mimalloc frees a page whose blocks all
/// went as soon as the last one goes (full pages are shared between threads), but returns its
/// memory to the OS only later, from a thread that allocates or collects once the delay has
/// passed. When every client has left, every runtime worker may already be parked with nothing
/// to wake it, so without this thread an idle server kept the memory of the clients that left
/// (BENCHMARKS.md: in 4 runs of 9). The collect works on this thread's own (empty) heap and on
/// the process-wide arenas, where the purge is due; it takes a few microseconds when none is.
#[cfg(not(feature = "system-allocator"))]
fn start_memory_returner() -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("natter-free-memory".into())
        .spawn(|| loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            // SAFETY: as in `collect_when_idle`.
            unsafe { libmimalloc_sys::mi_collect(false) };
        })
        .map(drop)
}

#[cfg(feature = "system-allocator")]
fn start_memory_returner() -> std::io::Result<()> {
    Ok(())
}

#[derive(Parser)]
#[command(
    name = "natter",
    version,
    about = "An open-source chat server that speaks the Tencent Cloud Chat (Tencent IM) server protocol",
    long_about = "An open-source chat server that speaks the Tencent Cloud Chat (Tencent IM) server protocol: \
its REST API (/v4/<service>/<command>) and its webhooks. Point an app backend written for Tencent at \
Natter by changing only the host name.\n\nEvery option is also an environment variable NATTER_<NAME> \
and a key in the --config TOML file."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (defaults: 127.0.0.1:8080, embedded storage in ./natter-data, app 1400000000)
    Serve(Box<Options>),
    /// Print a UserSig (TLSSigAPIv2) made with the configured or given secret key
    Usersig(Box<UsersigArgs>),
    /// Print an example natter.toml, or check one
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write apps' data (all configured apps, or those of --app) to one portable file:
    /// gzip-compressed JSON lines, readable by `natter import` on either storage engine
    /// (docs/export.md)
    Export(Box<ExportArgs>),
    /// Read a file of `natter export` into this server's storage (SQLite or PostgreSQL): into
    /// apps that hold nothing but their admin accounts, or with --replace over their data
    Import(Box<ImportArgs>),
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The file to write (replaced when complete)
    file: std::path::PathBuf,
    /// An app to export (repeat for several); default: every configured app
    #[arg(long = "app", value_name = "SDKAPPID")]
    apps: Vec<u64>,
    /// The storage and apps, as `natter serve` reads them
    #[command(flatten)]
    options: Options,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The file to read
    file: std::path::PathBuf,
    /// An app of the file to import (repeat for several); default: every app in the file
    #[arg(long = "app", value_name = "SDKAPPID")]
    apps: Vec<u64>,
    /// Replace the data of apps that hold some (otherwise they are refused)
    #[arg(long)]
    replace: bool,
    /// The storage and apps, as `natter serve` reads them
    #[command(flatten)]
    options: Options,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a complete natter.toml: every key, its default or an example, and what it does
    Example,
    /// Check a natter.toml (with the flags and NATTER_* variables given, as `serve` would) and
    /// print the settings `natter serve` would run with, secrets masked
    Check {
        /// The file to check
        file: std::path::PathBuf,
        #[command(flatten)]
        options: Box<Options>,
    },
}

#[derive(clap::Args)]
struct UsersigArgs {
    /// The UserID to sign for
    #[arg(long, value_name = "USERID")]
    identifier: String,
    /// Validity in seconds (180 days by default, as in Tencent's libraries)
    #[arg(long, value_name = "SECS", default_value_t = natter_usersig::DEFAULT_EXPIRE_SECS)]
    expire: u64,
    /// Only the options that locate the app and its key are shown and read (see
    /// `only_usersig_options`).
    #[command(flatten)]
    options: Options,
}

/// The command line: the derived one, with `usersig` narrowed to its options and `config check`
/// taking its file as an argument rather than `--config`.
fn command_line() -> clap::Command {
    Cli::command()
        .mut_subcommand("usersig", natter::config::only_usersig_options)
        .mut_subcommand("config", |config| {
            config.mut_subcommand("check", |check| {
                check.mut_arg("config", |arg| arg.hide(true))
            })
        })
}

fn main() -> std::process::ExitCode {
    let matches = command_line().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let (_, sub) = matches.subcommand().expect("a subcommand is required");
    let outcome = match cli.command {
        Command::Serve(options) => serve(options.without_defaults(sub)),
        Command::Usersig(args) => usersig(*args, sub),
        Command::Config(ConfigCommand::Example) => {
            print!("{}", natter::config::example::example_toml());
            Ok(())
        }
        Command::Export(args) => {
            let ExportArgs {
                file,
                apps,
                options,
            } = *args;
            transfer(sub, options, |config| async move {
                natter::transfer::export_command(&config, file, &apps).await
            })
        }
        Command::Import(args) => {
            let ImportArgs {
                file,
                apps,
                replace,
                options,
            } = *args;
            transfer(sub, options, |config| async move {
                natter::transfer::import_command(&config, file, &apps, replace).await
            })
        }
        Command::Config(ConfigCommand::Check { file, options }) => {
            let (_, check) = sub.subcommand().expect("config has a subcommand");
            check_config(file, options.without_defaults(check))
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("natter: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn usersig(args: UsersigArgs, matches: &ArgMatches) -> anyhow::Result<()> {
    let config = ServerConfig::resolve(args.options.without_defaults(matches))?;
    let app = &config.apps[0].settings;
    let now = Clock::system().now_secs() as u64;
    println!(
        "{}",
        natter_usersig::generate(
            app.sdkappid,
            &app.secret_key,
            &args.identifier,
            args.expire,
            now,
            None
        )
    );
    Ok(())
}

/// Runs an export or import with the configuration `serve` would have.
fn transfer<F: std::future::Future<Output = anyhow::Result<()>>>(
    matches: &ArgMatches,
    options: Options,
    work: impl FnOnce(ServerConfig) -> F,
) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NATTER_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = ServerConfig::resolve(options.without_defaults(matches))?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(work(config))
}

fn check_config(file: std::path::PathBuf, options: Options) -> anyhow::Result<()> {
    let command_line = Options {
        config: Some(file),
        ..options
    };
    print!("{}", natter::config::check::check(command_line)?);
    Ok(())
}

fn serve(args: Options) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NATTER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = ServerConfig::resolve(args)?;
    start_memory_returner()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(collect_when_idle)
        .build()?;
    runtime.block_on(async {
        let clock = Arc::new(Clock::system());
        // Listen for SIGTERM before anyone can know the server is up (the banner): a signal
        // that arrives before the handler exists would kill the process instead of stopping it.
        let signal = shutdown_signal()?;
        let running = natter::start(&config, clock.clone()).await?;
        print_banner(&config, running.addr, &clock);
        let stop = running.stopper();
        tokio::spawn(async move {
            signal.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stop.send(true);
        });
        running.wait().await?;
        tracing::info!("stopped cleanly");
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when
/// the future is first polled.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let ctrl_c = tokio::signal::ctrl_c();
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    })
}

/// A secret with all but its first four characters hidden.
fn mask(secret: &str) -> String {
    let shown: String = secret.chars().take(4).collect();
    format!("{shown}…")
}

fn print_banner(config: &ServerConfig, addr: std::net::SocketAddr, clock: &Clock) {
    use std::fmt::Write as _;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let storage = match &config.database_url {
        Some(_) => "PostgreSQL".to_owned(),
        None => format!("SQLite in {}", config.data_dir.display()),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Natter {} listening on {scheme}://{addr} ({storage})",
        env!("CARGO_PKG_VERSION")
    );
    let ws = if config.tls.is_some() { "wss" } else { "ws" };
    let _ = writeln!(
        out,
        "Tencent's Web SDK: create it with proxyServer: '{ws}://{addr}' (docs/client-sdk.md)"
    );
    let _ = writeln!(
        out,
        "Natter's own client protocol: {ws}://{addr}/ws (docs/client-protocol.md)"
    );
    let _ = writeln!(out, "Console: {scheme}://{addr}/console (docs/console.md)");
    let _ = if config.emulator {
        writeln!(
            out,
            "Emulator mode: on (tests may move the clock at /_natter/clock; local callers get \
             UserSigs made; --emulator off for a shared server)"
        )
    } else {
        writeln!(
            out,
            "Emulator mode: off (--emulator on to move the clock in tests)"
        )
    };
    if config.nats_url.is_some() {
        // The URL may carry credentials: it is not printed.
        let _ = writeln!(
            out,
            "One node of cluster {:?}; events to clients travel over NATS",
            config.cluster_name
        );
    }
    for app in &config.apps {
        let s = &app.settings;
        let admin = &s.admins[0];
        let sig = natter_usersig::generate(
            s.sdkappid,
            &s.secret_key,
            admin,
            natter_usersig::DEFAULT_EXPIRE_SECS,
            clock.now_secs() as u64,
            None,
        );
        // A key Natter generated is shown once so it can be copied; one from the config or the
        // environment is the operator's secret already and is never echoed to logs.
        let kept_in = natter::config::key_path(&config.data_dir, s.sdkappid);
        let key = if app.key_generated {
            format!(
                "{} (generated and kept in {})",
                s.secret_key,
                kept_in.display()
            )
        } else if std::fs::read_to_string(&kept_in).is_ok_and(|k| k.trim() == s.secret_key) {
            format!(
                "{} (generated earlier, kept in {})",
                mask(&s.secret_key),
                kept_in.display()
            )
        } else {
            format!("{} (from your configuration)", mask(&s.secret_key))
        };
        let _ = writeln!(out);
        let _ = writeln!(out, "  SDKAppID    {}", s.sdkappid);
        let _ = writeln!(out, "  Secret key  {key}");
        let _ = writeln!(out, "  Admin       {}", s.admins.join(", "));
        let _ = writeln!(out, "  UserSig     {sig}");
        let _ = writeln!(out, "              (for {admin}, valid 180 days)");
        if let Some(url) = &app.webhook.url {
            let _ = writeln!(out, "  Webhook URL {url}");
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "  Try it:");
        let _ = writeln!(
            out,
            "  curl -s '{scheme}://{addr}/v4/im_open_login_svc/account_check?sdkappid={}&identifier={admin}&usersig={sig}&random=1&contenttype=json' -d '{{\"CheckItem\":[{{\"UserID\":\"{admin}\"}}]}}'",
            s.sdkappid
        );
    }
    // A closed stdout (a supervisor that stopped reading) must not take the server down.
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, out.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
}
