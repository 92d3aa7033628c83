//! The relationship chain on SQLite (the rows are described in `crate::relations`).

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::relations::{bumps, decode_friend_json, encode_friend};
use crate::{
    BlockedAccount, Friend, FriendRequest, PeerRelations, RelationChange, RelationPage,
    RelationScope, RelationSequences, Relations, StoreResult,
};

const FRIEND_COLUMNS: &str =
    "peer, remark, groups, add_source, add_wording, add_time, remark_time, custom";

fn friend(row: &Row) -> rusqlite::Result<(Friend, String, String)> {
    Ok((
        Friend {
            peer: row.get(0)?,
            remark: row.get(1)?,
            add_source: row.get(3)?,
            add_wording: row.get(4)?,
            add_time: row.get(5)?,
            remark_time: row.get(6)?,
            ..Friend::default()
        },
        row.get(2)?,
        row.get(7)?,
    ))
}

fn decode((mut friend, groups, custom): (Friend, String, String)) -> StoreResult<Friend> {
    (friend.groups, friend.custom) = decode_friend_json(&groups, &custom)?;
    Ok(friend)
}

const REQUEST_COLUMNS: &str =
    "requester, target, add_source, remark, group_name, add_wording, add_type, created";

fn request(row: &Row) -> rusqlite::Result<FriendRequest> {
    Ok(FriendRequest {
        requester: row.get(0)?,
        target: row.get(1)?,
        add_source: row.get(2)?,
        remark: row.get(3)?,
        group_name: row.get(4)?,
        add_wording: row.get(5)?,
        add_type: row.get(6)?,
        created: row.get(7)?,
    })
}

fn exists(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(p, |_| Ok(()))
        .optional()?
        .is_some())
}

fn count(conn: &Connection, sql: &str, app: i64, owner: &str) -> StoreResult<u64> {
    let n: i64 = conn
        .prepare_cached(sql)?
        .query_row(params![app, owner], |r| r.get(0))?;
    Ok(n as u64)
}

pub(crate) fn sequences(
    conn: &Connection,
    app: i64,
    owner: &str,
) -> StoreResult<RelationSequences> {
    Ok(conn
        .prepare_cached(
            "SELECT friends_seq, custom_seq, lists_seq, blocklist_seq FROM sns_sequences
             WHERE app_id = ?1 AND owner = ?2",
        )?
        .query_row(params![app, owner], |r| {
            Ok(RelationSequences {
                friends: r.get::<_, i64>(0)? as u64,
                custom: r.get::<_, i64>(1)? as u64,
                lists: r.get::<_, i64>(2)? as u64,
                blocklist: r.get::<_, i64>(3)? as u64,
            })
        })
        .optional()?
        .unwrap_or_default())
}

fn friend_count(conn: &Connection, app: i64, owner: &str) -> StoreResult<u64> {
    count(
        conn,
        "SELECT COUNT(*) FROM friends WHERE app_id = ?1 AND owner = ?2",
        app,
        owner,
    )
}

/// Runs `sql` (with `?1` app, `?2` owner, `?3` a JSON array of peers) and hands each row to `f`.
fn each_row(
    conn: &Connection,
    sql: &str,
    app: i64,
    owner: &str,
    peers: &str,
    mut f: impl FnMut(&Row) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params![app, owner, peers])?;
    while let Some(row) = rows.next()? {
        f(row)?;
    }
    Ok(())
}

