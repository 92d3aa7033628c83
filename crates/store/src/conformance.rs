//! The conformance suite: one set of checks that every [`Store`] backend must pass.
//! [`checks`] lists them; the store's tests run each one on a fresh store of every engine, as a
//! test of its own. A new storage operation adds its checks here and to that list.
//!
//! Checks use their own SDKAppIDs, so they never see each other's data.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{AccountImport, ProfileValue, Store};

mod accounts;
mod c2c_edits;
mod c2c_own;
mod conversations;
mod dump;
mod follows;
mod group_invitations;
mod group_own;
mod group_pins;
mod group_sends;
mod groups;
mod messages;
mod moderation;
mod ops;
mod outbox;
mod pins;
mod push;
mod reactions;
mod relations;
mod search;
mod sends;
mod topics;

pub use accounts::{
    account_lists_page_by_user_id_and_prefix, apps_never_see_each_other,
    concurrent_writes_are_all_kept, delete_reports_existence_and_removes_the_profile,
    get_profiles_filters_tags_and_skips_unknown_accounts,
    import_is_idempotent_and_updates_only_given_items, reset_removes_one_app_only,
    set_profile_needs_an_existing_account, text_is_kept_byte_for_byte,
};
pub use messages::{
    c2c_history_pages_newest_first_from_the_operators_side,
    c2c_messages_count_unread_and_deduplicate, c2c_read_marks_and_recalls_recount_unread,
};
pub use outbox::{
    outbox_delivers_in_order_per_key, outbox_events_commit_with_their_change,
    outbox_retries_and_dead_letters,
};

const NICK: &str = "Tag_Profile_IM_Nick";
const GENDER: &str = "Tag_Profile_IM_Gender";
const LEVEL: &str = "Tag_Profile_IM_Level";

/// How a check is run: on a store of its own, which it may fill and drain as it likes.
pub type CheckFn = fn(Arc<dyn Store>) -> Pin<Box<dyn Future<Output = ()>>>;

/// One check of the suite. A failing check panics with a message that says what went wrong.
#[derive(Clone, Copy)]
pub struct Check {
    /// The check's function name, after its module's for those in a submodule
    /// (`groups::bans_list_only_running_ones_and_go_with_their_group`).
    pub name: &'static str,
    pub run: CheckFn,
}

/// A [`Check`] for a check function; `ref` ones take `&dyn Store`, `arc` ones (which spawn tasks)
/// the `Arc`.
macro_rules! check {
    (ref $f:ident) => { check!(@ref stringify!($f), $f) };
    (ref $module:ident :: $f:ident) => {
        check!(@ref concat!(stringify!($module), "::", stringify!($f)), $module::$f)
    };
    (arc $f:ident) => { check!(@arc stringify!($f), $f) };
    (arc $module:ident :: $f:ident) => {
        check!(@arc concat!(stringify!($module), "::", stringify!($f)), $module::$f)
    };
    (@ref $name:expr, $f:path) => {
        Check {
            name: $name,
            run: |store| Box::pin(async move { $f(&*store).await }),
        }
    };
    (@arc $name:expr, $f:path) => {
        Check {
            name: $name,
            run: |store| Box::pin($f(store)),
        }
    };
}

