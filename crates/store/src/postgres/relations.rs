//! The relationship chain on PostgreSQL (the rows are described in `crate::relations`). A snapshot
//! of many peers costs a fixed number of round trips: every per-peer part is one `= ANY($n)` query.

use std::collections::HashMap;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::relations::{bumps, decode_friend_json, encode_friend, lock_order};
use crate::{
    BlockedAccount, Friend, FriendRequest, PeerRelations, RelationChange, RelationPage,
    RelationScope, RelationSequences, Relations, StoreResult,
};
use crate::{RelationEdit, RelationOutcome};
use natter_core::AppId;

const FRIEND_COLUMNS: &str =
    "peer, remark, groups, add_source, add_wording, add_time, remark_time, custom, owner";

fn friend(row: &PgRow) -> StoreResult<Friend> {
    let (groups, custom) = decode_friend_json(row.get(2), row.get(7))?;
    Ok(Friend {
        peer: row.get(0),
        remark: row.get(1),
        groups,
        add_source: row.get(3),
        add_wording: row.get(4),
        add_time: row.get(5),
        remark_time: row.get(6),
        custom,
    })
}

const REQUEST_COLUMNS: &str =
    "requester, target, add_source, remark, group_name, add_wording, add_type, created";

fn request(row: &PgRow) -> FriendRequest {
    FriendRequest {
        requester: row.get(0),
        target: row.get(1),
        add_source: row.get(2),
        remark: row.get(3),
        group_name: row.get(4),
        add_wording: row.get(5),
        add_type: row.get(6),
        created: row.get(7),
    }
}

/// Takes the transaction locks of an edit: one per user, in a fixed order.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
    scope: &RelationScope,
) -> StoreResult<()> {
    let keys: Vec<String> = lock_order(owner, scope)
        .into_iter()
        .map(|u| format!("sns:{u}"))
        .collect();
    // One statement; unnest keeps the array's (sorted) order.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended(k, $2))
         FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n",
    )
    .bind(&keys)
    .bind(app as i64)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn sequences(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
) -> StoreResult<RelationSequences> {
    let row = sqlx::query(
        "SELECT friends_seq, custom_seq, lists_seq, blocklist_seq FROM sns_sequences
         WHERE app_id = $1 AND owner = $2",
    )
    .bind(app as i64)
    .bind(owner)
    .fetch_optional(conn)
    .await?;
    Ok(row
        .map(|r| RelationSequences {
            friends: r.get::<i64, _>(0) as u64,
            custom: r.get::<i64, _>(1) as u64,
            lists: r.get::<i64, _>(2) as u64,
            blocklist: r.get::<i64, _>(3) as u64,
        })
        .unwrap_or_default())
}

async fn counts(conn: &mut PgConnection, app: u64, owner: &str) -> StoreResult<(u64, u64, bool)> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM friends WHERE app_id = $1 AND owner = $2),
                (SELECT COUNT(*) FROM blocklist WHERE app_id = $1 AND owner = $2),
                EXISTS (SELECT 1 FROM accounts WHERE app_id = $1 AND user_id = $2)",
    )
    .bind(app as i64)
    .bind(owner)
    .fetch_one(conn)
    .await?;
    Ok((
        row.get::<i64, _>(0) as u64,
        row.get::<i64, _>(1) as u64,
        row.get(2),
    ))
}

/// The peers of a request, one row each.
const PEERS: &str = "(SELECT DISTINCT unnest($3::text[]) AS id) AS p";

/// `SELECT <columns> FROM` each peer `p` joined with at most one row of `lookup` (a query on a
/// primary key, which may use `p.id`). The `LIMIT 1` keeps the lookup a subquery, so the plan is
/// one index lookup per peer whatever the planner believes about the tables: as a plain join, a
/// generic plan built on missing statistics scanned the owner's whole friend list once per peer
/// (thousands of times slower).
fn per_peer(columns: &str, lookup: &str) -> String {
    format!("SELECT {columns} FROM {PEERS} CROSS JOIN LATERAL ({lookup} LIMIT 1) AS x")
}