/// The peers' parts of a snapshot: one query per part, each over all peers at once (the peer
/// list goes in as a JSON array), as the PostgreSQL backend does with `= ANY`.
fn peers(
    conn: &Connection,
    app: i64,
    owner: &str,
    list: &[String],
    counts: bool,
) -> StoreResult<HashMap<String, PeerRelations>> {
    let mut out: HashMap<String, PeerRelations> = list
        .iter()
        .map(|p| (p.clone(), PeerRelations::default()))
        .collect();
    let json = serde_json::Value::from(list.to_vec()).to_string();
    const PEERS: &str = "(SELECT value FROM json_each(?3))";
    each_row(
        conn,
        &format!(
            "SELECT user_id FROM accounts WHERE app_id = ?1 AND ?2 = ?2 AND user_id IN {PEERS}"
        ),
        app,
        owner,
        &json,
        |r| {
            if let Some(p) = out.get_mut(&r.get::<_, String>(0)?) {
                p.exists = true;
            }
            Ok(())
        },
    )?;
    each_row(
        conn,
        &format!("SELECT {FRIEND_COLUMNS} FROM friends WHERE app_id = ?1 AND owner = ?2 AND peer IN {PEERS}"),
        app,
        owner,
        &json,
        |r| {
            let f = decode(friend(r)?)?;
            if let Some(p) = out.get_mut(&f.peer) {
                p.friend = Some(f);
            }
            Ok(())
        },
    )?;
    each_row(
        conn,
        &format!("SELECT owner FROM friends WHERE app_id = ?1 AND peer = ?2 AND owner IN {PEERS}"),
        app,
        owner,
        &json,
        |r| {
            if let Some(p) = out.get_mut(&r.get::<_, String>(0)?) {
                p.reverse_friend = true;
            }
            Ok(())
        },
    )?;
    each_row(
        conn,
        &format!("SELECT peer, added FROM blocklist WHERE app_id = ?1 AND owner = ?2 AND peer IN {PEERS}"),
        app,
        owner,
        &json,
        |r| {
            if let Some(p) = out.get_mut(&r.get::<_, String>(0)?) {
                p.blocked_at = Some(r.get(1)?);
            }
            Ok(())
        },
    )?;
    each_row(
        conn,
        &format!(
            "SELECT owner FROM blocklist WHERE app_id = ?1 AND peer = ?2 AND owner IN {PEERS}"
        ),
        app,
        owner,
        &json,
        |r| {
            if let Some(p) = out.get_mut(&r.get::<_, String>(0)?) {
                p.blocked_by_peer = true;
            }
            Ok(())
        },
    )?;
    each_row(
        conn,
        &format!(
            "SELECT user_id, value FROM profile_items WHERE app_id = ?1 AND ?2 = ?2
             AND tag = 'Tag_Profile_IM_AllowType' AND user_id IN {PEERS}"
        ),
        app,
        owner,
        &json,
        |r| {
            if let Some(p) = out.get_mut(&r.get::<_, String>(0)?) {
                p.allow_type = serde_json::from_str::<String>(&r.get::<_, String>(1)?).ok();
            }
            Ok(())
        },
    )?;
    if counts {
        each_row(
            conn,
            &format!(
                "SELECT owner, COUNT(*) FROM friends WHERE app_id = ?1 AND ?2 = ?2 AND owner IN {PEERS}
                 GROUP BY owner"
            ),
            app,
            owner,
            &json,
            |r| {
                if let Some(p) = out.get_mut(&r.get::<_, String>(0)?) {
                    p.friend_count = r.get::<_, i64>(1)? as u64;
                }
                Ok(())
            },
        )?;
    }
    each_row(
        conn,
        &format!(
            "SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE app_id = ?1 AND requester = ?2 AND target IN {PEERS}
             UNION ALL
             SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE app_id = ?1 AND target = ?2 AND requester IN {PEERS}"
        ),
        app,
        owner,
        &json,
        |r| {
            let req = request(r)?;
            if req.requester == owner {
                if let Some(p) = out.get_mut(&req.target) {
                    p.request_to_peer = Some(req);
                }
            } else if let Some(p) = out.get_mut(&req.requester) {
                p.request_from_peer = Some(req);
            }
            Ok(())
        },
    )?;
    Ok(out)
}

fn all_friends(conn: &Connection, app: i64, owner: &str) -> StoreResult<Vec<Friend>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FRIEND_COLUMNS} FROM friends WHERE app_id = ?1 AND owner = ?2 ORDER BY peer"
    ))?;
    let rows = stmt.query_map(params![app, owner], friend)?;
    rows.map(|r| decode(r?)).collect()
}

