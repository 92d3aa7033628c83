//! Conversation groups and marks, the same on every backend: a backend loads one user's whole
//! contact state (it is small: at most 20 groups, a few thousand rows), [`apply`] changes it in
//! memory and checks the limits, and the backend writes back only the [`Diff`]. So the rules live
//! once, and a refused change writes nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::{
    ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome, ConversationId,
};

/// One conversation's marks and when its marks or groups last changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Marks {
    pub standard: u64,
    pub custom: String,
    pub updated: i64,
}

/// Everything one user has in conversation groups and marks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ContactState {
    pub groups: BTreeMap<u32, String>,
    pub members: BTreeSet<(u32, ConversationId)>,
    /// One row per conversation that is marked or in a group.
    pub data: BTreeMap<ConversationId, Marks>,
}

/// The rows to write to turn one state into another.
#[derive(Debug, Default)]
pub(crate) struct Diff {
    pub delete_groups: Vec<u32>,
    pub put_groups: Vec<(u32, String)>,
    pub delete_members: Vec<(u32, ConversationId)>,
    pub add_members: Vec<(u32, ConversationId)>,
    pub delete_data: Vec<ConversationId>,
    pub put_data: Vec<(ConversationId, Marks)>,
}

impl ContactState {
    fn group_named(&self, name: &str) -> Option<u32> {
        self.groups
            .iter()
            .find_map(|(id, n)| (n == name).then_some(*id))
    }

    fn group(&self, id: u32) -> ContactGroup {
        ContactGroup {
            id,
            name: self.groups[&id].clone(),
        }
    }

    fn touch(&mut self, id: &ConversationId, now: i64) {
        self.data.entry(id.clone()).or_default().updated = now;
    }

    fn members_of(&self, group: u32) -> usize {
        self.members.iter().filter(|(g, _)| *g == group).count()
    }

    fn marked(&self) -> usize {
        self.data
            .values()
            .filter(|m| m.standard != 0 || !m.custom.is_empty())
            .count()
    }