/// Runs `sql` with `$1` app, `$2` owner, `$3` the peers.
async fn rows(
    conn: &mut PgConnection,
    sql: &str,
    app: u64,
    owner: &str,
    list: &[String],
) -> StoreResult<Vec<PgRow>> {
    Ok(sqlx::query(sql)
        .bind(app as i64)
        .bind(owner)
        .bind(list)
        .fetch_all(conn)
        .await?)
}

async fn peers(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
    list: &[String],
    counts: bool,
) -> StoreResult<HashMap<String, PeerRelations>> {
    let mut out: HashMap<String, PeerRelations> = list
        .iter()
        .map(|p| (p.clone(), PeerRelations::default()))
        .collect();
    let sql = per_peer(
        "p.id",
        "SELECT 1 FROM accounts a WHERE a.app_id = $1 AND a.user_id = p.id AND $2::text IS NOT NULL",
    );
    for r in rows(conn, &sql, app, owner, list).await? {
        if let Some(p) = out.get_mut(r.get::<&str, _>(0)) {
            p.exists = true;
        }
    }
    let sql = per_peer(
        "x.*",
        &format!(
            "SELECT {FRIEND_COLUMNS} FROM friends f
             WHERE f.app_id = $1 AND f.owner = $2 AND f.peer = p.id"
        ),
    );
    for r in rows(conn, &sql, app, owner, list).await? {
        let f = friend(&r)?;
        if let Some(p) = out.get_mut(&f.peer) {
            p.friend = Some(f);
        }
    }
    let sql = per_peer(
        "p.id",
        "SELECT 1 FROM friends f WHERE f.app_id = $1 AND f.owner = p.id AND f.peer = $2",
    );
    for r in rows(conn, &sql, app, owner, list).await? {
        if let Some(p) = out.get_mut(r.get::<&str, _>(0)) {
            p.reverse_friend = true;
        }
    }
    let sql = per_peer(
        "p.id, x.added",
        "SELECT b.added FROM blocklist b WHERE b.app_id = $1 AND b.owner = $2 AND b.peer = p.id",
    );
    for r in rows(conn, &sql, app, owner, list).await? {
        if let Some(p) = out.get_mut(r.get::<&str, _>(0)) {
            p.blocked_at = Some(r.get(1));
        }
    }
    let sql = per_peer(
        "p.id",
        "SELECT 1 FROM blocklist b WHERE b.app_id = $1 AND b.owner = p.id AND b.peer = $2",
    );
    for r in rows(conn, &sql, app, owner, list).await? {
        if let Some(p) = out.get_mut(r.get::<&str, _>(0)) {
            p.blocked_by_peer = true;
        }
    }
    let sql = per_peer(
        "p.id, x.value",
        "SELECT i.value FROM profile_items i WHERE i.app_id = $1 AND i.user_id = p.id
             AND i.tag = 'Tag_Profile_IM_AllowType' AND $2::text IS NOT NULL",
    );
    for r in rows(conn, &sql, app, owner, list).await? {
        if let Some(p) = out.get_mut(r.get::<&str, _>(0)) {
            p.allow_type = serde_json::from_str::<String>(r.get(1)).ok();
        }
    }
    if counts {
        let sql = per_peer(
            "p.id, x.n",
            "SELECT COUNT(*) AS n FROM friends f WHERE f.app_id = $1 AND f.owner = p.id
                 AND $2::text IS NOT NULL",
        );
        for r in rows(conn, &sql, app, owner, list).await? {
            if let Some(p) = out.get_mut(r.get::<&str, _>(0)) {
                p.friend_count = r.get::<i64, _>(1) as u64;
            }
        }
    }
    let to_peer = per_peer(
        "x.*",
        &format!(
            "SELECT {REQUEST_COLUMNS} FROM friend_requests r
             WHERE r.app_id = $1 AND r.requester = $2 AND r.target = p.id"
        ),
    );
    let from_peer = per_peer(
        "x.*",
        &format!(
            "SELECT {REQUEST_COLUMNS} FROM friend_requests r
             WHERE r.app_id = $1 AND r.requester = p.id AND r.target = $2"
        ),
    );
    let sql = format!("{to_peer} UNION ALL {from_peer}");
    for r in rows(conn, &sql, app, owner, list).await? {
        let req = request(&r);
        if req.requester == owner {
            if let Some(p) = out.get_mut(&req.target) {
                p.request_to_peer = Some(req);
            }
        } else if let Some(p) = out.get_mut(&req.requester) {
            p.request_from_peer = Some(req);
        }
    }
    Ok(out)
}

