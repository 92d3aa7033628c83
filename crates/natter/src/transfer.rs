//! `natter export`, `natter import`, and their uses at start-up and shutdown (`--import`,
//! `--export-on-exit`): the file side of `natter_services::transfer`, with the configured apps
//! and a progress bar on a terminal.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use natter_core::{AppId, Clock};
use natter_services::transfer::{self, Progress};
use natter_store::dump::ImportOptions;
use natter_store::Store;

use crate::config::ServerConfig;

/// A spinner with the rows moved and their rate on standard error, drawn only when it is a
/// terminal (indicatif hides it otherwise), so scripts and logs stay quiet.
fn progress_bar(verb: &'static str) -> (indicatif::ProgressBar, Progress) {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {human_pos} rows ({per_sec})")
            .expect("a valid template"),
    );
    bar.set_message(verb);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let shown = bar.clone();
    (bar, Arc::new(move |rows| shown.set_position(rows)))
}

/// The configured apps that `chosen` names (all of them when empty); an app not configured is
/// an error naming it.
fn configured(config: &ServerConfig, chosen: &[AppId]) -> anyhow::Result<Vec<AppId>> {
    let all: Vec<AppId> = config.apps.iter().map(|a| a.settings.sdkappid).collect();
    if chosen.is_empty() {
        return Ok(all);
    }
    for app in chosen {
        if !all.contains(app) {
            bail!("app {app} is not configured here (add it as an [[app]] table, or --sdkappid)");
        }
    }
    Ok(chosen.to_vec())
}

/// Writes `apps` to `path` through a temporary file beside it, renamed into place when
/// complete, so a stop half-way never leaves a cut file under the name.
pub async fn export_to(
    store: Arc<dyn Store>,
    apps: Vec<AppId>,
    path: &Path,
    progress: Option<Progress>,
) -> anyhow::Result<u64> {
    let temp = path.with_extension(format!("partial-{}", std::process::id()));
    let file =
        std::fs::File::create(&temp).with_context(|| format!("creating {}", temp.display()))?;
    let now = Clock::system().now_ms();
    let written = transfer::export(store, apps, file, now, progress).await;
    let (file, rows) = match written {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e).with_context(|| format!("exporting to {}", path.display()));
        }
    };
    file.sync_all()?;
    std::fs::rename(&temp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(rows)
}

/// Reads `path` into the configured apps it holds (those of `chosen` only, when given). Apps
/// are empty but for their admin accounts unless `replace`. Returns the rows per app.
pub async fn import_from(
    store: Arc<dyn Store>,
    config: &ServerConfig,
    path: &Path,
    chosen: &[AppId],
    replace: bool,
    progress: Option<Progress>,
) -> anyhow::Result<Vec<(AppId, u64)>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = transfer::open(std::io::BufReader::new(file))
        .with_context(|| format!("reading {}", path.display()))?;
    let in_file = &reader.header.apps;
    let apps = if chosen.is_empty() {
        in_file.clone()
    } else {
        for app in chosen {
            if !in_file.contains(app) {
                bail!(
                    "{} holds no app {app} (it holds {in_file:?})",
                    path.display()
                );
            }
        }
        chosen.to_vec()
    };
    let mut targets = Vec::new();
    for app in apps {
        let Some(settings) = config.apps.iter().find(|a| a.settings.sdkappid == app) else {
            bail!(
                "{} holds app {app}, which is not configured here (add it as an [[app]] table, \
                 or choose apps with --app)",
                path.display()
            );
        };
        targets.push((
            app,
            ImportOptions {
                replace,
                ignored_accounts: settings.settings.admins.clone(),
            },
        ));
    }
    reader
        .import(store, targets, progress)
        .await
        .with_context(|| format!("importing {}", path.display()))
}

/// `natter export FILE`.
pub async fn export_command(
    config: &ServerConfig,
    path: PathBuf,
    apps: &[AppId],
) -> anyhow::Result<()> {
    let apps = configured(config, apps)?;
    let store = crate::open_store(config).await?;
    let started = Instant::now();
    let (bar, progress) = progress_bar("exporting");
    let rows = export_to(store.clone(), apps.clone(), &path, Some(progress)).await;
    bar.finish_and_clear();
    store.close().await;
    let rows = rows?;
    eprintln!(
        "exported {rows} rows of app(s) {apps:?} from {} to {} in {:.1} s",
        store.backend(),
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `natter import FILE`.
pub async fn import_command(
    config: &ServerConfig,
    path: PathBuf,
    apps: &[AppId],
    replace: bool,
) -> anyhow::Result<()> {
    let store = crate::open_store(config).await?;
    let started = Instant::now();
    let (bar, progress) = progress_bar("importing");
    let done = import_from(store.clone(), config, &path, apps, replace, Some(progress)).await;
    bar.finish_and_clear();
    store.close().await;
    for (app, rows) in done? {
        eprintln!("imported {rows} rows into app {app} ({})", store.backend());
    }
    eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
