//! Cloud search on PostgreSQL (see `crate::search`). Lists are bound as arrays; keywords are
//! found with `strpos` over `translate` of A-Z (PostgreSQL's `lower` would also fold non-ASCII
//! letters, which SQLite's does not), so both engines find the same rows.

use async_trait::async_trait;
use natter_core::AppId;
use sqlx::Row;

use super::PostgresStore;
use crate::search::{
    finish_messages, profile_text, FoundGroup, FoundMember, FoundMessage, GroupSearch, Keywords,
    MemberSearch, MessageSearch, SearchScope, SearchStore, UserSearch, SEARCH_SCAN_LIMIT,
};
use crate::StoreResult;

/// `column` with ASCII letters lowered, as SQLite's `lower` does.
fn lower(column: &str) -> String {
    format!("translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
}

/// The keyword test on the text `column` (`needles` a text[], `all` a boolean).
fn keyword_clause(column: &str, needles: &str, all: &str) -> String {
    let lowered = lower(column);
    format!(
        "(CASE WHEN {all}
              THEN NOT EXISTS (SELECT 1 FROM unnest({needles}::text[]) k(v) WHERE strpos({lowered}, k.v) = 0)
              ELSE cardinality({needles}::text[]) = 0
                OR EXISTS (SELECT 1 FROM unnest({needles}::text[]) k(v) WHERE strpos({lowered}, k.v) > 0)
         END)"
    )
}

/// The test of one keyword row `k(raw, low, needle)` against an ID (exact) and text columns.
fn any_keyword_test(id: &str, lower_columns: &[&str], json_columns: &[&str]) -> String {
    let mut tests = vec![format!("{id} = k.raw")];
    tests.extend(
        lower_columns
            .iter()
            .map(|c| format!("strpos({}, k.low) > 0", lower(c))),
    );
    tests.extend(json_columns.iter().map(|c| {
        format!(
            "strpos({}, k.needle) > 0",
            lower(&format!("COALESCE({c}, '')"))
        )
    }));
    tests.join(" OR ")
}

/// Every keyword passes `test` (keywords `$first`.. as three text[]), or one does.
fn triple_clause(test: &str, first: usize, all: &str) -> String {
    let keywords = format!(
        "unnest(${first}::text[], ${}::text[], ${}::text[]) k(raw, low, needle)",
        first + 1,
        first + 2
    );
    format!(
        "(CASE WHEN {all}
              THEN NOT EXISTS (SELECT 1 FROM {keywords} WHERE NOT ({test}))
              ELSE EXISTS (SELECT 1 FROM {keywords} WHERE {test})
         END)"
    )
}

/// The three arrays of [`triple_clause`].
fn triples(keywords: &Keywords) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (raw, low) = keywords.plain().into_iter().unzip();
    (raw, low, keywords.json_needles())
}

async fn c2c_messages(
    db: &PostgresStore,
    app: i64,
    q: &MessageSearch,
) -> StoreResult<Vec<FoundMessage>> {
    let (low, high) = match &q.scope {
        Some(SearchScope::Peer(peer)) if q.user <= *peer => (q.user.clone(), peer.clone()),
        Some(SearchScope::Peer(peer)) => (peer.clone(), q.user.clone()),
        _ => (String::new(), String::new()),
    };
    let sql = format!(
        "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                in_sender_history, flag_bits, counts_unread, offline_push_info, supports_extension,
                msg_version
         FROM c2c_messages
         WHERE app_id = $1 AND (from_account = $2 OR to_account = $2)
           AND ($3 = '' OR (pair_low = $3 AND pair_high = $4))
           AND (from_account <> $2 OR in_sender_history = 1)
           AND (to_account <> $2 OR in_recipient_history = 1)
           AND (flag_bits & 8) = 0
           AND id > COALESCE((SELECT cleared_id FROM c2c_cleared c WHERE c.app_id = $1 AND c.owner = $2
                   AND c.peer = CASE WHEN from_account = $2 THEN to_account ELSE from_account END), 0)
           AND msg_time BETWEEN $5 AND $6
           AND (cardinality($7::text[]) = 0 OR from_account = ANY($7))
           AND {}
         ORDER BY msg_time DESC, msg_seq DESC LIMIT $10",
        keyword_clause("body", "$8", "$9")
    );
    let rows = sqlx::query(&sql)
        .bind(app)
        .bind(&q.user)
        .bind(low)
        .bind(high)
        .bind(q.start_time)
        .bind(q.end_time)
        .bind(&q.senders)
        .bind(q.keywords.json_needles())
        .bind(q.keywords.all)
        .bind(SEARCH_SCAN_LIMIT as i64)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| FoundMessage::C2c(super::c2c::stored(r)))
        .collect())
}