    /// Drops the rows of conversations left with neither marks nor groups.
    fn forget_empty(&mut self) {
        let grouped: BTreeSet<&ConversationId> = self.members.iter().map(|(_, c)| c).collect();
        let empty: Vec<ConversationId> = self
            .data
            .iter()
            .filter(|(id, m)| m.standard == 0 && m.custom.is_empty() && !grouped.contains(id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in empty {
            self.data.remove(&id);
        }
    }

    /// The public view of one conversation's data.
    pub fn view(&self, id: &ConversationId) -> Option<ContactData> {
        let marks = self.data.get(id)?;
        Some(ContactData {
            id: id.clone(),
            standard_mark: marks.standard,
            custom_mark: marks.custom.clone(),
            groups: self
                .members
                .iter()
                .filter(|(_, c)| c == id)
                .map(|(g, _)| *g)
                .collect(),
            updated: marks.updated,
        })
    }
}

/// The groups of `state`, by id.
pub(crate) fn groups(state: &ContactState) -> Vec<ContactGroup> {
    state.groups.keys().map(|id| state.group(*id)).collect()
}

/// The data of `ids` that have any, or a page of all of it (by kind, then peer).
pub(crate) fn data(
    state: &ContactState,
    ids: Option<Vec<ConversationId>>,
    skip: usize,
    limit: usize,
) -> Vec<ContactData> {
    match ids {
        Some(ids) => ids.iter().filter_map(|id| state.view(id)).collect(),
        None => state
            .data
            .keys()
            .skip(skip)
            .take(limit)
            .filter_map(|id| state.view(id))
            .collect(),
    }
}

/// Applies `change` to `state`; on refusal `state` may be half changed and must be dropped.
pub(crate) fn apply(
    state: &mut ContactState,
    change: ContactChange,
    limits: ContactLimits,
    now: i64,
) -> ContactOutcome {
    let group = match change {
        ContactChange::CreateGroup { name, members } => {
            if state.groups.len() >= limits.groups {
                return ContactOutcome::TooManyGroups;
            }
            if state.group_named(&name).is_some() {
                return ContactOutcome::NameTaken;
            }
            let id = state.groups.keys().next_back().map_or(1, |last| last + 1);
            state.groups.insert(id, name);
            for member in members {
                state.touch(&member, now);
                state.members.insert((id, member));
            }
            if state.members_of(id) > limits.per_group {
                return ContactOutcome::TooManyConversations;
            }
            Some(state.group(id))
        }
        ContactChange::RenameGroup { old, new } => {
            let Some(id) = state.group_named(&old) else {
                return ContactOutcome::NoSuchGroup;
            };
            if old != new && state.group_named(&new).is_some() {
                return ContactOutcome::NameTaken;
            }
            state.groups.insert(id, new);
            Some(state.group(id))
        }
        ContactChange::UpdateMembers { name, add, remove } => {
            let Some(id) = state.group_named(&name) else {
                return ContactOutcome::NoSuchGroup;
            };
            for member in add {
                state.touch(&member, now);
                state.members.insert((id, member));
            }
            for member in remove {
                if state.members.remove(&(id, member.clone())) {
                    state.touch(&member, now);
                }
            }
            if state.members_of(id) > limits.per_group {
                return ContactOutcome::TooManyConversations;
            }
            Some(state.group(id))
        }
        ContactChange::DeleteGroup { name } => {
            let Some(id) = state.group_named(&name) else {
                return ContactOutcome::NoSuchGroup;
            };
            let deleted = state.group(id);
            state.groups.remove(&id);
            let gone: Vec<(u32, ConversationId)> = state
                .members
                .iter()
                .filter(|(g, _)| *g == id)
                .cloned()
                .collect();
            for member in gone {
                state.touch(&member.1, now);
                state.members.remove(&member);
            }
            Some(deleted)
        }
        ContactChange::Mark(changes) => {
            for change in changes {
                let marks = state.data.entry(change.id).or_default();
                marks.standard = (marks.standard | change.set_bits) & !change.clear_bits;
                if let Some(custom) = change.custom_mark {
                    marks.custom = custom;
                }
                marks.updated = now;
            }
            if state.marked() > limits.marked {
                return ContactOutcome::TooManyConversations;
            }
            None
        }
    };
    state.forget_empty();
    ContactOutcome::Done(group)
}

/// The rows that differ between `before` and `after`.
pub(crate) fn diff(before: &ContactState, after: &ContactState) -> Diff {
    let mut d = Diff::default();
    for id in before.groups.keys() {
        if !after.groups.contains_key(id) {
            d.delete_groups.push(*id);
        }
    }
    for (id, name) in &after.groups {
        if before.groups.get(id) != Some(name) {
            d.put_groups.push((*id, name.clone()));
        }
    }
    d.delete_members = before.members.difference(&after.members).cloned().collect();
    d.add_members = after.members.difference(&before.members).cloned().collect();
    for id in before.data.keys() {
        if !after.data.contains_key(id) {
            d.delete_data.push(id.clone());
        }
    }
    for (id, marks) in &after.data {
        if before.data.get(id) != Some(marks) {
            d.put_data.push((id.clone(), marks.clone()));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConversationKind, MarkChange};

    fn c2c(peer: &str) -> ConversationId {
        ConversationId {
            kind: ConversationKind::C2c,
            peer: peer.into(),
        }
    }

    const LIMITS: ContactLimits = ContactLimits {
        groups: 2,
        per_group: 2,
        marked: 1,
    };

    #[test]
    fn groups_get_ids_and_keep_their_limits() {
        let mut state = ContactState::default();
        let created = apply(
            &mut state,
            ContactChange::CreateGroup {
                name: "work".into(),
                members: vec![c2c("a")],
            },
            LIMITS,
            10,
        );
        assert_eq!(
            created,
            ContactOutcome::Done(Some(ContactGroup {
                id: 1,
                name: "work".into()
            }))
        );
        let again = ContactChange::CreateGroup {
            name: "work".into(),
            members: vec![],
        };
        assert_eq!(
            apply(&mut state.clone(), again, LIMITS, 11),
            ContactOutcome::NameTaken
        );
        let too_big = ContactChange::UpdateMembers {
            name: "work".into(),
            add: vec![c2c("b"), c2c("c")],
            remove: vec![],
        };
        assert_eq!(
            apply(&mut state.clone(), too_big, LIMITS, 11),
            ContactOutcome::TooManyConversations
        );
        let before = state.clone();
        apply(
            &mut state,
            ContactChange::DeleteGroup {
                name: "work".into(),
            },
            LIMITS,
            12,
        );
        assert!(
            state.data.is_empty(),
            "a conversation with nothing left is forgotten"
        );
        let d = diff(&before, &state);
        assert_eq!(d.delete_groups, vec![1]);
        assert_eq!(d.delete_members, vec![(1, c2c("a"))]);
        assert_eq!(d.delete_data, vec![c2c("a")]);
    }

    #[test]
    fn marks_set_and_clear_bits_and_count_marked_conversations() {
        let mut state = ContactState::default();
        let mark = |peer: &str, set: u64, clear: u64| {
            ContactChange::Mark(vec![MarkChange {
                id: c2c(peer),
                set_bits: set,
                clear_bits: clear,
                custom_mark: None,
            }])
        };
        apply(&mut state, mark("a", 0b1011, 0), LIMITS, 1);
        apply(&mut state, mark("a", 0b0100, 0b0001), LIMITS, 2);
        assert_eq!(state.view(&c2c("a")).unwrap().standard_mark, 0b1110);
        assert_eq!(
            apply(&mut state.clone(), mark("b", 1, 0), LIMITS, 3),
            ContactOutcome::TooManyConversations
        );
        apply(&mut state, mark("a", 0, u64::MAX), LIMITS, 4);
        assert!(state.view(&c2c("a")).is_none());
    }
}
