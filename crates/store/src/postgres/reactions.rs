//! Message reactions on PostgreSQL (see `crate::reactions`). A change locks the message's row
//! (`FOR UPDATE`), so the counts it checks stay true until it commits.

use natter_core::AppId;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};

use super::unread::pair;
use super::PostgresStore;
use crate::reactions::{
    page_of, refusal, summarize, summary_of, ReactOutcome, ReactState, ReactionLimits,
    ReactionMessage, ReactionSummary, ReactionUsers,
};
use crate::StoreResult;

/// A value of a message's key.
#[derive(Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

fn bind(
    mut query: Query<'_, Postgres, PgArguments>,
    args: Vec<Arg>,
) -> Query<'_, Postgres, PgArguments> {
    for arg in args {
        query = match arg {
            Arg::Int(i) => query.bind(i),
            Arg::Text(t) => query.bind(t),
        };
    }
    query
}

/// A message's reaction rows: the table and the key columns with their values.
struct Place {
    table: &'static str,
    columns: &'static [&'static str],
    key: Vec<Arg>,
}

impl Place {
    /// `col1 = $1 AND col2 = $2 …`.
    fn filter(&self) -> String {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The number of the first parameter after the key.
    fn next(&self) -> usize {
        self.key.len() + 1
    }

    fn args(&self, more: Vec<Arg>) -> Vec<Arg> {
        self.key.iter().cloned().chain(more).collect()
    }
}

/// Finds the message (locking its row with `lock`): its place and whether it may take a
/// change (not recalled or deleted); `None` when there is no such message.
async fn locate(
    conn: &mut PgConnection,
    app: AppId,
    message: &ReactionMessage,
    lock: bool,
) -> StoreResult<Option<(Place, bool)>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let app = app as i64;
    match message {
        ReactionMessage::C2c(target) => {
            let (low, high) = pair(&target.from, &target.to);
            let (time, seq, random) = target.position;
            let row = sqlx::query(&format!(
                "SELECT id, flag_bits FROM c2c_messages
                 WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3 AND msg_time = $4
                   AND msg_seq = $5 AND msg_random = $6 AND from_account = $7{lock}"
            ))
            .bind(app)
            .bind(low)
            .bind(high)
            .bind(time)
            .bind(i64::from(seq))
            .bind(i64::from(random))
            .bind(&target.from)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(row.map(|r| {
                let place = Place {
                    table: "c2c_reactions",
                    columns: &["app_id", "message_id"],
                    key: vec![Arg::Int(app), Arg::Int(r.get(0))],
                };
                (place, r.get::<i32, _>(1) & 8 == 0)
            }))
        }
        ReactionMessage::Group { group_id, seq } => {
            let seq = crate::position(*seq);
            let recalled: Option<i64> = sqlx::query_scalar(&format!(
                "SELECT recalled FROM group_messages
                 WHERE app_id = $1 AND group_id = $2 AND msg_seq = $3{lock}"
            ))
            .bind(app)
            .bind(group_id)
            .bind(seq)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(recalled.map(|recalled| {
                let place = Place {
                    table: "group_reactions",
                    columns: &["app_id", "group_id", "msg_seq"],
                    key: vec![Arg::Int(app), Arg::Text(group_id.clone()), Arg::Int(seq)],
                };
                (place, recalled == 0)
            }))
        }
    }
}

