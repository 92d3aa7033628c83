//! A member's own view of a group's messages on PostgreSQL (see `crate::group_own`).

use natter_core::AppId;

use super::PostgresStore;
use crate::{MemberStream, StoreResult};

pub(super) async fn hide_group_messages(
    db: &PostgresStore,
    app: AppId,
    (group_id, topic_id, member): &MemberStream,
    seqs: &[u64],
) -> StoreResult<u64> {
    let seqs: Vec<i64> = seqs.iter().map(|&s| clamp(s)).collect();
    let hidden = sqlx::query(
        "INSERT INTO group_hidden_msgs (app_id, group_id, topic_id, member, msg_seq)
         SELECT $1, $2, $3, $4, s FROM UNNEST($5::BIGINT[]) AS s
         ON CONFLICT DO NOTHING",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(topic_id)
    .bind(member)
    .bind(&seqs)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(hidden)
}

pub(super) async fn hidden_group_messages(
    db: &PostgresStore,
    app: AppId,
    (group_id, topic_id, member): &MemberStream,
    low: u64,
    high: u64,
) -> StoreResult<Vec<u64>> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT msg_seq FROM group_hidden_msgs
         WHERE app_id = $1 AND group_id = $2 AND topic_id = $3 AND member = $4
           AND msg_seq >= $5 AND msg_seq <= $6
         ORDER BY msg_seq",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(topic_id)
    .bind(member)
    .bind(clamp(low))
    .bind(clamp(high))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|s| s as u64).collect())
}

/// A `MsgSeq` bound as the column's signed integer (`u64::MAX` is "no bound").
fn clamp(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
