//! One side's own view of a one-to-one conversation on SQLite (see `crate::c2c_own`).

use natter_core::AppId;
use rusqlite::{params, OptionalExtension};

use super::unread::{pair, recount};
use super::SqliteStore;
use crate::{DoNotDisturb, StoreResult};

impl SqliteStore {
    pub(super) async fn hide_c2c_messages_impl(
        &self,
        app: AppId,
        owner: String,
        peer: String,
        positions: Vec<(i64, u32, u32)>,
    ) -> StoreResult<u64> {
        self.write(move |conn| {
            let (low, high) = pair(&owner, &peer);
            // The owner's side of each message: the sender's flag when the owner sent it, the
            // recipient's when they received it (both for a message to oneself).
            let mut hide = conn.prepare_cached(
                "UPDATE c2c_messages
                 SET in_sender_history = CASE WHEN from_account = ?4 THEN 0 ELSE in_sender_history END,
                     in_recipient_history = CASE WHEN to_account = ?4 THEN 0 ELSE in_recipient_history END
                 WHERE app_id = ?1 AND pair_low = ?2 AND pair_high = ?3
                   AND msg_time = ?5 AND msg_seq = ?6 AND msg_random = ?7
                   AND ((from_account = ?4 AND in_sender_history = 1)
                        OR (to_account = ?4 AND in_recipient_history = 1))",
            )?;
            let mut hidden = 0u64;
            for (time, seq, random) in positions {
                hidden +=
                    hide.execute(params![app as i64, low, high, owner, time, seq, random])? as u64;
            }
            if hidden > 0 && owner != peer {
                recount(conn, app, &owner, &peer)?;
            }
            Ok(hidden)
        })
        .await
    }

    pub(super) async fn set_c2c_peer_mutes_impl(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
        flag: u32,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            let mut set = conn.prepare_cached(
                "INSERT INTO c2c_peer_mutes (app_id, owner, peer, flag) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (app_id, owner, peer) DO UPDATE SET flag = excluded.flag",
            )?;
            let mut clear = conn.prepare_cached(
                "DELETE FROM c2c_peer_mutes WHERE app_id = ?1 AND owner = ?2 AND peer = ?3",
            )?;
            for peer in peers {
                if flag == 0 {
                    clear.execute(params![app as i64, owner, peer])?;
                } else {
                    set.execute(params![app as i64, owner, peer, flag])?;
                }
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn c2c_peer_mutes_impl(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>> {
        self.readers
            .read(move |conn| {
                let mut get = conn.prepare_cached(
                    "SELECT flag FROM c2c_peer_mutes WHERE app_id = ?1 AND owner = ?2 AND peer = ?3",
                )?;
                let mut flags = Vec::with_capacity(peers.len());
                for peer in &peers {
                    let flag: Option<u32> = get
                        .query_row(params![app as i64, owner, peer], |r| r.get(0))
                        .optional()?;
                    flags.push(flag.unwrap_or(0));
                }
                Ok(flags)
            })
            .await
    }

    pub(super) async fn set_do_not_disturb_impl(
        &self,
        app: AppId,
        owner: String,
        setting: DoNotDisturb,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO do_not_disturb (app_id, owner, level, start_time, end_time, repeated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (app_id, owner) DO UPDATE SET level = excluded.level,
                     start_time = excluded.start_time, end_time = excluded.end_time,
                     repeated = excluded.repeated",
            )?
            .execute(params![
                app as i64,
                owner,
                setting.level,
                setting.start_time,
                setting.end_time,
                setting.repeated
            ])?;
            Ok(())
        })
        .await
    }

    pub(super) async fn do_not_disturb_impl(
        &self,
        app: AppId,
        owner: String,
    ) -> StoreResult<DoNotDisturb> {
        self.readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT level, start_time, end_time, repeated FROM do_not_disturb
                         WHERE app_id = ?1 AND owner = ?2",
                    )?
                    .query_row(params![app as i64, owner], |r| {
                        Ok(DoNotDisturb {
                            level: r.get(0)?,
                            start_time: r.get(1)?,
                            end_time: r.get(2)?,
                            repeated: r.get(3)?,
                        })
                    })
                    .optional()?
                    .unwrap_or_default())
            })
            .await
    }
}
