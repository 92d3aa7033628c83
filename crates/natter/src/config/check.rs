//! `natter config check`: validate a configuration and show what `natter serve` would run with.

use std::path::Path;

use anyhow::{bail, Context};

use super::apps::{key_path, table_of};
use super::{MissingKey, Options, ServerConfig};

/// What a masked secret is shown as.
const MASK: &str = "********";

/// Resolves `command_line` (whose `config` names the file) as `natter serve` would, without
/// writing anything, and checks that the files it names can be read. Returns the settings it
/// would run with, as TOML with secrets masked; an error says what is wrong and where.
pub fn check(command_line: Options) -> anyhow::Result<String> {
    let file = command_line.config.clone();
    let config = ServerConfig::resolve_with(command_line, MissingKey::CheckOnly)?;
    check_files_exist(&config)?;
    let mut notes = Vec::new();
    let mut apps = Vec::new();
    for app in &config.apps {
        let mut table = table_of(app);
        // A key still to be generated is left out, as it would be in a file.
        table.secret_key = if app.key_generated {
            let path = key_path(&config.data_dir, app.settings.sdkappid);
            notes.push(format!(
                "app {} has no secret_key: one is generated into {} at first start{}",
                app.settings.sdkappid,
                path.display(),
                if config.database_url.is_some() {
                    " (give every node of a cluster the same secret_key instead)"
                } else {
                    ""
                }
            ));
            None
        } else {
            Some(MASK.into())
        };
        if table.webhook.token.is_some() {
            table.webhook.token = Some(MASK.into());
        }
        apps.push(table);
    }
    let (tls_cert, tls_key) = config.tls.clone().unzip();
    let resolved = Options {
        config: None,
        listen: Some(config.listen),
        data_dir: Some(config.data_dir.clone()),
        database_url: config.database_url.as_deref().map(mask_url_password),
        database_pool: Some(config.database_pool.into()),
        sdkappid: None,
        secret_key: None,
        admin: None,
        webhook_url: None,
        webhook_token: None,
        tls_cert,
        tls_key,
        max_body_bytes: Some(config.max_body_bytes),
        max_connections: Some(config.limits.max_connections),
        max_connections_per_ip: Some(config.limits.max_connections_per_ip),
        header_timeout: Some(config.limits.header_timeout.as_secs()),
        idle_timeout: Some(config.limits.idle_timeout.as_secs()),
        client_timeout: Some(config.client_timeout.as_secs()),
        max_pending_logins: Some(config.max_pending_logins),
        max_viewers: Some(config.max_viewers),
        nats_url: config.nats_url.as_deref().map(mask_url_password),
        cluster_name: Some(config.cluster_name.clone()),
        node_timeout: Some(config.node_timeout.as_secs()),
        // As resolved: `auto` shows what it came to.
        emulator: Some(if config.emulator {
            super::EmulatorMode::On
        } else {
            super::EmulatorMode::Off
        }),
        import: config.import.clone(),
        export_on_exit: config.export_on_exit.clone(),
        translate_url: config.engines.translate_url.clone(),
        translate_api_key: config
            .engines
            .translate_api_key
            .as_ref()
            .map(|_| MASK.into()),
        transcribe_url: config.engines.transcribe_url.clone(),
        transcribe_model: Some(config.engines.transcribe_model.clone()),
        transcribe_api_key: config
            .engines
            .transcribe_api_key
            .as_ref()
            .map(|_| MASK.into()),
        // As found: the binary's path, or `off` when there is none.
        ffmpeg: Some(match &config.engines.ffmpeg {
            Some(path) => path.display().to_string(),
            None => "off".into(),
        }),
        engine_timeout: Some(config.engines.timeout.as_secs()),
        apps,
    };
    let mut out = match &file {
        Some(path) => format!("# {} is valid.\n", path.display()),
        None => "# The configuration is valid.\n".to_owned(),
    };
    out.push_str("# natter serve would run with these settings (secrets masked):\n");
    for note in notes {
        out.push_str(&format!("# Note: {note}.\n"));
    }
    out.push('\n');
    out.push_str(&toml::to_string(&resolved).context("showing the settings")?);
    Ok(out)
}

/// The certificate and key files must be readable now: `serve` would only find out later.
fn check_files_exist(config: &ServerConfig) -> anyhow::Result<()> {
    let mut files: Vec<(String, &Path)> = Vec::new();
    if let Some((cert, key)) = &config.tls {
        files.push(("tls_cert".into(), cert));
        files.push(("tls_key".into(), key));
    }
    for app in &config.apps {
        let webhook = &app.webhook;
        let app_files = [
            ("ca_cert", &webhook.ca_cert),
            ("client_cert", &webhook.client_cert),
            ("client_key", &webhook.client_key),
        ];
        for (key, path) in app_files {
            if let Some(path) = path {
                let place = format!("webhook {key} of app {}", app.settings.sdkappid);
                files.push((place, path));
            }
        }
    }
    for (what, path) in files {
        if let Err(e) = std::fs::File::open(path) {
            bail!("{what}: cannot read {}: {e}", path.display());
        }
    }
    Ok(())
}

/// `url` with the password of its user info, if any, replaced by a mask:
/// `postgres://natter:secret@db/natter` → `postgres://natter:********@db/natter`.
pub fn mask_url_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    // The last `@` ends the user info (a password may itself hold an `@`).
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let Some(colon) = authority[..at].find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{MASK}{}",
        &url[..scheme_end + colon + 1],
        &url[scheme_end + at..]
    )
}