/// Every check of the suite. Each one is meant to get a fresh store: several read or drain the
/// outbox, which all apps share.
pub fn checks() -> Vec<Check> {
    vec![
        check!(ref import_is_idempotent_and_updates_only_given_items),
        check!(ref text_is_kept_byte_for_byte),
        check!(ref files_are_kept_once_per_id_and_app),
        check!(ref delete_reports_existence_and_removes_the_profile),
        check!(ref set_profile_needs_an_existing_account),
        check!(ref get_profiles_filters_tags_and_skips_unknown_accounts),
        check!(ref apps_never_see_each_other),
        check!(ref account_lists_page_by_user_id_and_prefix),
        check!(ref reset_removes_one_app_only),
        check!(arc concurrent_writes_are_all_kept),
        check!(ref outbox_events_commit_with_their_change),
        check!(ref outbox_delivers_in_order_per_key),
        check!(ref outbox_retries_and_dead_letters),
        check!(ref c2c_messages_count_unread_and_deduplicate),
        check!(ref c2c_history_pages_newest_first_from_the_operators_side),
        check!(ref c2c_read_marks_and_recalls_recount_unread),
        check!(ref sends::prepared_c2c_sends_check_accounts_and_fill_the_outbox),
        check!(ref conversations::imports_deduplicate_in_both_directions),
        check!(ref c2c_edits::modify_replaces_body_and_data_but_not_recalled),
        check!(ref c2c_edits::extensions_version_every_change),
        check!(ref conversations::conversations_follow_messages_and_page_by_cursor),
        check!(ref conversations::deleting_a_conversation_clears_unread_and_maybe_history),
        check!(ref conversations::purge_removes_old_messages_only),
        check!(ref conversations::contact_groups_and_marks_persist_all_or_nothing),
        check!(ref conversations::catch_up_walks_a_users_messages_by_position),
        check!(ref pins::pins_mark_conversations_and_add_missing_ones),
        check!(ref pins::clearing_a_history_hides_it_from_the_owner_only),
        check!(ref pins::friend_request_read_marks_only_move_forward),
        check!(ref reactions::c2c_reactions_keep_limits_order_and_pages),
        check!(ref reactions::group_reactions_go_with_their_group),
        check!(ref reactions::topic_reactions_are_the_topics_and_go_with_it),
        check!(arc reactions::concurrent_reactions_keep_the_limit),
        check!(ref kicks_are_kept_per_user_and_app),
        check!(ref ping_answers),
        check!(ref dump::export_then_import_keeps_every_row),
        check!(ref dump::imports_refuse_a_full_app_and_cut_streams),
        check!(ref dump::a_replace_over_a_changed_app_leaves_the_exported_rows),
        check!(ref dump::snapshots_are_kept_per_app_and_name),
        check!(ref dump::every_app_table_is_reset_and_exported),
        check!(ref moderation::global_mutes_need_an_account_and_keep_each_kind),
        check!(ref moderation::robots_are_capped_listed_and_keep_their_account),
        check!(arc moderation::concurrent_robot_creations_respect_the_cap),
        check!(ref relations::snapshots_see_both_directions),
        check!(ref relations::edits_write_everything_or_nothing),
        check!(ref relations::pages_walk_by_user_id),
        check!(ref relations::pending_requests_list_both_directions),
        check!(ref relations::deleting_an_account_removes_its_relations),
        check!(arc relations::concurrent_edits_see_each_other),
        check!(ref groups::groups_round_trip_and_disappear_whole),
        check!(ref topics::topics_keep_their_own_messages_and_go_with_their_group),
        check!(ref groups::member_pages_continue_after_a_cursor),
        check!(ref groups::bans_list_only_running_ones_and_go_with_their_group),
        check!(ref groups::silent_and_directed_messages_keep_their_marks),
        check!(ref groups::join_applications_wait_until_handled),
        check!(ref group_invitations::invitations_wait_beside_requests_and_keep_their_inviter),
        check!(ref group_invitations::history_clears_only_move_forward_and_go_with_their_group),
        check!(ref group_invitations::recalls_are_listed_by_when_they_happened),
        check!(ref group_pins::pins_are_capped_per_group_and_topic_and_go_with_their_group),
        check!(ref group_own::hidden_messages_are_per_member_and_stream_and_go_with_their_group),
        check!(ref c2c_own::deleted_messages_leave_the_owners_history_only),
        check!(ref c2c_own::peer_mutes_are_kept_per_owner_and_peer),
        check!(ref c2c_own::do_not_disturb_is_kept_per_user),
        check!(ref search::messages_are_found_only_where_the_user_may_read),
        check!(ref search::users_and_groups_are_found_by_id_and_name),
        check!(ref search::members_are_found_in_the_users_groups),
        check!(ref follows::follows_are_one_sided_counted_and_paged),
        check!(ref follows::the_limit_counts_a_users_follows),
        check!(ref follows::deleting_an_account_removes_its_follows),
        check!(arc follows::concurrent_follows_see_each_other),
        check!(arc group_pins::concurrent_pins_respect_the_cap),
        check!(arc groups::concurrent_sends_take_every_sequence_once),
        check!(ref group_sends::group_sends_refuse_in_order_and_take_sequences),
        check!(arc group_sends::concurrent_group_sends_take_every_sequence_once),
        check!(ref ops::ops_counters_add_peak_and_count_distinct),
        check!(ref ops::archive_pages_walk_an_hours_messages),
        check!(ref push::labels_change_all_or_nothing_and_go_with_the_account),
        check!(ref push::attribute_names_are_replaced_whole),
        check!(ref push::targets_walk_the_accounts_after_a_cursor),
        check!(ref push::tasks_are_leased_advanced_and_resumed),
    ]
}