/// The users of one reaction, in `seq` order.
async fn users_of(
    conn: &mut PgConnection,
    place: &Place,
    reaction: &str,
) -> StoreResult<Vec<String>> {
    let sql = format!(
        "SELECT user_id FROM {} WHERE {} AND reaction = ${} ORDER BY seq",
        place.table,
        place.filter(),
        place.next()
    );
    let rows = bind(
        sqlx::query(&sql),
        place.args(vec![Arg::Text(reaction.to_owned())]),
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub(super) async fn react(
    db: &PostgresStore,
    app: AppId,
    message: ReactionMessage,
    change: (String, String, bool),
    limits: ReactionLimits,
    now_ms: i64,
) -> StoreResult<ReactOutcome> {
    let (reaction, user, add) = change;
    let mut tx = db.pool.begin().await?;
    let Some((place, open)) = locate(&mut tx, app, &message, true).await? else {
        return Ok(ReactOutcome::NoMessage);
    };
    if !open {
        return Ok(ReactOutcome::NoMessage);
    }
    let (table, filter, n) = (place.table, place.filter(), place.next());
    let users = users_of(&mut tx, &place, &reaction).await?;
    let count_sql = format!("SELECT COUNT(DISTINCT reaction) FROM {table} WHERE {filter}");
    let reactions: i64 = bind(sqlx::query(&count_sql), place.args(vec![]))
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    let state = ReactState {
        mine: users.contains(&user),
        reactions: reactions as usize,
        present: !users.is_empty(),
        users: users.len(),
    };
    if let Some(refused) = refusal(&state, add, &limits) {
        return Ok(refused);
    }
    let mine = vec![Arg::Text(reaction.clone()), Arg::Text(user.clone())];
    if add {
        let columns = place.columns.join(", ");
        let values: Vec<String> = (1..n + 2).map(|i| format!("${i}")).collect();
        // The new row's seq: one more than the message's highest (its row is locked).
        let insert = format!(
            "INSERT INTO {table} ({columns}, reaction, user_id, seq, created_ms)
             SELECT {}, COALESCE(MAX(seq), 0) + 1, ${} FROM {table} WHERE {filter}",
            values.join(", "),
            n + 2
        );
        let mut args = place.args(mine);
        args.push(Arg::Int(now_ms));
        bind(sqlx::query(&insert), args).execute(&mut *tx).await?;
    } else {
        let delete = format!(
            "DELETE FROM {table} WHERE {filter} AND reaction = ${n} AND user_id = ${}",
            n + 1
        );
        bind(sqlx::query(&delete), place.args(mine))
            .execute(&mut *tx)
            .await?;
    }
    let users = users_of(&mut tx, &place, &reaction).await?;
    tx.commit().await?;
    Ok(ReactOutcome::Done(summary_of(
        reaction,
        users,
        &user,
        limits.listed_users,
    )))
}

pub(super) async fn message_reactions(
    db: &PostgresStore,
    app: AppId,
    messages: Vec<ReactionMessage>,
    me: String,
    listed: usize,
) -> StoreResult<Vec<Option<Vec<ReactionSummary>>>> {
    // One read-only transaction: the messages are read as of one moment.
    let mut tx = db.pool.begin().await?;
    let mut found = Vec::with_capacity(messages.len());
    for message in &messages {
        let Some((place, _)) = locate(&mut tx, app, message, false).await? else {
            found.push(None);
            continue;
        };
        let sql = format!(
            "SELECT reaction, user_id FROM {} WHERE {} ORDER BY seq",
            place.table,
            place.filter()
        );
        let rows = bind(sqlx::query(&sql), place.args(vec![]))
            .fetch_all(&mut *tx)
            .await?;
        let rows = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        found.push(Some(summarize(rows, &me, listed)));
    }
    tx.commit().await?;
    Ok(found)
}

pub(super) async fn reaction_users(
    db: &PostgresStore,
    app: AppId,
    message: ReactionMessage,
    reaction: String,
    from: u64,
    limit: usize,
) -> StoreResult<Option<ReactionUsers>> {
    let mut conn = db.pool.acquire().await?;
    let Some((place, _)) = locate(&mut conn, app, &message, false).await? else {
        return Ok(None);
    };
    let n = place.next();
    let sql = format!(
        "SELECT user_id, seq FROM {} WHERE {} AND reaction = ${n} AND seq >= ${}
         ORDER BY seq LIMIT ${}",
        place.table,
        place.filter(),
        n + 1,
        n + 2
    );
    let args = place.args(vec![
        Arg::Text(reaction),
        Arg::Int(crate::position(from)),
        Arg::Int(limit as i64 + 1),
    ]);
    let rows = bind(sqlx::query(&sql), args).fetch_all(&mut *conn).await?;
    let rows = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    Ok(Some(page_of(rows, limit)))
}