pub(crate) fn load(
    conn: &Connection,
    app: u64,
    owner: &str,
    scope: &RelationScope,
) -> StoreResult<Relations> {
    let app = app as i64;
    let mut relations = Relations {
        owner_exists: exists(
            conn,
            "SELECT 1 FROM accounts WHERE app_id = ?1 AND user_id = ?2",
            params![app, owner],
        )?,
        friend_count: friend_count(conn, app, owner)?,
        blocklist_count: count(
            conn,
            "SELECT COUNT(*) FROM blocklist WHERE app_id = ?1 AND owner = ?2",
            app,
            owner,
        )?,
        sequences: sequences(conn, app, owner)?,
        ..Relations::default()
    };
    let mut lists = conn.prepare_cached(
        "SELECT name FROM friend_lists WHERE app_id = ?1 AND owner = ?2 ORDER BY position",
    )?;
    for name in lists.query_map(params![app, owner], |r| r.get(0))? {
        relations.lists.push(name?);
    }
    match scope {
        RelationScope::Owner => {}
        RelationScope::Peers(list) => relations.peers = peers(conn, app, owner, list, false)?,
        RelationScope::PeersAndCounts(list) => {
            relations.peers = peers(conn, app, owner, list, true)?
        }
        RelationScope::AllFriends => {
            for f in all_friends(conn, app, owner)? {
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

pub(crate) fn write(conn: &Connection, app: u64, changes: &[RelationChange]) -> StoreResult<()> {
    let app = app as i64;
    for change in changes {
        match change {
            RelationChange::PutFriend { owner, friend } => {
                let (groups, custom) = encode_friend(friend);
                conn.prepare_cached(
                    "INSERT INTO friends (app_id, owner, peer, remark, groups, add_source,
                         add_wording, add_time, remark_time, custom)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (app_id, owner, peer) DO UPDATE SET remark = excluded.remark,
                         groups = excluded.groups, add_source = excluded.add_source,
                         add_wording = excluded.add_wording, add_time = excluded.add_time,
                         remark_time = excluded.remark_time, custom = excluded.custom",
                )?
                .execute(params![
                    app,
                    owner,
                    friend.peer,
                    friend.remark,
                    groups,
                    friend.add_source,
                    friend.add_wording,
                    friend.add_time,
                    friend.remark_time,
                    custom
                ])?;
            }
            RelationChange::DeleteFriend { owner, peer } => {
                conn.prepare_cached(
                    "DELETE FROM friends WHERE app_id = ?1 AND owner = ?2 AND peer = ?3",
                )?
                .execute(params![app, owner, peer])?;
            }
            RelationChange::PutBlock { owner, peer, at } => {
                conn.prepare_cached(
                    "INSERT INTO blocklist (app_id, owner, peer, added) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (app_id, owner, peer) DO NOTHING",
                )?
                .execute(params![app, owner, peer, at])?;
            }
            RelationChange::DeleteBlock { owner, peer } => {
                conn.prepare_cached(
                    "DELETE FROM blocklist WHERE app_id = ?1 AND owner = ?2 AND peer = ?3",
                )?
                .execute(params![app, owner, peer])?;
            }
            RelationChange::PutRequest(r) => {
                conn.prepare_cached(
                    "INSERT INTO friend_requests (app_id, requester, target, add_source, remark,
                         group_name, add_wording, add_type, created)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (app_id, requester, target) DO UPDATE SET
                         add_source = excluded.add_source, remark = excluded.remark,
                         group_name = excluded.group_name, add_wording = excluded.add_wording,
                         add_type = excluded.add_type, created = excluded.created",
                )?
                .execute(params![
                    app,
                    r.requester,
                    r.target,
                    r.add_source,
                    r.remark,
                    r.group_name,
                    r.add_wording,
                    r.add_type,
                    r.created
                ])?;
            }
            RelationChange::DeleteRequest { requester, target } => {
                conn.prepare_cached(
                    "DELETE FROM friend_requests WHERE app_id = ?1 AND requester = ?2 AND target = ?3",
                )?
                .execute(params![app, requester, target])?;
            }
            RelationChange::PutList { owner, name } => {
                conn.prepare_cached(
                    "INSERT INTO friend_lists (app_id, owner, name, position)
                     VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(position), 0) + 1 FROM friend_lists
                                          WHERE app_id = ?1 AND owner = ?2))
                     ON CONFLICT (app_id, owner, name) DO NOTHING",
                )?
                .execute(params![app, owner, name])?;
            }
            RelationChange::DeleteList { owner, name } => {
                conn.prepare_cached(
                    "DELETE FROM friend_lists WHERE app_id = ?1 AND owner = ?2 AND name = ?3",
                )?
                .execute(params![app, owner, name])?;
            }
            RelationChange::Bump { .. } => {}
        }
    }
    for ((owner, kind), n) in bumps(changes) {
        let column = kind.column();
        conn.prepare_cached(&format!(
            "INSERT INTO sns_sequences (app_id, owner, {column}) VALUES (?1, ?2, ?3)
             ON CONFLICT (app_id, owner) DO UPDATE SET {column} = {column} + excluded.{column}"
        ))?
        .execute(params![app, owner, n as i64])?;
    }
    Ok(())
}

