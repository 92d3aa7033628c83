//! Start-up and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use natter_core::Clock;
use natter_events::{Budgets, Bus, Hub, Presence};
use natter_http::{AppState, HttpConfig};
use natter_services::{Apps, Fanout, Services};
use natter_store::postgres::PostgresStore;
use natter_store::sqlite::SqliteStore;
use natter_store::Store;
use natter_webhook::Webhooks;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::ServerConfig;

/// Opens PostgreSQL when `database_url` is given, otherwise SQLite in the data dir.
pub async fn open_store(config: &ServerConfig) -> anyhow::Result<Arc<dyn Store>> {
    match &config.database_url {
        Some(url) => {
            let store = PostgresStore::connect_pooled(url, config.database_pool)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Arc::new(store))
        }
        None => {
            crate::private::create_dir(&config.data_dir)
                .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
            let path = config.data_dir.join("natter.db");
            crate::private::create_file(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            let store =
                SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
            Ok(Arc::new(store))
        }
    }
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub services: Services,
    stop: watch::Sender<bool>,
    task: JoinHandle<anyhow::Result<()>>,
    delivery: JoinHandle<()>,
    /// Writes the operations counters every second, and once more when stopped.
    counters: JoinHandle<()>,
    /// `--export-on-exit`: the file and the apps.
    export_on_exit: Option<(std::path::PathBuf, Vec<natter_core::AppId>)>,
}

impl Running {
    /// Stops accepting connections, lets in-flight requests finish, then closes storage.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.wait().await
    }

    /// Runs until the server stops (after [`shutdown`](Self::shutdown) or a serve error).
    pub async fn wait(self) -> anyhow::Result<()> {
        let served = self.task.await.context("server task panicked")?;
        // Every connection has ended: the other nodes of a cluster may forget this one.
        self.services.presence.leave().await;
        // The HTTP server has drained; stop the webhook loop (its in-flight deliveries finish or
        // stay in the outbox), then close storage.
        let _ = self.stop.send(true);
        // Push tasks stop at a batch boundary and give up their leases, for the next start
        // (or another node) to resume.
        self.services.pushes.tasks().shutdown().await;
        let _ = self.delivery.await;
        let _ = self.counters.await;
        // Last, when nothing writes any more: the export holds the final state.
        let exported = match self.export_on_exit {
            None => Ok(()),
            Some((path, apps)) => {
                let store = self.services.store.clone();
                crate::transfer::export_to(store, apps.clone(), &path, None)
                    .await
                    .map(|rows| tracing::info!(rows, ?apps, file = %path.display(), "exported on exit"))
            }
        };
        self.services.store.close().await;
        served.and(exported)
    }

    /// Asks the server to stop; [`wait`](Self::wait) returns once it has.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// Opens storage, prepares every app and starts serving on `config.listen`.
