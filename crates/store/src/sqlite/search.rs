//! Cloud search on SQLite (see `crate::search`). Lists (keywords, senders, types) are bound as
//! JSON arrays and read with `json_each`, so each statement is fixed text. Keywords are found
//! with `instr` over `lower` (ASCII only in SQLite), as the module says.

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, Connection};

use super::SqliteStore;
use crate::search::{
    finish_messages, json_list, profile_text, FoundGroup, FoundMember, FoundMessage, GroupSearch,
    Keywords, MemberSearch, MessageSearch, SearchScope, SearchStore, UserSearch, SEARCH_SCAN_LIMIT,
};
use crate::StoreResult;

/// The keyword test on the text `column` (`?k`: JSON needles, `?a`: 1 for all): every needle in
/// it, or one (or none given).
fn keyword_clause(column: &str, needles: &str, all: &str) -> String {
    format!(
        "(CASE WHEN {all} = 1
              THEN NOT EXISTS (SELECT 1 FROM json_each({needles}) k WHERE instr(lower({column}), k.value) = 0)
              ELSE json_array_length({needles}) = 0
                OR EXISTS (SELECT 1 FROM json_each({needles}) k WHERE instr(lower({column}), k.value) > 0)
         END)"
    )
}

fn c2c_messages(conn: &Connection, app: i64, q: &MessageSearch) -> StoreResult<Vec<FoundMessage>> {
    let (low, high) = match &q.scope {
        Some(SearchScope::Peer(peer)) => super::unread::pair(&q.user, peer),
        _ => (String::new(), String::new()),
    };
    let sql = format!(
        "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                in_sender_history, flag_bits, counts_unread, offline_push_info, supports_extension,
                msg_version
         FROM c2c_messages
         WHERE app_id = ?1 AND (from_account = ?2 OR to_account = ?2)
           AND (?3 = '' OR (pair_low = ?3 AND pair_high = ?4))
           AND (from_account <> ?2 OR in_sender_history = 1)
           AND (to_account <> ?2 OR in_recipient_history = 1)
           AND (flag_bits & 8) = 0
           AND id > COALESCE((SELECT cleared_id FROM c2c_cleared c WHERE c.app_id = ?1 AND c.owner = ?2
                   AND c.peer = CASE WHEN from_account = ?2 THEN to_account ELSE from_account END), 0)
           AND msg_time BETWEEN ?5 AND ?6
           AND (json_array_length(?7) = 0 OR from_account IN (SELECT value FROM json_each(?7)))
           AND {}
         ORDER BY msg_time DESC, msg_seq DESC LIMIT ?10",
        keyword_clause("body", "?8", "?9")
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                app,
                q.user,
                low,
                high,
                q.start_time,
                q.end_time,
                json_list(&q.senders),
                json_list(&q.keywords.json_needles()),
                q.keywords.all,
                SEARCH_SCAN_LIMIT as i64
            ],
            super::c2c::stored,
        )?
        .map(|r| r.map(FoundMessage::C2c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn group_messages(
    conn: &Connection,
    app: i64,
    q: &MessageSearch,
) -> StoreResult<Vec<FoundMessage>> {
    let group = match &q.scope {
        Some(SearchScope::Group(g)) => g.as_str(),
        _ => "",
    };
    let sql = format!(
        "SELECT {}, group_id FROM group_messages m
         WHERE app_id = ?1
           AND group_id IN (SELECT gm.group_id FROM group_members gm JOIN groups g
                              ON g.app_id = gm.app_id AND g.group_id = gm.group_id
                            WHERE gm.app_id = ?1 AND gm.member = ?2
                              AND g.group_type NOT IN ('AVChatRoom', 'Community')
                              AND (?3 = '' OR gm.group_id = ?3))
           AND recalled = 0
           AND msg_seq > COALESCE((SELECT cleared_up_to FROM group_history_clears c
                   WHERE c.app_id = ?1 AND c.group_id = m.group_id AND c.member = ?2), 0)
           AND NOT EXISTS (SELECT 1 FROM group_hidden_msgs h WHERE h.app_id = ?1
                   AND h.group_id = m.group_id AND h.topic_id = '' AND h.member = ?2
                   AND h.msg_seq = m.msg_seq)
           AND msg_time BETWEEN ?4 AND ?5
           AND (json_array_length(?6) = 0 OR from_account IN (SELECT value FROM json_each(?6)))
           AND {}
         ORDER BY msg_time DESC, msg_seq DESC, group_id LIMIT ?9",
        super::groups::MESSAGE_COLUMNS,
        keyword_clause("body", "?7", "?8")
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                app,
                q.user,
                group,
                q.start_time,
                q.end_time,
                json_list(&q.senders),
                json_list(&q.keywords.json_needles()),
                q.keywords.all,
                SEARCH_SCAN_LIMIT as i64
            ],
            |row| {
                Ok(FoundMessage::Group {
                    message: super::groups::message(row)?,
                    // By name: the message columns before it may grow.
                    group_id: row.get("group_id")?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// `[raw, lower, json needle]` per keyword, read as `k.value ->> 0` and so on.
fn keyword_triples(keywords: &Keywords) -> String {
    let triples: Vec<serde_json::Value> = keywords
        .plain()
        .into_iter()
        .zip(keywords.json_needles())
        .map(|((raw, lower), needle)| vec![raw, lower, needle].into())
        .collect();
    serde_json::Value::from(triples).to_string()
}

/// The test of one keyword `k` (see [`keyword_triples`]) against an ID (exact) and text columns.
fn any_keyword_test(id: &str, lower_columns: &[&str], json_columns: &[&str]) -> String {
    let mut tests = vec![format!("{id} = k.value ->> 0")];
    tests.extend(
        lower_columns
            .iter()
            .map(|c| format!("instr(lower({c}), k.value ->> 1) > 0")),
    );
    tests.extend(
        json_columns
            .iter()
            .map(|c| format!("instr(lower(COALESCE({c}, '')), k.value ->> 2) > 0")),
    );
    tests.join(" OR ")
}

/// Every keyword passes `test` (`?k` triples, `?a` all), or one does.
fn triple_clause(test: &str, triples: &str, all: &str) -> String {
    format!(
        "(CASE WHEN {all} = 1
              THEN NOT EXISTS (SELECT 1 FROM json_each({triples}) k WHERE NOT ({test}))
              ELSE EXISTS (SELECT 1 FROM json_each({triples}) k WHERE {test})
         END)"
    )
}

#[async_trait]
impl SearchStore for SqliteStore {
    async fn search_messages(
        &self,
        app: AppId,
        query: MessageSearch,
    ) -> StoreResult<Vec<FoundMessage>> {
        self.readers
            .read(move |conn| {
                let mut found = Vec::new();
                if !matches!(query.scope, Some(SearchScope::Group(_))) {
                    found.extend(c2c_messages(conn, app as i64, &query)?);
                }
                if !matches!(query.scope, Some(SearchScope::Peer(_))) {
                    found.extend(group_messages(conn, app as i64, &query)?);
                }
                Ok(finish_messages(found, &query))
            })
            .await
    }

    async fn search_users(&self, app: AppId, query: UserSearch) -> StoreResult<Vec<String>> {
        self.readers
            .read(move |conn| {
                let test = any_keyword_test("a.user_id", &[], &["n.value"]);
                let sql = format!(
                    "SELECT a.user_id FROM accounts a
                     LEFT JOIN profile_items n ON n.app_id = a.app_id AND n.user_id = a.user_id
                          AND n.tag = 'Tag_Profile_IM_Nick'
                     LEFT JOIN profile_items g ON g.app_id = a.app_id AND g.user_id = a.user_id
                          AND g.tag = 'Tag_Profile_IM_Gender'
                     LEFT JOIN profile_items b ON b.app_id = a.app_id AND b.user_id = a.user_id
                          AND b.tag = 'Tag_Profile_IM_BirthDay'
                     WHERE a.app_id = ?1 AND {}
                       AND (?4 = '' OR g.value = ?4)
                       AND (?5 = 0 OR CAST(b.value AS INTEGER) BETWEEN ?6 AND ?7)
                     ORDER BY a.user_id LIMIT ?8",
                    triple_clause(&test, "?2", "?3")
                );
                let (low, high) = query.birthday.unwrap_or((0, 0));
                let gender = query
                    .gender
                    .as_ref()
                    .map(|g| serde_json::Value::String(g.clone()).to_string())
                    .unwrap_or_default();
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map(
                        params![
                            app as i64,
                            keyword_triples(&query.keywords),
                            query.keywords.all,
                            gender,
                            query.birthday.is_some(),
                            crate::position(low),
                            crate::position(high),
                            SEARCH_SCAN_LIMIT as i64
                        ],
                        |r| r.get(0),
                    )?
                    .collect::<Result<Vec<String>, _>>()?;
                Ok(rows)
            })
            .await
    }

    async fn search_groups(&self, app: AppId, query: GroupSearch) -> StoreResult<Vec<FoundGroup>> {
        self.readers
            .read(move |conn| {
                let test = any_keyword_test("g.group_id", &["g.name"], &[]);
                let sql = format!(
                    "SELECT g.group_id, g.group_type, g.name, g.face_url, g.introduction, g.owner,
                            g.member_count, g.apply_join, g.invite_join
                     FROM groups g
                     WHERE g.app_id = ?1 AND g.group_type <> 'AVChatRoom'
                       AND (g.group_type <> 'Private' OR EXISTS (SELECT 1 FROM group_members gm
                            WHERE gm.app_id = ?1 AND gm.group_id = g.group_id AND gm.member = ?2))
                       AND (json_array_length(?5) = 0 OR g.group_type IN (SELECT value FROM json_each(?5)))
                       AND {}
                     ORDER BY g.group_id LIMIT ?6",
                    triple_clause(&test, "?3", "?4")
                );
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map(
                        params![
                            app as i64,
                            query.user,
                            keyword_triples(&query.keywords),
                            query.keywords.all,
                            json_list(&query.types),
                            SEARCH_SCAN_LIMIT as i64
                        ],
                        |r| {
                            Ok(FoundGroup {
                                group_id: r.get(0)?,
                                group_type: r.get(1)?,
                                name: r.get(2)?,
                                face_url: r.get(3)?,
                                introduction: r.get(4)?,
                                owner: r.get(5)?,
                                member_count: r.get::<_, i64>(6)? as u64,
                                apply_join: r.get(7)?,
                                invite_join: r.get(8)?,
                            })
                        },
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await
    }

    async fn search_group_members(
        &self,
        app: AppId,
        query: MemberSearch,
    ) -> StoreResult<Vec<FoundMember>> {
        self.readers
            .read(move |conn| {
                let test = any_keyword_test("m.member", &["m.name_card"], &["n.value"]);
                let sql = format!(
                    "SELECT g.group_id, g.name, g.group_type, g.face_url, m.member, n.value,
                            m.name_card, i.value
                     FROM group_members mine
                     JOIN groups g ON g.app_id = mine.app_id AND g.group_id = mine.group_id
                     JOIN group_members m ON m.app_id = mine.app_id AND m.group_id = mine.group_id
                     LEFT JOIN profile_items n ON n.app_id = m.app_id AND n.user_id = m.member
                          AND n.tag = 'Tag_Profile_IM_Nick'
                     LEFT JOIN profile_items i ON i.app_id = m.app_id AND i.user_id = m.member
                          AND i.tag = 'Tag_Profile_IM_Image'
                     WHERE mine.app_id = ?1 AND mine.member = ?2 AND g.group_type <> 'AVChatRoom'
                       AND (json_array_length(?5) = 0 OR g.group_id IN (SELECT value FROM json_each(?5)))
                       AND (json_array_length(?6) = 0 OR g.group_type IN (SELECT value FROM json_each(?6)))
                       AND {}
                     ORDER BY g.group_id, m.member LIMIT ?7",
                    triple_clause(&test, "?3", "?4")
                );
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map(
                        params![
                            app as i64,
                            query.user,
                            keyword_triples(&query.keywords),
                            query.keywords.all,
                            json_list(&query.group_ids),
                            json_list(&query.types),
                            SEARCH_SCAN_LIMIT as i64
                        ],
                        |r| {
                            Ok(FoundMember {
                                group_id: r.get(0)?,
                                group_name: r.get(1)?,
                                group_type: r.get(2)?,
                                group_face_url: r.get(3)?,
                                user_id: r.get(4)?,
                                nick: profile_text(r.get(5)?),
                                name_card: r.get(6)?,
                                avatar: profile_text(r.get(7)?),
                            })
                        },
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await
    }
}
