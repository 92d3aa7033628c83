//! A member's own view of a group's messages on SQLite (see `crate::group_own`).

use natter_core::AppId;
use rusqlite::params;

use super::SqliteStore;
use crate::{MemberStream, StoreResult};

impl SqliteStore {
    pub(super) async fn hide_group_messages_impl(
        &self,
        app: AppId,
        stream: MemberStream,
        seqs: Vec<u64>,
    ) -> StoreResult<u64> {
        self.write(move |conn| {
            let (group_id, topic_id, member) = &stream;
            let mut insert = conn.prepare_cached(
                "INSERT INTO group_hidden_msgs (app_id, group_id, topic_id, member, msg_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?;
            let mut hidden = 0u64;
            for seq in &seqs {
                hidden +=
                    insert.execute(params![app as i64, group_id, topic_id, member, *seq as i64])?
                        as u64;
            }
            Ok(hidden)
        })
        .await
    }

    pub(super) async fn hidden_group_messages_impl(
        &self,
        app: AppId,
        stream: MemberStream,
        low: u64,
        high: u64,
    ) -> StoreResult<Vec<u64>> {
        self.readers
            .read(move |conn| {
                let (group_id, topic_id, member) = &stream;
                let mut statement = conn.prepare_cached(
                    "SELECT msg_seq FROM group_hidden_msgs
                     WHERE app_id = ?1 AND group_id = ?2 AND topic_id = ?3 AND member = ?4
                       AND msg_seq >= ?5 AND msg_seq <= ?6
                     ORDER BY msg_seq",
                )?;
                let rows = statement.query_map(
                    params![
                        app as i64,
                        group_id,
                        topic_id,
                        member,
                        clamp(low),
                        clamp(high)
                    ],
                    |r| Ok(r.get::<_, i64>(0)? as u64),
                )?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }
}

/// A `MsgSeq` bound as the column's signed integer (`u64::MAX` is "no bound").
fn clamp(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
