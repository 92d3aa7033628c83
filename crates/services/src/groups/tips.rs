//! Group tips: the events that tell a group's members that its membership or profile changed
//! (`GroupTip`), and the ones that tell users a group is gone for them (`GroupRemoved`). Built
//! once as `/ws` JSON after the change is written and handed to the fanout; `/binfo`
//! connections rewrite them into the Web SDK's `GroupTips` pushes.

use natter_core::{AppSettings, GroupType};
use natter_events::{Priority, Push, Target};
use natter_store::GroupRecord;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::{type_of, GroupService};

/// What changed, as `TipType` names it in the `GroupTip` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipKind {
    Join,
    Quit,
    Kicked,
    SetAdmin,
    CancelAdmin,
    GroupInfoChanged,
}

impl TipKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Join => "Join",
            Self::Quit => "Quit",
            Self::Kicked => "Kicked",
            Self::SetAdmin => "SetAdmin",
            Self::CancelAdmin => "CancelAdmin",
            Self::GroupInfoChanged => "GroupInfoChanged",
        }
    }
}

/// One change of a group, for its members, as written.
#[derive(Debug, Clone)]
pub struct GroupTip {
    pub group_id: String,
    pub group_type: GroupType,
    pub kind: TipKind,
    pub operator: String,
    /// The members the change is about (none for a profile change).
    pub members: Vec<String>,
    /// The member count after the change.
    pub member_num: u64,
    /// The group's latest message sequence, so that the tip sorts after what was said.
    pub msg_seq: u64,
    /// The profile fields that changed, named as in `modify_group_base_info`.
    pub info: Map<String, Value>,
}

impl GroupTip {
    pub fn new(group: &GroupRecord, kind: TipKind, operator: &str, members: Vec<String>) -> Self {
        Self {
            group_id: group.group_id.clone(),
            group_type: type_of(group),
            kind,
            operator: operator.to_owned(),
            members,
            member_num: group.member_count,
            msg_seq: group.next_msg_seq.saturating_sub(1),
            info: Map::new(),
        }
    }
}

/// Why a group went away for a user, as `Reason` names it in the `GroupRemoved` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovedReason {
    Kicked,
    Quit,
    Disbanded,
}

impl RemovedReason {
    pub fn name(self) -> &'static str {
        match self {
            Self::Kicked => "Kicked",
            Self::Quit => "Quit",
            Self::Disbanded => "Disbanded",
        }
    }
}

impl GroupService {
    /// Pushes an event about the group to its members online: in an AVChatRoom those online in
    /// it, elsewhere the members with a connection. `except` is a connection that has its
    /// answer already.
    pub(super) fn send_to_group(
        &self,
        app: &AppSettings,
        group_id: &str,
        group_type: GroupType,
        frame: &Value,
        except: Option<u64>,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let target = if group_type == GroupType::AvChatRoom {
            Target::Room(group_id.to_owned())
        } else {
            Target::GroupMembers {
                group_id: group_id.to_owned(),
                only: Vec::new(),
            }
        };
        self.fanout.send(
            app.sdkappid,
            target,
            &Push::new(Priority::High, frame),
            except,
        );
    }

    /// Pushes `tip` to the group's members (as they are after the change), and, when members
    /// left, `GroupRemoved` to them. AVChatRooms get no tips: their members come and go too
    /// often, as on Tencent where their join and quit tips are off by default.
    pub(super) fn send_tip(&self, app: &AppSettings, tip: GroupTip, except: Option<u64>) {
        if tip.group_type == GroupType::AvChatRoom || !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let now = self.clock.now_secs();
        let mut frame = json!({
            "Event": "GroupTip",
            "GroupId": tip.group_id,
            "GroupType": tip.group_type.name(),
            "TipType": tip.kind.name(),
            "Operator_Account": tip.operator,
            "Member_Account": tip.members,
            "MemberNum": tip.member_num,
            "MsgSeq": tip.msg_seq,
            "MsgTime": now,
            "Random": rand::rng().random::<u32>(),
        });
        if !tip.info.is_empty() {
            frame["GroupInfo"] = Value::Object(tip.info.clone());
        }
        let target = Target::GroupMembers {
            group_id: tip.group_id.clone(),
            only: Vec::new(),
        };
        self.fanout.send(
            app.sdkappid,
            target,
            &Push::new(Priority::High, &frame),
            except,
        );
        let reason = match tip.kind {
            TipKind::Kicked => RemovedReason::Kicked,
            TipKind::Quit => RemovedReason::Quit,
            _ => return,
        };
        self.send_removed(
            app,
            &tip.group_id,
            tip.group_type,
            reason,
            &tip.operator,
            tip.members,
            except,
        );
    }

    /// Pushes `GroupRemoved` to `users`: the group is gone for them. In an AVChatRoom only its
    /// end is told (members come and go too often for the rest), to its members and to the
    /// viewers who poll it without login, so their SDKs drop the room and stop polling.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_removed(
        &self,
        app: &AppSettings,
        group_id: &str,
        group_type: GroupType,
        reason: RemovedReason,
        operator: &str,
        users: Vec<String>,
        except: Option<u64>,
    ) {
        let live = group_type == GroupType::AvChatRoom;
        if (live && reason != RemovedReason::Disbanded) || !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let frame = json!({
            "Event": "GroupRemoved",
            "GroupId": group_id,
            "GroupType": group_type.name(),
            "Reason": reason.name(),
            "Operator_Account": operator,
            "MsgTime": self.clock.now_secs(),
            "Random": rand::rng().random::<u32>(),
        });
        let push = Push::new(Priority::High, &frame);
        if live {
            self.fanout
                .send(app.sdkappid, Target::Feed(group_id.to_owned()), &push, None);
        }
        if !users.is_empty() {
            self.fanout
                .send(app.sdkappid, Target::Users(users), &push, except);
        }
    }
}