/// How often expired history is deleted.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Deletes history past each app's retention period at start and then every hour.
async fn sweep_history(
    services: Services,
    apps: Vec<natter_core::AppSettings>,
    mut stop: watch::Receiver<bool>,
) {
    if apps.iter().all(|a| a.history_retention_days == 0) {
        return;
    }
    loop {
        for app in &apps {
            match services.messages.purge_expired(app).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(app = app.sdkappid, messages = n, "expired history deleted")
                }
                Err(e) => {
                    tracing::warn!(app = app.sdkappid, error = %e.info, "history sweep failed")
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Says at start which engines are on (see `natter_services::engines`).
fn log_engines(engines: &natter_services::engines::EngineConfig) {
    match &engines.ffmpeg {
        Some(path) => tracing::info!(ffmpeg = %path.display(), "video covers on"),
        None => tracing::info!("video covers off: no ffmpeg found (option ffmpeg)"),
    }
    if let Some(url) = &engines.translate_url {
        let url = natter_services::engines::shown(url);
        tracing::info!(url, "text translation on (LibreTranslate)");
    }
    if let Some(url) = &engines.transcribe_url {
        let url = natter_services::engines::shown(url);
        tracing::info!(
            url,
            "speech recognition on (OpenAI-compatible transcriptions)"
        );
    }
}

pub async fn start(config: &ServerConfig, clock: Arc<Clock>) -> anyhow::Result<Running> {
    if let Some(open_files) = crate::accept::raise_open_file_limit() {
        tracing::debug!(open_files, "open-file limit");
    }
    let store = open_store(config).await?;
    let apps = Apps::new(config.apps.iter().map(|a| a.settings.clone()));
    let webhooks = Arc::new(Webhooks::new(store.clone(), clock.clone()));
    for app in &config.apps {
        webhooks
            .configure(app.settings.sdkappid, app.webhook.clone())
            .map_err(|e| anyhow::anyhow!("app {}: {e}", app.settings.sdkappid))?;
        // An app without declared custom fields of a kind takes any key of it: say which.
        tracing::info!(
            app = app.settings.sdkappid,
            "custom fields: {}",
            app.settings.custom_field_policy()
        );
    }
    let (stop, _) = watch::channel(false);
    // A cluster node's hub mirrors every node's live-room seats (kept by the presence replica).
    let hub = Arc::new(match config.nats_url {
        None => Hub::new(),
        Some(_) => Hub::mirroring_rooms(),
    });
    let fanout = match &config.nats_url {
        None => Fanout::local(hub.clone(), store.clone()),
        Some(url) => {
            let bus = Bus::connect(url, &config.cluster_name)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            Fanout::clustered(hub.clone(), store.clone(), bus, stop.subscribe())
                .await
                .map_err(|e| anyhow::anyhow!(e))?
        }
    };
    if let Some(path) = &config.import {
        // In emulator mode the file is the seed of every start; elsewhere it never overwrites.
        let done =
            crate::transfer::import_from(store.clone(), config, path, &[], config.emulator, None)
                .await?;
        for (app, rows) in done {
            tracing::info!(app, rows, file = %path.display(), "imported at start");
        }
    }
    let (presence, reaped) = match &fanout.bus() {
        None => (Presence::local(hub.clone(), fanout.node()), None),
        Some(bus) => {
            let (presence, reaped) = Presence::clustered(
                hub.clone(),
                fanout.node(),
                bus.client(),
                &config.cluster_name,
                config.node_timeout,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
            (presence, Some(reaped))
        }
    };
    let budgets = match fanout.bus() {
        None => Budgets::local(),
        Some(bus) => Budgets::clustered(bus.client(), &config.cluster_name)
            .await
            .map_err(|e| anyhow::anyhow!(e))?,
    };
    let services = Services::new(
        store,
        clock,
        apps,
        webhooks.clone(),
        (hub, Arc::new(presence), Arc::new(budgets)),
        fanout,
    )
    .with_engines(config.engines.clone());
    log_engines(&config.engines);
    if let Some(reaped) = reaped {
        services
            .sessions
            .report_reaped(services.apps.clone(), reaped);
    }
    for app in &config.apps {
        services
            .accounts
            .ensure_admins(app.settings.sdkappid, &app.settings.admins)
            .await
            .map_err(|e| anyhow::anyhow!("creating admin accounts: {e}"))?;
    }
    let state = AppState::new(
        services.clone(),
        HttpConfig {
            max_body_bytes: config.max_body_bytes,
            tls: config.tls.is_some(),
            emulator: config.emulator,
            client_timeout: config.client_timeout,
            max_pending_logins: config.max_pending_logins,
            max_viewers: config.max_viewers,
        },
    );
    let router = natter_http::router(state);
    let listener = std::net::TcpListener::bind(config.listen)
        .with_context(|| format!("binding {}", config.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    // After-callbacks committed before a crash or restart are delivered from the outbox.
    let delivery = tokio::spawn(webhooks.run(stop.subscribe()));
    let counters = tokio::spawn(services.ops.clone().run(stop.subscribe()));
    // Push tasks left unfinished by a stop or a crash resume here (or on another node).
    tokio::spawn(services.pushes.tasks().clone().run(services.apps.clone()));
    tokio::spawn(sweep_history(
        services.clone(),
        config.apps.iter().map(|a| a.settings.clone()).collect(),
        stop.subscribe(),
    ));

    let tls = match &config.tls {
        None => None,
        Some((cert, key)) => {
            // One crypto provider for the whole process; a second install is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "loading TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            Some(tokio_rustls::TlsAcceptor::from(tls.get_inner()))
        }
    };
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let limits = config.limits.clone();
    let stopped = stop.subscribe();
    let task = tokio::spawn(async move {
        crate::accept::serve(listener, router, limits, tls, stopped)
            .await
            .context("serving HTTP")
    });
    Ok(Running {
        addr,
        services,
        stop,
        task,
        delivery,
        counters,
        export_on_exit: config.export_on_exit.clone().map(|path| {
            let apps = config.apps.iter().map(|a| a.settings.sdkappid).collect();
            (path, apps)
        }),
    })
}
