//! What a group message send must know of the group before it reaches the store: the group's
//! type (which decides whether the message is kept, whether it may be online only or directed,
//! what the before-callback says) and whether it has topics. Neither changes while the group
//! exists, so each node keeps them per group and a send to a group it has seen goes to the store
//! once, not twice (issue 17: a PostgreSQL send in one round trip).
//!
//! The cache is a hint the store checks: a send names the type it was decided on
//! (`GroupSendRecord::group_type`) and the store, in the send's own transaction, refuses it
//! (`OtherType`) if the group now has another type — a group destroyed and created again under
//! the same ID, perhaps on another node. The send then reads the group and decides again. A group
//! destroyed since it was cached answers `NoGroup` from the store, as it would have from a read.
//! What the cache cannot undo: a before-callback asked for a group that was destroyed on another
//! node since (the store then refuses the send with 10010), or asked with the old type before
//! the store noticed the new one.

use natter_core::{ApiResult, AppId, AppSettings, GroupType};
use natter_store::GroupRecord;
use quick_cache::sync::Cache;

use super::{type_of, GroupService};

/// Groups one node remembers the kind of (a kind is about 100 bytes, so at most a few MB); a
/// send to a group this node forgot reads it once more.
const REMEMBERED_GROUPS: usize = 65_536;

/// The unchanging facts of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupKind {
    pub group_type: GroupType,
    /// The type as stored (what the store compares, and what the after-callbacks report).
    pub stored_type: String,
    /// A Community with topics enabled (`SupportTopic`).
    pub support_topic: bool,
}

impl GroupKind {
    pub(crate) fn of(group: &GroupRecord) -> Self {
        Self {
            group_type: type_of(group),
            stored_type: group.group_type.clone(),
            support_topic: group.support_topic,
        }
    }
}

/// Kinds by (app, group ID).
pub(crate) struct GroupKinds {
    cache: Cache<(AppId, String), GroupKind>,
}

impl Default for GroupKinds {
    fn default() -> Self {
        Self {
            cache: Cache::new(REMEMBERED_GROUPS),
        }
    }
}

impl GroupKinds {
    pub(crate) fn get(&self, app: AppId, group_id: &str) -> Option<GroupKind> {
        self.cache.get(&(app, group_id.to_owned()))
    }

    pub(crate) fn remember(&self, app: AppId, group_id: &str, kind: GroupKind) {
        self.cache.insert((app, group_id.to_owned()), kind);
    }

    pub(crate) fn forget(&self, app: AppId, group_id: &str) {
        self.cache.remove(&(app, group_id.to_owned()));
    }

    /// After an app's data was replaced (reset, snapshot restore, import).
    pub(crate) fn forget_app(&self, app: AppId) {
        self.cache.retain(|(a, _), _| *a != app);
    }
}

impl GroupService {
    /// The group's kind: remembered, or read (10010 when there is no such group) and remembered.
    pub(crate) async fn kind(&self, app: &AppSettings, group_id: &str) -> ApiResult<GroupKind> {
        if let Some(kind) = self.kinds.get(app.sdkappid, group_id) {
            return Ok(kind);
        }
        let kind = GroupKind::of(&self.group(app, group_id).await?);
        self.kinds.remember(app.sdkappid, group_id, kind.clone());
        Ok(kind)
    }

    /// Forgets every group of `app` (its data was replaced).
    pub fn forget_group_kinds(&self, app: AppId) {
        self.kinds.forget_app(app);
    }
}