async fn group_messages(
    db: &PostgresStore,
    app: i64,
    q: &MessageSearch,
) -> StoreResult<Vec<FoundMessage>> {
    let group = match &q.scope {
        Some(SearchScope::Group(g)) => g.as_str(),
        _ => "",
    };
    let sql = format!(
        "SELECT {}, group_id FROM group_messages m
         WHERE app_id = $1
           AND group_id IN (SELECT gm.group_id FROM group_members gm JOIN groups g
                              ON g.app_id = gm.app_id AND g.group_id = gm.group_id
                            WHERE gm.app_id = $1 AND gm.member = $2
                              AND g.group_type NOT IN ('AVChatRoom', 'Community')
                              AND ($3 = '' OR gm.group_id = $3))
           AND recalled = 0
           AND msg_seq > COALESCE((SELECT cleared_up_to FROM group_history_clears c
                   WHERE c.app_id = $1 AND c.group_id = m.group_id AND c.member = $2), 0)
           AND NOT EXISTS (SELECT 1 FROM group_hidden_msgs h WHERE h.app_id = $1
                   AND h.group_id = m.group_id AND h.topic_id = '' AND h.member = $2
                   AND h.msg_seq = m.msg_seq)
           AND msg_time BETWEEN $4 AND $5
           AND (cardinality($6::text[]) = 0 OR from_account = ANY($6))
           AND {}
         ORDER BY msg_time DESC, msg_seq DESC, group_id COLLATE \"C\" LIMIT $9",
        super::groups::MESSAGE_COLUMNS,
        keyword_clause("body", "$7", "$8")
    );
    let rows = sqlx::query(&sql)
        .bind(app)
        .bind(&q.user)
        .bind(group)
        .bind(q.start_time)
        .bind(q.end_time)
        .bind(&q.senders)
        .bind(q.keywords.json_needles())
        .bind(q.keywords.all)
        .bind(SEARCH_SCAN_LIMIT as i64)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(FoundMessage::Group {
                message: super::groups::message(r)?,
                // By name: the message columns before it may grow.
                group_id: r.get("group_id"),
            })
        })
        .collect()
}

#[async_trait]
impl SearchStore for PostgresStore {
    async fn search_messages(
        &self,
        app: AppId,
        query: MessageSearch,
    ) -> StoreResult<Vec<FoundMessage>> {
        let mut found = Vec::new();
        if !matches!(query.scope, Some(SearchScope::Group(_))) {
            found.extend(c2c_messages(self, app as i64, &query).await?);
        }
        if !matches!(query.scope, Some(SearchScope::Peer(_))) {
            found.extend(group_messages(self, app as i64, &query).await?);
        }
        Ok(finish_messages(found, &query))
    }