pub(crate) async fn load(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
    scope: &RelationScope,
) -> StoreResult<Relations> {
    let (friend_count, blocklist_count, owner_exists) = counts(conn, app, owner).await?;
    let mut relations = Relations {
        owner_exists,
        friend_count,
        blocklist_count,
        sequences: sequences(conn, app, owner).await?,
        ..Relations::default()
    };
    relations.lists = sqlx::query(
        "SELECT name FROM friend_lists WHERE app_id = $1 AND owner = $2 ORDER BY position",
    )
    .bind(app as i64)
    .bind(owner)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    match scope {
        RelationScope::Owner => {}
        RelationScope::Peers(list) => {
            relations.peers = peers(conn, app, owner, list, false).await?
        }
        RelationScope::PeersAndCounts(list) => {
            relations.peers = peers(conn, app, owner, list, true).await?
        }
        RelationScope::AllFriends => {
            let rows = sqlx::query(&format!(
                "SELECT {FRIEND_COLUMNS} FROM friends WHERE app_id = $1 AND owner = $2 ORDER BY peer"
            ))
            .bind(app as i64)
            .bind(owner)
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                let f = friend(&r)?;
                relations.friend_order.push(f.peer.clone());
                relations.peers.insert(
                    f.peer.clone(),
                    PeerRelations {
                        exists: true,
                        friend: Some(f),
                        ..PeerRelations::default()
                    },
                );
            }
        }
    }
    Ok(relations)
}

