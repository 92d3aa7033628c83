//! Push to all users (`all_member_push`), the same on every backend: per-user tags and
//! attributes, the app's attribute names, and push tasks with their persisted cursor.
//!
//! Label changes follow the contacts pattern: a backend loads the named users' labels inside its
//! transaction, [`apply`] changes them in memory and checks the per-user tag limit, and the
//! backend writes back the users it touched, so a refused change writes nothing.

use std::collections::{BTreeMap, BTreeSet};

/// Migration 19 (both engines): the types are ones SQLite and PostgreSQL both take.
pub(crate) const SCHEMA: &str = "
CREATE TABLE push_attr_names (
    app_id     BIGINT NOT NULL,
    attr_index BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    PRIMARY KEY (app_id, attr_index)
);
CREATE TABLE push_user_attrs (
    app_id     BIGINT NOT NULL,
    user_id    TEXT   NOT NULL,
    attr_index BIGINT NOT NULL,
    value      TEXT   NOT NULL,
    PRIMARY KEY (app_id, user_id, attr_index)
);
CREATE TABLE push_user_tags (
    app_id  BIGINT NOT NULL,
    user_id TEXT   NOT NULL,
    tag     TEXT   NOT NULL,
    PRIMARY KEY (app_id, user_id, tag)
);
CREATE TABLE push_tasks (
    app_id          BIGINT NOT NULL,
    task_id         TEXT   NOT NULL,
    created_ms      BIGINT NOT NULL,
    spec            TEXT   NOT NULL,
    cursor          TEXT   NOT NULL DEFAULT '',
    scanned         BIGINT NOT NULL DEFAULT 0,
    delivered       BIGINT NOT NULL DEFAULT 0,
    done            BIGINT NOT NULL DEFAULT 0,
    finished_ms     BIGINT NOT NULL DEFAULT 0,
    owner           TEXT   NOT NULL DEFAULT '',
    leased_until_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (app_id, task_id)
);
CREATE INDEX push_tasks_open ON push_tasks (done, leased_until_ms);
CREATE INDEX push_tasks_newest ON push_tasks (app_id, created_ms);
";

/// One user's push tags (sorted, bytewise) and attribute values by attribute number (0–9).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushLabels {
    pub tags: BTreeSet<String>,
    pub attrs: BTreeMap<u32, String>,
}

/// One change of users' push labels (all or nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushLabelChange {
    AddTags(Vec<(String, Vec<String>)>),
    RemoveTags(Vec<(String, Vec<String>)>),
    ClearTags(Vec<String>),
    SetAttrs(Vec<(String, Vec<(u32, String)>)>),
    RemoveAttrs(Vec<(String, Vec<u32>)>),
}

impl PushLabelChange {
    /// The users the change names, each once.
    pub fn users(&self) -> Vec<String> {
        let names: Vec<&String> = match self {
            Self::AddTags(items) | Self::RemoveTags(items) => items.iter().map(|i| &i.0).collect(),
            Self::ClearTags(users) => users.iter().collect(),
            Self::SetAttrs(items) => items.iter().map(|i| &i.0).collect(),
            Self::RemoveAttrs(items) => items.iter().map(|i| &i.0).collect(),
        };
        let set: BTreeSet<&String> = names.into_iter().collect();
        set.into_iter().cloned().collect()
    }
}

/// An account a push task may deliver to, with its labels when they were asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    pub user_id: String,
    pub labels: PushLabels,
}

/// A push task as stored. `spec` is the service's own JSON (what to send, to whom); the store
/// keeps the cursor: the last account (in the engine's account order) already handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTaskRecord {
    pub task_id: String,
    pub created_ms: i64,
    pub spec: String,
    pub cursor: String,
    /// Accounts looked at so far.
    pub scanned: u64,
    /// Accounts that matched and were delivered to so far.
    pub delivered: u64,
    pub done: bool,
    /// When the last account was handled (0 while running).
    pub finished_ms: i64,
}

/// One batch's progress, written with the cursor in one statement: counts are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushProgress {
    pub cursor: String,
    pub scanned: u64,
    pub delivered: u64,
    pub done: bool,
}

/// Applies `change` to the loaded labels of the users it names; `Err(user)` when a user would
/// hold more than `max_tags` tags (nothing is to be written then). Returns the users to write.
pub(crate) fn apply(
    change: &PushLabelChange,
    state: &mut BTreeMap<String, PushLabels>,
    max_tags: usize,
) -> Result<Vec<String>, String> {
    let mut touched = BTreeSet::new();
    match change {
        PushLabelChange::AddTags(items) => {
            for (user, tags) in items {
                let labels = state.entry(user.clone()).or_default();
                labels.tags.extend(tags.iter().cloned());
                if labels.tags.len() > max_tags {
                    return Err(user.clone());
                }
                touched.insert(user.clone());
            }
        }
        PushLabelChange::RemoveTags(items) => {
            for (user, tags) in items {
                let labels = state.entry(user.clone()).or_default();
                for tag in tags {
                    labels.tags.remove(tag);
                }
                touched.insert(user.clone());
            }
        }
        PushLabelChange::ClearTags(users) => {
            for user in users {
                state.entry(user.clone()).or_default().tags.clear();
                touched.insert(user.clone());
            }
        }
        PushLabelChange::SetAttrs(items) => {
            for (user, attrs) in items {
                let labels = state.entry(user.clone()).or_default();
                for (index, value) in attrs {
                    labels.attrs.insert(*index, value.clone());
                }
                touched.insert(user.clone());
            }
        }
        PushLabelChange::RemoveAttrs(items) => {
            for (user, indexes) in items {
                let labels = state.entry(user.clone()).or_default();
                for index in indexes {
                    labels.attrs.remove(index);
                }
                touched.insert(user.clone());
            }
        }
    }
    Ok(touched.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_past_the_limit_names_the_user() {
        let mut state = BTreeMap::new();
        let change = PushLabelChange::AddTags(vec![
            ("a".into(), vec!["x".into(), "y".into()]),
            ("b".into(), vec!["x".into(), "y".into(), "z".into()]),
        ]);
        assert_eq!(apply(&change, &mut state, 2), Err("b".to_string()));
        let mut state = BTreeMap::new();
        assert_eq!(
            apply(&change, &mut state, 3),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
        // Adding a tag a user has already does not count twice.
        let again = PushLabelChange::AddTags(vec![("b".into(), vec!["x".into()])]);
        assert!(apply(&again, &mut state, 3).is_ok());
    }
}