pub(crate) fn friends_page(
    conn: &Connection,
    app: u64,
    owner: &str,
    start: u64,
    limit: usize,
) -> StoreResult<RelationPage<Friend>> {
    let app = app as i64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FRIEND_COLUMNS} FROM friends WHERE app_id = ?1 AND owner = ?2
         ORDER BY peer LIMIT ?3 OFFSET ?4"
    ))?;
    let items = stmt
        .query_map(
            params![app, owner, limit as i64, crate::position(start)],
            friend,
        )?
        .map(|r| decode(r?))
        .collect::<StoreResult<_>>()?;
    Ok(RelationPage {
        items,
        total: friend_count(conn, app, owner)?,
        sequences: sequences(conn, app, owner)?,
    })
}

pub(crate) fn blocklist_page(
    conn: &Connection,
    app: u64,
    owner: &str,
    start: u64,
    limit: usize,
) -> StoreResult<RelationPage<BlockedAccount>> {
    let app = app as i64;
    let mut stmt = conn.prepare_cached(
        "SELECT peer, added FROM blocklist WHERE app_id = ?1 AND owner = ?2
         ORDER BY peer LIMIT ?3 OFFSET ?4",
    )?;
    let items = stmt
        .query_map(
            params![app, owner, limit as i64, crate::position(start)],
            |r| {
                Ok(BlockedAccount {
                    peer: r.get(0)?,
                    at: r.get(1)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    Ok(RelationPage {
        items,
        total: count(
            conn,
            "SELECT COUNT(*) FROM blocklist WHERE app_id = ?1 AND owner = ?2",
            app,
            owner,
        )?,
        sequences: sequences(conn, app, owner)?,
    })
}

pub(crate) fn friend_requests(
    conn: &Connection,
    app: u64,
    user: &str,
) -> StoreResult<Vec<FriendRequest>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REQUEST_COLUMNS} FROM friend_requests
         WHERE app_id = ?1 AND (requester = ?2 OR target = ?2)
         ORDER BY created DESC, requester, target"
    ))?;
    let items = stmt
        .query_map(params![app as i64, user], request)?
        .collect::<Result<_, _>>()?;
    Ok(items)
}

/// Removes every relation of a deleted account, in both directions; the users who had it as a
/// friend or blocklisted it see their sequences move.
pub(crate) fn delete_account(conn: &Connection, app: u64, user: &str) -> StoreResult<()> {
    let app = app as i64;
    conn.prepare_cached(
        "INSERT INTO sns_sequences (app_id, owner, friends_seq)
         SELECT app_id, owner, 1 FROM friends WHERE app_id = ?1 AND peer = ?2
         ON CONFLICT (app_id, owner) DO UPDATE SET friends_seq = friends_seq + 1",
    )?
    .execute(params![app, user])?;
    conn.prepare_cached(
        "INSERT INTO sns_sequences (app_id, owner, blocklist_seq)
         SELECT app_id, owner, 1 FROM blocklist WHERE app_id = ?1 AND peer = ?2
         ON CONFLICT (app_id, owner) DO UPDATE SET blocklist_seq = blocklist_seq + 1",
    )?
    .execute(params![app, user])?;
    for sql in [
        "DELETE FROM friends WHERE app_id = ?1 AND (owner = ?2 OR peer = ?2)",
        "DELETE FROM blocklist WHERE app_id = ?1 AND (owner = ?2 OR peer = ?2)",
        "DELETE FROM friend_requests WHERE app_id = ?1 AND (requester = ?2 OR target = ?2)",
        "DELETE FROM friend_lists WHERE app_id = ?1 AND owner = ?2",
        "DELETE FROM sns_sequences WHERE app_id = ?1 AND owner = ?2",
        "DELETE FROM friend_request_reads WHERE app_id = ?1 AND owner = ?2",
    ] {
        conn.prepare_cached(sql)?.execute(params![app, user])?;
    }
    Ok(())
}

pub(crate) fn mark_requests_read(
    conn: &Connection,
    app: u64,
    owner: &str,
    up_to: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO friend_request_reads (app_id, owner, read_up_to) VALUES (?1, ?2, ?3)
         ON CONFLICT (app_id, owner) DO UPDATE SET read_up_to = MAX(read_up_to, excluded.read_up_to)",
    )?
    .execute(params![app as i64, owner, up_to])?;
    Ok(())
}

pub(crate) fn requests_read_up_to(conn: &Connection, app: u64, owner: &str) -> StoreResult<i64> {
    let up_to = conn
        .prepare_cached(
            "SELECT read_up_to FROM friend_request_reads WHERE app_id = ?1 AND owner = ?2",
        )?
        .query_row(params![app as i64, owner], |r| r.get(0))
        .optional()?;
    Ok(up_to.unwrap_or(0))
}