pub(crate) async fn write(
    conn: &mut PgConnection,
    app: u64,
    changes: &[RelationChange],
) -> StoreResult<()> {
    let app_id = app as i64;
    for change in changes {
        match change {
            RelationChange::PutFriend { owner, friend } => {
                let (groups, custom) = encode_friend(friend);
                sqlx::query(
                    "INSERT INTO friends (app_id, owner, peer, remark, groups, add_source,
                         add_wording, add_time, remark_time, custom)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (app_id, owner, peer) DO UPDATE SET remark = excluded.remark,
                         groups = excluded.groups, add_source = excluded.add_source,
                         add_wording = excluded.add_wording, add_time = excluded.add_time,
                         remark_time = excluded.remark_time, custom = excluded.custom",
                )
                .bind(app_id)
                .bind(owner)
                .bind(&friend.peer)
                .bind(&friend.remark)
                .bind(groups)
                .bind(&friend.add_source)
                .bind(&friend.add_wording)
                .bind(friend.add_time)
                .bind(friend.remark_time)
                .bind(custom)
                .execute(&mut *conn)
                .await?;
            }
            RelationChange::DeleteFriend { owner, peer } => {
                sqlx::query("DELETE FROM friends WHERE app_id = $1 AND owner = $2 AND peer = $3")
                    .bind(app_id)
                    .bind(owner)
                    .bind(peer)
                    .execute(&mut *conn)
                    .await?;
            }
            RelationChange::PutBlock { owner, peer, at } => {
                sqlx::query(
                    "INSERT INTO blocklist (app_id, owner, peer, added) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (app_id, owner, peer) DO NOTHING",
                )
                .bind(app_id)
                .bind(owner)
                .bind(peer)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            }
            RelationChange::DeleteBlock { owner, peer } => {
                sqlx::query("DELETE FROM blocklist WHERE app_id = $1 AND owner = $2 AND peer = $3")
                    .bind(app_id)
                    .bind(owner)
                    .bind(peer)
                    .execute(&mut *conn)
                    .await?;
            }
            RelationChange::PutRequest(r) => {
                sqlx::query(
                    "INSERT INTO friend_requests (app_id, requester, target, add_source, remark,
                         group_name, add_wording, add_type, created)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (app_id, requester, target) DO UPDATE SET
                         add_source = excluded.add_source, remark = excluded.remark,
                         group_name = excluded.group_name, add_wording = excluded.add_wording,
                         add_type = excluded.add_type, created = excluded.created",
                )
                .bind(app_id)
                .bind(&r.requester)
                .bind(&r.target)
                .bind(&r.add_source)
                .bind(&r.remark)
                .bind(&r.group_name)
                .bind(&r.add_wording)
                .bind(&r.add_type)
                .bind(r.created)
                .execute(&mut *conn)
                .await?;
            }
            RelationChange::DeleteRequest { requester, target } => {
                sqlx::query(
                    "DELETE FROM friend_requests WHERE app_id = $1 AND requester = $2 AND target = $3",
                )
                .bind(app_id)
                .bind(requester)
                .bind(target)
                .execute(&mut *conn)
                .await?;
            }
            RelationChange::PutList { owner, name } => {
                sqlx::query(
                    "INSERT INTO friend_lists (app_id, owner, name, position)
                     VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM friend_lists
                                          WHERE app_id = $1 AND owner = $2))
                     ON CONFLICT (app_id, owner, name) DO NOTHING",
                )
                .bind(app_id)
                .bind(owner)
                .bind(name)
                .execute(&mut *conn)
                .await?;
            }
            RelationChange::DeleteList { owner, name } => {
                sqlx::query(
                    "DELETE FROM friend_lists WHERE app_id = $1 AND owner = $2 AND name = $3",
                )
                .bind(app_id)
                .bind(owner)
                .bind(name)
                .execute(&mut *conn)
                .await?;
            }
            RelationChange::Bump { .. } => {}
        }
    }
    for ((owner, kind), n) in bumps(changes) {
        let column = kind.column();
        sqlx::query(&format!(
            "INSERT INTO sns_sequences (app_id, owner, {column}) VALUES ($1, $2, $3)
             ON CONFLICT (app_id, owner) DO UPDATE
                 SET {column} = sns_sequences.{column} + excluded.{column}"
        ))
        .bind(app_id)
        .bind(owner)
        .bind(n as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn total(conn: &mut PgConnection, sql: &str, app: u64, owner: &str) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar(sql)
        .bind(app as i64)
        .bind(owner)
        .fetch_one(conn)
        .await?;
    Ok(n as u64)
}

pub(crate) async fn friends_page(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
    start: u64,
    limit: usize,
) -> StoreResult<RelationPage<Friend>> {
    let rows = sqlx::query(&format!(
        "SELECT {FRIEND_COLUMNS} FROM friends WHERE app_id = $1 AND owner = $2
         ORDER BY peer LIMIT $3 OFFSET $4"
    ))
    .bind(app as i64)
    .bind(owner)
    .bind(limit as i64)
    .bind(crate::position(start))
    .fetch_all(&mut *conn)
    .await?;
    Ok(RelationPage {
        items: rows.iter().map(friend).collect::<StoreResult<_>>()?,
        total: total(
            conn,
            "SELECT COUNT(*) FROM friends WHERE app_id = $1 AND owner = $2",
            app,
            owner,
        )
        .await?,
        sequences: sequences(conn, app, owner).await?,
    })
}

pub(crate) async fn blocklist_page(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
    start: u64,
    limit: usize,
) -> StoreResult<RelationPage<BlockedAccount>> {
    let rows = sqlx::query(
        "SELECT peer, added FROM blocklist WHERE app_id = $1 AND owner = $2
         ORDER BY peer LIMIT $3 OFFSET $4",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(limit as i64)
    .bind(crate::position(start))
    .fetch_all(&mut *conn)
    .await?;
    Ok(RelationPage {
        items: rows
            .iter()
            .map(|r| BlockedAccount {
                peer: r.get(0),
                at: r.get(1),
            })
            .collect(),
        total: total(
            conn,
            "SELECT COUNT(*) FROM blocklist WHERE app_id = $1 AND owner = $2",
            app,
            owner,
        )
        .await?,
        sequences: sequences(conn, app, owner).await?,
    })
}

pub(crate) async fn friend_requests(
    conn: &mut PgConnection,
    app: u64,
    user: &str,
) -> StoreResult<Vec<FriendRequest>> {
    let rows = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM friend_requests
         WHERE app_id = $1 AND (requester = $2 OR target = $2)
         ORDER BY created DESC, requester, target"
    ))
    .bind(app as i64)
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(request).collect())
}