    async fn search_users(&self, app: AppId, query: UserSearch) -> StoreResult<Vec<String>> {
        let test = any_keyword_test("a.user_id", &[], &["n.value"]);
        let sql = format!(
            "SELECT a.user_id FROM accounts a
             LEFT JOIN profile_items n ON n.app_id = a.app_id AND n.user_id = a.user_id
                  AND n.tag = 'Tag_Profile_IM_Nick'
             LEFT JOIN profile_items g ON g.app_id = a.app_id AND g.user_id = a.user_id
                  AND g.tag = 'Tag_Profile_IM_Gender'
             LEFT JOIN profile_items b ON b.app_id = a.app_id AND b.user_id = a.user_id
                  AND b.tag = 'Tag_Profile_IM_BirthDay'
             WHERE a.app_id = $1 AND {}
               AND ($6 = '' OR g.value = $6)
               AND (NOT $7 OR (b.value ~ '^[0-9]{{1,18}}$' AND b.value::bigint BETWEEN $8 AND $9))
             ORDER BY a.user_id COLLATE \"C\" LIMIT $10",
            triple_clause(&test, 2, "$5")
        );
        let (raw, low, needles) = triples(&query.keywords);
        let (from, to) = query.birthday.unwrap_or((0, 0));
        let gender = query
            .gender
            .as_ref()
            .map(|g| serde_json::Value::String(g.clone()).to_string())
            .unwrap_or_default();
        let rows = sqlx::query(&sql)
            .bind(app as i64)
            .bind(raw)
            .bind(low)
            .bind(needles)
            .bind(query.keywords.all)
            .bind(gender)
            .bind(query.birthday.is_some())
            .bind(crate::position(from))
            .bind(crate::position(to))
            .bind(SEARCH_SCAN_LIMIT as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn search_groups(&self, app: AppId, query: GroupSearch) -> StoreResult<Vec<FoundGroup>> {
        let test = any_keyword_test("g.group_id", &["g.name"], &[]);
        let sql = format!(
            "SELECT g.group_id, g.group_type, g.name, g.face_url, g.introduction, g.owner,
                    g.member_count, g.apply_join, g.invite_join
             FROM groups g
             WHERE g.app_id = $1 AND g.group_type <> 'AVChatRoom'
               AND (g.group_type <> 'Private' OR EXISTS (SELECT 1 FROM group_members gm
                    WHERE gm.app_id = $1 AND gm.group_id = g.group_id AND gm.member = $2))
               AND (cardinality($7::text[]) = 0 OR g.group_type = ANY($7))
               AND {}
             ORDER BY g.group_id COLLATE \"C\" LIMIT $8",
            triple_clause(&test, 3, "$6")
        );
        let (raw, low, needles) = triples(&query.keywords);
        let rows = sqlx::query(&sql)
            .bind(app as i64)
            .bind(&query.user)
            .bind(raw)
            .bind(low)
            .bind(needles)
            .bind(query.keywords.all)
            .bind(&query.types)
            .bind(SEARCH_SCAN_LIMIT as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| FoundGroup {
                group_id: r.get(0),
                group_type: r.get(1),
                name: r.get(2),
                face_url: r.get(3),
                introduction: r.get(4),
                owner: r.get(5),
                member_count: r.get::<i64, _>(6) as u64,
                apply_join: r.get(7),
                invite_join: r.get(8),
            })
            .collect())
    }

    async fn search_group_members(
        &self,
        app: AppId,
        query: MemberSearch,
    ) -> StoreResult<Vec<FoundMember>> {
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
             WHERE mine.app_id = $1 AND mine.member = $2 AND g.group_type <> 'AVChatRoom'
               AND (cardinality($7::text[]) = 0 OR g.group_id = ANY($7))
               AND (cardinality($8::text[]) = 0 OR g.group_type = ANY($8))
               AND {}
             ORDER BY g.group_id COLLATE \"C\", m.member COLLATE \"C\" LIMIT $9",
            triple_clause(&test, 3, "$6")
        );
        let (raw, low, needles) = triples(&query.keywords);
        let rows = sqlx::query(&sql)
            .bind(app as i64)
            .bind(&query.user)
            .bind(raw)
            .bind(low)
            .bind(needles)
            .bind(query.keywords.all)
            .bind(&query.group_ids)
            .bind(&query.types)
            .bind(SEARCH_SCAN_LIMIT as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| FoundMember {
                group_id: r.get(0),
                group_name: r.get(1),
                group_type: r.get(2),
                group_face_url: r.get(3),
                user_id: r.get(4),
                nick: profile_text(r.get(5)),
                name_card: r.get(6),
                avatar: profile_text(r.get(7)),
            })
            .collect())
    }
}
