//! Message reactions on SQLite (see `crate::reactions`).

use natter_core::AppId;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::c2c::find;
use super::SqliteStore;
use crate::reactions::{
    page_of, refusal, summarize, summary_of, ReactOutcome, ReactState, ReactionLimits,
    ReactionMessage, ReactionSummary, ReactionUsers,
};
use crate::StoreResult;

/// A message's reaction rows: the table and the key columns with their values.
struct Place {
    table: &'static str,
    columns: &'static [&'static str],
    key: Vec<Value>,
}

impl Place {
    /// `col1 = ?1 AND col2 = ?2 …`.
    fn filter(&self) -> String {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The number of the first parameter after the key.
    fn next(&self) -> usize {
        self.key.len() + 1
    }

    /// The key's values followed by `more`.
    fn args(&self, more: Vec<Value>) -> Vec<Value> {
        self.key.iter().cloned().chain(more).collect()
    }
}

/// Finds the message: its place and whether it may take a change (not recalled or deleted);
/// `None` when there is no such message.
fn locate(
    conn: &Connection,
    app: AppId,
    message: &ReactionMessage,
) -> StoreResult<Option<(Place, bool)>> {
    match message {
        ReactionMessage::C2c(target) => Ok(find(conn, app, target)?.map(|row| {
            let place = Place {
                table: "c2c_reactions",
                columns: &["app_id", "message_id"],
                key: vec![Value::Integer(app as i64), Value::Integer(row.id)],
            };
            (place, row.flag_bits & 8 == 0)
        })),
        ReactionMessage::Group { group_id, seq } => {
            let app = Value::Integer(app as i64);
            let recalled: Option<i64> = conn
                .prepare_cached(
                    "SELECT recalled FROM group_messages
                     WHERE app_id = ?1 AND group_id = ?2 AND msg_seq = ?3",
                )?
                .query_row(
                    params_from_iter([
                        app.clone(),
                        Value::Text(group_id.clone()),
                        Value::Integer(crate::position(*seq)),
                    ]),
                    |r| r.get(0),
                )
                .optional()?;
            Ok(recalled.map(|recalled| {
                let place = Place {
                    table: "group_reactions",
                    columns: &["app_id", "group_id", "msg_seq"],
                    key: vec![
                        app,
                        Value::Text(group_id.clone()),
                        Value::Integer(crate::position(*seq)),
                    ],
                };
                (place, recalled == 0)
            }))
        }
    }
}

/// The users of one reaction, in `seq` order.
fn users_of(conn: &Connection, place: &Place, reaction: &str) -> StoreResult<Vec<String>> {
    let sql = format!(
        "SELECT user_id FROM {} WHERE {} AND reaction = ?{} ORDER BY seq",
        place.table,
        place.filter(),
        place.next()
    );
    let users = conn
        .prepare_cached(&sql)?
        .query_map(
            params_from_iter(place.args(vec![Value::Text(reaction.to_owned())])),
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    Ok(users)
}

fn react(
    conn: &Connection,
    app: AppId,
    message: &ReactionMessage,
    change: (&str, &str, bool),
    limits: &ReactionLimits,
    now_ms: i64,
) -> StoreResult<ReactOutcome> {
    let (reaction, user, add) = change;
    let Some((place, open)) = locate(conn, app, message)? else {
        return Ok(ReactOutcome::NoMessage);
    };
    if !open {
        return Ok(ReactOutcome::NoMessage);
    }
    let (table, filter, n) = (place.table, place.filter(), place.next());
    let users = users_of(conn, &place, reaction)?;
    let reactions: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(DISTINCT reaction) FROM {table} WHERE {filter}"
        ))?
        .query_row(params_from_iter(place.args(vec![])), |r| r.get(0))?;
    let state = ReactState {
        mine: users.iter().any(|u| u == user),
        reactions: reactions as usize,
        present: !users.is_empty(),
        users: users.len(),
    };
    if let Some(refused) = refusal(&state, add, limits) {
        return Ok(refused);
    }
    let reaction_args = || {
        vec![
            Value::Text(reaction.to_owned()),
            Value::Text(user.to_owned()),
        ]
    };
    if add {
        let seq: i64 = conn
            .prepare_cached(&format!(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE {filter}"
            ))?
            .query_row(params_from_iter(place.args(vec![])), |r| r.get(0))?;
        let columns = place.columns.join(", ");
        let values: Vec<String> = (1..n + 4).map(|i| format!("?{i}")).collect();
        conn.prepare_cached(&format!(
            "INSERT INTO {table} ({columns}, reaction, user_id, seq, created_ms)
             VALUES ({})",
            values.join(", ")
        ))?
        .execute(params_from_iter(
            place.args(
                reaction_args()
                    .into_iter()
                    .chain([Value::Integer(seq), Value::Integer(now_ms)])
                    .collect(),
            ),
        ))?;
    } else {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE {filter} AND reaction = ?{n} AND user_id = ?{}",
            n + 1
        ))?
        .execute(params_from_iter(place.args(reaction_args())))?;
    }
    let users = users_of(conn, &place, reaction)?;
    Ok(ReactOutcome::Done(summary_of(
        reaction.to_owned(),
        users,
        user,
        limits.listed_users,
    )))
}

