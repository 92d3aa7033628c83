//! One side's own view of a one-to-one conversation on PostgreSQL (see `crate::c2c_own`).

use natter_core::AppId;

use super::unread::{pair, recount};
use super::PostgresStore;
use crate::{DoNotDisturb, StoreResult};

pub(super) async fn hide_c2c_messages(
    db: &PostgresStore,
    app: AppId,
    owner: &str,
    peer: &str,
    positions: &[(i64, u32, u32)],
) -> StoreResult<u64> {
    let (low, high) = pair(owner, peer);
    let mut tx = db.pool.begin().await?;
    let mut hidden = 0u64;
    for &(time, seq, random) in positions {
        // The owner's side of each message: the sender's flag when the owner sent it, the
        // recipient's when they received it (both for a message to oneself).
        hidden += sqlx::query(
            "UPDATE c2c_messages
             SET in_sender_history = CASE WHEN from_account = $4 THEN 0 ELSE in_sender_history END,
                 in_recipient_history = CASE WHEN to_account = $4 THEN 0 ELSE in_recipient_history END
             WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3
               AND msg_time = $5 AND msg_seq = $6 AND msg_random = $7
               AND ((from_account = $4 AND in_sender_history = 1)
                    OR (to_account = $4 AND in_recipient_history = 1))",
        )
        .bind(app as i64)
        .bind(low)
        .bind(high)
        .bind(owner)
        .bind(time)
        .bind(i64::from(seq))
        .bind(i64::from(random))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    if hidden > 0 && owner != peer {
        recount(&mut tx, app, owner, peer).await?;
    }
    tx.commit().await?;
    Ok(hidden)
}

pub(super) async fn set_c2c_peer_mutes(
    db: &PostgresStore,
    app: AppId,
    owner: &str,
    peers: &[String],
    flag: u32,
) -> StoreResult<()> {
    let mut tx = db.pool.begin().await?;
    for peer in peers {
        if flag == 0 {
            sqlx::query(
                "DELETE FROM c2c_peer_mutes WHERE app_id = $1 AND owner = $2 AND peer = $3",
            )
            .bind(app as i64)
            .bind(owner)
            .bind(peer)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO c2c_peer_mutes (app_id, owner, peer, flag) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (app_id, owner, peer) DO UPDATE SET flag = EXCLUDED.flag",
            )
            .bind(app as i64)
            .bind(owner)
            .bind(peer)
            .bind(flag as i32)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn c2c_peer_mutes(
    db: &PostgresStore,
    app: AppId,
    owner: &str,
    peers: &[String],
) -> StoreResult<Vec<u32>> {
    let rows: Vec<(String, i32)> = sqlx::query_as(
        "SELECT peer, flag FROM c2c_peer_mutes WHERE app_id = $1 AND owner = $2 AND peer = ANY($3)",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(peers)
    .fetch_all(&db.pool)
    .await?;
    Ok(peers
        .iter()
        .map(|peer| {
            rows.iter()
                .find(|(p, _)| p == peer)
                .map_or(0, |(_, flag)| *flag as u32)
        })
        .collect())
}

pub(super) async fn set_do_not_disturb(
    db: &PostgresStore,
    app: AppId,
    owner: &str,
    setting: DoNotDisturb,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO do_not_disturb (app_id, owner, level, start_time, end_time, repeated)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (app_id, owner) DO UPDATE SET level = EXCLUDED.level,
             start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
             repeated = EXCLUDED.repeated",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(setting.level as i32)
    .bind(setting.start_time)
    .bind(setting.end_time)
    .bind(i32::from(setting.repeated))
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn do_not_disturb(
    db: &PostgresStore,
    app: AppId,
    owner: &str,
) -> StoreResult<DoNotDisturb> {
    let row: Option<(i32, i64, i64, i32)> = sqlx::query_as(
        "SELECT level, start_time, end_time, repeated FROM do_not_disturb
         WHERE app_id = $1 AND owner = $2",
    )
    .bind(app as i64)
    .bind(owner)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row
        .map(|(level, start_time, end_time, repeated)| DoNotDisturb {
            level: level as u32,
            start_time,
            end_time,
            repeated: repeated != 0,
        })
        .unwrap_or_default())
}