/// Removes every relation of a deleted account, in both directions; the users who had it as a
/// friend or blocklisted it see their sequences move.
pub(crate) async fn delete_account(
    conn: &mut PgConnection,
    app: u64,
    user: &str,
) -> StoreResult<()> {
    for sql in [
        "INSERT INTO sns_sequences (app_id, owner, friends_seq)
         SELECT app_id, owner, 1 FROM friends WHERE app_id = $1 AND peer = $2
         ON CONFLICT (app_id, owner) DO UPDATE SET friends_seq = sns_sequences.friends_seq + 1",
        "INSERT INTO sns_sequences (app_id, owner, blocklist_seq)
         SELECT app_id, owner, 1 FROM blocklist WHERE app_id = $1 AND peer = $2
         ON CONFLICT (app_id, owner) DO UPDATE SET blocklist_seq = sns_sequences.blocklist_seq + 1",
        "DELETE FROM friends WHERE app_id = $1 AND (owner = $2 OR peer = $2)",
        "DELETE FROM blocklist WHERE app_id = $1 AND (owner = $2 OR peer = $2)",
        "DELETE FROM friend_requests WHERE app_id = $1 AND (requester = $2 OR target = $2)",
        "DELETE FROM friend_lists WHERE app_id = $1 AND owner = $2",
        "DELETE FROM sns_sequences WHERE app_id = $1 AND owner = $2",
        "DELETE FROM friend_request_reads WHERE app_id = $1 AND owner = $2",
    ] {
        sqlx::query(sql)
            .bind(app as i64)
            .bind(user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn mark_requests_read(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
    up_to: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO friend_request_reads (app_id, owner, read_up_to) VALUES ($1, $2, $3)
         ON CONFLICT (app_id, owner)
         DO UPDATE SET read_up_to = GREATEST(friend_request_reads.read_up_to, EXCLUDED.read_up_to)",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(up_to)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn requests_read_up_to(
    conn: &mut PgConnection,
    app: u64,
    owner: &str,
) -> StoreResult<i64> {
    let row =
        sqlx::query("SELECT read_up_to FROM friend_request_reads WHERE app_id = $1 AND owner = $2")
            .bind(app as i64)
            .bind(owner)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map_or(0, |r| r.get(0)))
}

/// One `edit_relations` of the trait, in one transaction.
pub(super) async fn edit(
    db: &super::PostgresStore,
    app: AppId,
    owner: String,
    scope: RelationScope,
    now_ms: i64,
    edit: RelationEdit,
) -> StoreResult<RelationOutcome> {
    let mut tx = db.begin().await?;
    lock(&mut tx, app, &owner, &scope).await?;
    let snapshot = load(&mut tx, app, &owner, &scope).await?;
    let plan = edit(&snapshot);
    let wrote_outbox = plan.refusal.is_none() && !plan.outbox.is_empty();
    if plan.refusal.is_none() {
        write(&mut tx, app, &plan.changes).await?;
        super::outbox::insert(&mut tx, app, &plan.outbox, now_ms).await?;
    }
    let sequences = sequences(&mut tx, app, &owner).await?;
    tx.commit().await?;
    Ok(RelationOutcome {
        results: plan.results,
        refusal: plan.refusal,
        sequences,
        wrote_outbox,
    })
}