/// The summaries of one message's reactions; `None` when there is no such message.
fn summaries(
    conn: &Connection,
    app: AppId,
    message: &ReactionMessage,
    me: &str,
    listed: usize,
) -> StoreResult<Option<Vec<ReactionSummary>>> {
    let Some((place, _)) = locate(conn, app, message)? else {
        return Ok(None);
    };
    let rows = conn
        .prepare_cached(&format!(
            "SELECT reaction, user_id FROM {} WHERE {} ORDER BY seq",
            place.table,
            place.filter()
        ))?
        .query_map(params_from_iter(place.args(vec![])), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(summarize(rows, me, listed)))
}

fn users_page(
    conn: &Connection,
    app: AppId,
    message: &ReactionMessage,
    reaction: &str,
    from: u64,
    limit: usize,
) -> StoreResult<Option<ReactionUsers>> {
    let Some((place, _)) = locate(conn, app, message)? else {
        return Ok(None);
    };
    let n = place.next();
    let rows = conn
        .prepare_cached(&format!(
            "SELECT user_id, seq FROM {} WHERE {} AND reaction = ?{n} AND seq >= ?{}
             ORDER BY seq LIMIT ?{}",
            place.table,
            place.filter(),
            n + 1,
            n + 2
        ))?
        .query_map(
            params_from_iter(place.args(vec![
                Value::Text(reaction.to_owned()),
                Value::Integer(crate::position(from)),
                Value::Integer(limit as i64 + 1),
            ])),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    Ok(Some(page_of(rows, limit)))
}

impl SqliteStore {
    pub(super) async fn react_impl(
        &self,
        app: AppId,
        message: ReactionMessage,
        change: (String, String, bool),
        limits: ReactionLimits,
        now_ms: i64,
    ) -> StoreResult<ReactOutcome> {
        // One writer thread: the counts and the insert cannot interleave with another change.
        self.write(move |conn| {
            let (reaction, user, add) = &change;
            react(
                conn,
                app,
                &message,
                (reaction.as_str(), user.as_str(), *add),
                &limits,
                now_ms,
            )
        })
        .await
    }

    pub(super) async fn message_reactions_impl(
        &self,
        app: AppId,
        messages: Vec<ReactionMessage>,
        me: String,
        listed: usize,
    ) -> StoreResult<Vec<Option<Vec<ReactionSummary>>>> {
        self.readers
            .read(move |conn| {
                messages
                    .iter()
                    .map(|m| summaries(conn, app, m, &me, listed))
                    .collect()
            })
            .await
    }

    pub(super) async fn reaction_users_impl(
        &self,
        app: AppId,
        message: ReactionMessage,
        reaction: String,
        from: u64,
        limit: usize,
    ) -> StoreResult<Option<ReactionUsers>> {
        self.readers
            .read(move |conn| users_page(conn, app, &message, &reaction, from, limit))
            .await
    }
}
