//! Named snapshots of an app, for test suites: save the app's state, restore it in well under
//! a second, as often as a suite needs a seed again. A snapshot is an export of the app
//! ([`crate::transfer`]) kept in the store (`app_snapshots`), so every node of a cluster sees
//! it and a reset keeps it.

use std::time::Instant;

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::dump::{ImportOptions, SnapshotInfo};

use crate::transfer::{self, TransferError};
use crate::{internal, Services};

/// Snapshot names: 1–64 letters, digits, `.`, `_` and `-`.
pub fn is_snapshot_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn checked(name: &str) -> ApiResult<()> {
    if is_snapshot_name(name) {
        Ok(())
    } else {
        Err(ApiError::new(
            codes::INVALID_JSON,
            format!("name must be 1–64 letters, digits, '.', '_' or '-', not {name:?}"),
        ))
    }
}

fn failed(e: TransferError) -> ApiError {
    match e {
        TransferError::Store(e) => internal(codes::ACCOUNT_INTERNAL)(e),
        other => {
            tracing::error!(error = %other, "snapshot failed");
            ApiError::new(codes::ACCOUNT_INTERNAL, format!("snapshot failed: {other}"))
        }
    }
}

/// What a save or a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotDone {
    pub rows: u64,
    /// The stored (compressed) size.
    pub bytes: u64,
    /// How long it took, in milliseconds.
    pub millis: u64,
}

impl Services {
    /// Saves the app's state as snapshot `name` (replacing one of that name).
    pub async fn save_snapshot(&self, app: &AppSettings, name: &str) -> ApiResult<SnapshotDone> {
        checked(name)?;
        let started = Instant::now();
        // Counts of this node not written yet belong to the state.
        self.ops.flush().await?;
        let (data, rows) = transfer::export(
            self.store.clone(),
            vec![app.sdkappid],
            Vec::new(),
            self.clock.now_ms(),
            None,
        )
        .await
        .map_err(failed)?;
        let bytes = data.len() as u64;
        self.store
            .put_snapshot(app.sdkappid, name.to_owned(), data, self.clock.now_ms())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        Ok(SnapshotDone {
            rows,
            bytes,
            millis: started.elapsed().as_millis() as u64,
        })
    }

    /// Replaces the app's state with snapshot `name`'s, in one transaction; then, as a reset
    /// does, clears the app's webhook delivery log and makes sure its admin accounts exist.
    /// Connected clients stay connected (they catch up as after any missed push); webhook
    /// deliveries already waiting are still delivered.
    pub async fn restore_snapshot(&self, app: &AppSettings, name: &str) -> ApiResult<SnapshotDone> {
        checked(name)?;
        let started = Instant::now();
        let data = self
            .store
            .get_snapshot(app.sdkappid, name.to_owned())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?
            .ok_or_else(|| {
                ApiError::new(codes::INVALID_JSON, format!("no snapshot named {name:?}"))
            })?;
        let bytes = data.len() as u64;
        // Counts not written yet would land on top of the restored ones: written first, they
        // are replaced with the rest.
        self.ops.flush().await?;
        let reader = transfer::open(std::io::Cursor::new(data)).map_err(failed)?;
        let options = ImportOptions {
            replace: true,
            ignored_accounts: Vec::new(),
        };
        let done = reader
            .import(self.store.clone(), vec![(app.sdkappid, options)], None)
            .await
            .map_err(failed)?;
        self.groups.forget_group_kinds(app.sdkappid);
        self.webhooks.clear_log(app.sdkappid);
        self.accounts
            .ensure_admins(app.sdkappid, &app.admins)
            .await?;
        Ok(SnapshotDone {
            rows: done.iter().map(|(_, rows)| rows).sum(),
            bytes,
            millis: started.elapsed().as_millis() as u64,
        })
    }

    pub async fn list_snapshots(&self, app: &AppSettings) -> ApiResult<Vec<SnapshotInfo>> {
        self.store
            .list_snapshots(app.sdkappid)
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))
    }

    /// Deletes snapshot `name`; whether it existed.
    pub async fn delete_snapshot(&self, app: &AppSettings, name: &str) -> ApiResult<bool> {
        checked(name)?;
        self.store
            .delete_snapshot(app.sdkappid, name.to_owned())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))
    }
}