fn import(user_id: &str, profile: Vec<ProfileValue>) -> AccountImport {
    AccountImport {
        user_id: user_id.into(),
        profile,
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Test support for PostgreSQL: a URL of a new, empty database, or `None` (after saying so on
/// stderr) when no server is reachable and none was asked for.
///
/// `NATTER_TEST_POSTGRES` names the server (`postgres://user@host:port`); when it is set, failing
/// to reach it is an error, not a skip. When unset, the local default server is tried.
pub async fn fresh_postgres_url() -> Option<String> {
    let required = std::env::var("NATTER_TEST_POSTGRES").ok();
    if required.as_deref() == Some("off") {
        eprintln!("SKIPPED: PostgreSQL tests switched off (NATTER_TEST_POSTGRES=off)");
        return None;
    }
    let server = required
        .clone()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into());
    let admin_url = format!("{}/postgres", server.trim_end_matches('/'));
    let connect = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url),
    )
    .await;
    let mut admin = match connect {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) if required.is_none() => {
            eprintln!("SKIPPED: no PostgreSQL at {server} ({e}); set NATTER_TEST_POSTGRES to run these tests");
            return None;
        }
        Err(_) if required.is_none() => {
            eprintln!("SKIPPED: PostgreSQL at {server} did not answer; set NATTER_TEST_POSTGRES to run these tests");
            return None;
        }
        Ok(Err(e)) => panic!("NATTER_TEST_POSTGRES={server}: cannot connect: {e}"),
        Err(_) => panic!("NATTER_TEST_POSTGRES={server}: connection timed out"),
    };
    let name = format!(
        "natter_test_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("creating a test database");
    Some(format!("{}/{name}", server.trim_end_matches('/')))
}

/// Test support for PostgreSQL: drops the database of `url` (made by [`fresh_postgres_url`]),
/// closing whatever connections it still has, as when a database goes away under a server.
pub async fn drop_postgres_database(url: &str) {
    let (server, name) = url.rsplit_once('/').expect("a database URL");
    let admin_url = format!("{server}/postgres");
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .expect("connecting to the PostgreSQL server");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("dropping a test database");
}

/// The readiness check's round trip answers on a working store, as often as asked.
pub async fn ping_answers(store: &dyn Store) {
    for _ in 0..3 {
        store.ping().await.expect("a working store answers a ping");
    }
}

pub async fn kicks_are_kept_per_user_and_app(store: &dyn Store) {
    let app = 1_400_000_351;
    assert_eq!(store.kicked_at(app, "k".into()).await.unwrap(), None);
    store.set_kicked(app, "k".into(), 100).await.unwrap();
    store.set_kicked(app, "k".into(), 250).await.unwrap();
    assert_eq!(
        store.kicked_at(app, "k".into()).await.unwrap(),
        Some(250),
        "the latest kick counts"
    );
    assert_eq!(store.kicked_at(app, "other".into()).await.unwrap(), None);
    assert_eq!(store.kicked_at(app + 1, "k".into()).await.unwrap(), None);
    store.reset_app(app).await.unwrap();
    assert_eq!(
        store.kicked_at(app, "k".into()).await.unwrap(),
        None,
        "an app's reset forgets its kicks"
    );
}

pub async fn files_are_kept_once_per_id_and_app(store: &dyn Store) {
    use crate::StoredFile;
    let app = 1_400_000_361;
    let file = |bytes: &[u8], owner: &str| StoredFile {
        content_type: "image/png".into(),
        owner: owner.into(),
        created_ms: 1_700_000_000_000,
        bytes: bytes.to_vec(),
    };
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(store.get_file(app, "f1".into()).await.unwrap(), None);
    assert!(store
        .put_file(app, "f1".into(), file(&big, "u"))
        .await
        .unwrap());
    assert!(
        !store
            .put_file(app, "f1".into(), file(b"other", "v"))
            .await
            .unwrap(),
        "a second upload to one id is refused"
    );
    assert_eq!(
        store.get_file(app, "f1".into()).await.unwrap(),
        Some(file(&big, "u")),
        "the first upload is kept, byte for byte"
    );
    assert!(store
        .put_file(app, "empty".into(), file(b"", "u"))
        .await
        .unwrap());
    assert_eq!(
        store
            .get_file(app, "empty".into())
            .await
            .unwrap()
            .unwrap()
            .bytes,
        Vec::<u8>::new()
    );
    assert_eq!(store.get_file(app + 1, "f1".into()).await.unwrap(), None);
    assert_eq!(
        store.get_file(app, "../f1".into()).await.unwrap(),
        None,
        "an id that is not one is never looked up"
    );
    assert!(store
        .put_file(app, "../x".into(), file(b"x", "u"))
        .await
        .is_err());
    assert!(store
        .put_file(app + 1, "f1".into(), file(b"x", "u"))
        .await
        .unwrap());
    store.reset_app(app).await.unwrap();
    assert_eq!(
        store.get_file(app, "f1".into()).await.unwrap(),
        None,
        "an app's reset forgets its files"
    );
    assert!(store
        .put_file(app, "f1".into(), file(b"again", "u"))
        .await
        .unwrap());
    assert_eq!(
        store
            .get_file(app + 1, "f1".into())
            .await
            .unwrap()
            .unwrap()
            .bytes,
        b"x".to_vec(),
        "another app's files stay"
    );
}
