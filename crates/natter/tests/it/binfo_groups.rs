//! Groups over `/binfo`, frame by frame: what the Web SDK sends to create, join, read and manage
//! groups, the client permissions Tencent applies per type and role, and the webhooks a user's
//! group actions fire (with the SDK's platform as `OptPlatform`).

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NO_PERMISSION: u64 = 10007;

/// Group commands over the shared SDK client.
trait GroupSdk {
    /// A `group_open_http_svc` command; its reply body.
    async fn group(&mut self, command: &str, body: Value) -> Value;
    /// A group command that must succeed.
    async fn ok(&mut self, command: &str, body: Value) -> Value;
    /// The group IDs `get_joined_group_list` gives the user, as the SDK asks at start-up.
    async fn joined(&mut self) -> Vec<String>;
}

impl GroupSdk for SdkClient {
    async fn group(&mut self, command: &str, body: Value) -> Value {
        self.call(&format!("group_open_http_svc.{command}"), body)
            .await
    }

    async fn ok(&mut self, command: &str, body: Value) -> Value {
        let reply = self.group(command, body).await;
        assert_eq!(
            reply["ErrorCode"],
            0,
            "{command} as {}: {reply}",
            self.user()
        );
        reply
    }

    async fn joined(&mut self) -> Vec<String> {
        let user = self.user().to_owned();
        let reply = self
            .ok(
                "get_joined_group_list",
                json!({"Member_Account": user, "Limit": 50, "Offset": 0,
                       "ResponseFilter": {"GroupBaseInfoFilter": ["Type", "Name"],
                                          "SelfInfoFilter": ["Role", "MsgSeq"]}}),
            )
            .await;
        reply["GroupIdList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["GroupId"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn text(body: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": body}}])
}

on_both_engines!(
    a_public_group_over_binfo_from_creation_to_history,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkClient::connect(&server, "bg_owner").await;
        let mut member = SdkClient::connect(&server, "bg_member").await;

        // The SDK's createGroup: the REST body, its owner, and `WebPushFlag`.
        let created = owner
            .ok(
                "create_group",
                json!({"Type": "Public", "Name": "Club", "Owner_Account": "bg_owner",
                       "WebPushFlag": 1, "Introduction": "hi"}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        assert!(group.starts_with("@TGS#2"), "{created}");
        let create = receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        assert_eq!(create[0].query["OptPlatform"], "Web");
        assert_eq!(create[0].body["Owner_Account"], "bg_owner");
        // Creating for someone else is refused.
        let other = owner
            .group(
                "create_group",
                json!({"Type": "Public", "Name": "X", "Owner_Account": "bg_member"}),
            )
            .await;
        assert_ne!(other["ErrorCode"], 0, "{other}");

        // searchGroupByID and getGroupProfile.
        let found = member
            .ok(
                "get_group_public_info",
                json!({"GroupIdList": [group],
                       "ResponseFilter": {"GroupBasePublicInfoFilter": ["Type", "Name", "Owner_Account"]}}),
            )
            .await;
        assert_eq!(found["GroupInfo"][0]["Name"], "Club", "{found}");
        assert!(found["GroupInfo"][0].get("SelfInfo").is_none());
        let profile = owner
            .ok(
                "get_group_self_member_info",
                json!({"GroupIdList": [group],
                       "ResponseFilter": {"GroupBaseInfoFilter": ["Type", "Name", "Owner_Account"],
                                          "MemberInfoFilter": ["Role", "JoinTime", "NameCard"]}}),
            )
            .await;
        let item = &profile["GroupInfo"][0];
        assert_eq!(item["Owner_Account"], "bg_owner", "{profile}");
        assert_eq!(item["SelfInfo"]["Role"], "Owner", "{profile}");
        assert!(item.get("MemberList").is_none(), "{profile}");

        // A Public group takes a request; the owner agrees.
        let applied = member
            .ok(
                "apply_join_group",
                json!({"GroupId": group, "ApplyMsg": "let me in", "WebPushFlag": 1}),
            )
            .await;
        assert_eq!(applied["JoinedStatus"], "WaitAdminApproval");
        // A non-member reads neither members nor history.
        let refused = member
            .group(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 5}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group(
                "get_group_member_info",
                json!({"GroupId": group, "Limit": 0}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        owner
            .ok(
                "handle_apply_join_group",
                json!({"GroupId": group, "Applicant_Account": "bg_member",
                       "HandleMsg": "Agree", "ApprovalMsg": "welcome"}),
            )
            .await;
        let joined = receiver
            .wait_for("Group.CallbackAfterNewMemberJoin", 1)
            .await;
        assert_eq!(joined[0].query["OptPlatform"], "Web");
        assert_eq!(
            joined[0].body["NewMemberList"][0]["Member_Account"],
            "bg_member"
        );
        assert!(owner.joined().await.contains(&group));
        assert!(member.joined().await.contains(&group));

        // A message from one member reaches the other as the SDK's group push.
        let mut sent = Vec::new();
        for (i, words) in ["one", "two", "three"].iter().enumerate() {
            let reply = owner
                .ok(
                    "send_group_msg",
                    json!({"GroupId": group, "Random": 100 + i, "MsgBody": text(words)}),
                )
                .await;
            sent.push(reply["MsgSeq"].as_u64().unwrap());
            let push = member.next_push_of("GroupMsgArray").await;
            let item = &push["EventArray"][0]["GroupMsgArray"][0];
            assert_eq!(item["GroupInfo"]["GroupId"], group.as_str());
            assert_eq!(item["From_Account"], "bg_owner");
            assert_eq!(item["MsgSeq"], reply["MsgSeq"]);
            assert_eq!(item["MsgBody"][0]["MsgContent"]["Text"], *words);
        }
        let sends = receiver.wait_for("Group.CallbackAfterSendMsg", 3).await;
        assert!(sends.iter().all(|s| s.query["OptPlatform"] == "Web"));

        // History, newest first, two at a time.
        let page = member
            .ok(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 2}),
            )
            .await;
        let seqs: Vec<u64> = page["RspMsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgSeq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, vec![sent[2], sent[1]], "{page}");
        assert_eq!(
            page["RspMsgList"][0]["MsgBody"][0]["MsgContent"]["Text"],
            "three"
        );
        assert_eq!(page["RspMsgList"][0]["From_Account"], "bg_owner");
        assert_eq!(page["RspMsgList"][0]["Random"], 102);
        assert_ne!(page["IsFinished"], 2, "{page}");
        let next = page["NextReqMsgSeq"].as_u64().unwrap();
        assert_eq!(next, sent[0]);
        let last = member
            .ok(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 2, "ReqMsgSeq": next}),
            )
            .await;
        assert_eq!(last["RspMsgList"][0]["MsgSeq"], sent[0], "{last}");
        assert_eq!(last["IsFinished"], 2, "{last}");

        // Reading moves the member's read position.
        member
            .ok(
                "msg_read_report",
                json!({"GroupId": group, "MsgReadedSeq": sent[1]}),
            )
            .await;
        let list = member
            .ok(
                "get_joined_group_list",
                json!({"Member_Account": "bg_member",
                       "ResponseFilter": {"SelfInfoFilter": ["MsgSeq", "UnreadMsgNum"]}}),
            )
            .await;
        let mine = &list["GroupIdList"][0];
        assert_eq!(mine["SelfInfo"]["MsgSeq"], sent[1], "{list}");
        assert_eq!(mine["SelfInfo"]["UnreadMsgNum"], 1, "{list}");

        // The member list, for members.
        let members = member
            .ok(
                "get_group_member_info",
                json!({"GroupId": group, "Limit": 0}),
            )
            .await;
        assert_eq!(members["MemberNum"], 2, "{members}");
    }
);

on_both_engines!(
    members_are_refused_what_tencent_keeps_for_owners_and_admins,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkClient::connect(&server, "bp_owner").await;
        let mut member = SdkClient::connect(&server, "bp_member").await;
        let mut stranger = SdkClient::connect(&server, "bp_stranger").await;
        let created = owner
            .ok(
                "create_group",
                json!({"Type": "Public", "Name": "Rules", "ApplyJoinOption": "FreeAccess"}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        let applied = member
            .ok("apply_join_group", json!({"GroupId": group}))
            .await;
        assert_eq!(applied["JoinedStatus"], "JoinedSuccess");

        // An ordinary member may not change the profile, kick, disband or transfer.
        let refused = member
            .group(
                "modify_group_base_info",
                json!({"GroupId": group, "Name": "Mine"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // The owner can never be removed (10004, as over REST); anyone else needs a role.
        for (target, code) in [("bp_owner", 10004), ("bp_stranger", NO_PERMISSION)] {
            let refused = member
                .group(
                    "delete_group_member",
                    json!({"GroupId": group, "MemberToDel_Account": [target]}),
                )
                .await;
            assert_eq!(refused["ErrorCode"], code, "{target}: {refused}");
        }
        let refused = member
            .group(
                "delete_group_member",
                json!({"GroupId": group, "MemberToDel_Account": ["bp_stranger"]}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group("destroy_group", json!({"GroupId": group}))
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group(
                "change_group_owner",
                json!({"GroupId": group, "NewOwner_Account": "bp_member"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group(
                "modify_group_member_info",
                json!({"GroupId": group, "Member_Account": "bp_member", "Role": "Admin"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // Nor invite: a Public group is joined by applying, whoever asks.
        let refused = owner
            .group(
                "add_group_member",
                json!({"GroupId": group, "MemberList": [{"Member_Account": "bp_stranger"}]}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // A stranger may not even look at the members.
        let refused = stranger
            .group("get_group_member_info", json!({"GroupId": group}))
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // Nothing of that reached the group.
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterGroupInfoChanged")
                .await,
            0
        );

        // A member sets their own name card.
        member
            .ok(
                "modify_group_member_info",
                json!({"GroupId": group, "Member_Account": "bp_member", "NameCard": "Bee"}),
            )
            .await;
        let card = receiver
            .wait_for("Group.CallbackAfterMemberFieldChanged", 1)
            .await;
        assert_eq!(card[0].query["OptPlatform"], "Web");

        // The owner may change the profile and kick; the webhooks say it came from the Web.
        owner
            .ok(
                "modify_group_base_info",
                json!({"GroupId": group, "Name": "Ours", "ShutUpAllMember": "Off"}),
            )
            .await;
        let changed = receiver
            .wait_for("Group.CallbackAfterGroupInfoChanged", 1)
            .await;
        assert_eq!(changed[0].query["OptPlatform"], "Web");
        assert_eq!(changed[0].body["Operator_Account"], "bp_owner");
        assert_eq!(changed[0].body["Name"], "Ours");
        owner
            .ok(
                "delete_group_member",
                json!({"GroupId": group, "MemberToDel_Account": ["bp_member"]}),
            )
            .await;
        let exit = receiver.wait_for("Group.CallbackAfterMemberExit", 1).await;
        assert_eq!(exit[0].query["OptPlatform"], "Web");
        assert_eq!(exit[0].body["ExitType"], "Kicked");
        assert_eq!(exit[0].body["Operator_Account"], "bp_owner");
        // Out of the group, the history is closed to them.
        let refused = member
            .group(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 5}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        assert!(!member.joined().await.contains(&group));

        // The owner disbands a Public group; nobody disbands a Work group from a client.
        owner.ok("destroy_group", json!({"GroupId": group})).await;
        let destroyed = receiver
            .wait_for("Group.CallbackAfterGroupDestroyed", 1)
            .await;
        assert_eq!(destroyed[0].query["OptPlatform"], "Web");
        let work = owner
            .ok("create_group", json!({"Type": "Work", "Name": "Desk"}))
            .await;
        let work = work["GroupId"].as_str().unwrap().to_owned();
        // In a Work group any member invites, and edits the profile.
        owner
            .ok(
                "add_group_member",
                json!({"GroupId": work, "MemberList": [{"Member_Account": "bp_member"}]}),
            )
            .await;
        member
            .ok(
                "modify_group_base_info",
                json!({"GroupId": work, "Introduction": "ours"}),
            )
            .await;
        let refused = owner.group("destroy_group", json!({"GroupId": work})).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // The owner hands it over.
        owner
            .ok(
                "change_group_owner",
                json!({"GroupId": work, "NewOwner_Account": "bp_member"}),
            )
            .await;
        let profile = member
            .ok(
                "get_group_self_member_info",
                json!({"GroupIdList": [work],
                       "ResponseFilter": {"GroupBaseInfoFilter": ["Owner_Account"]}}),
            )
            .await;
        assert_eq!(
            profile["GroupInfo"][0]["SelfInfo"]["Role"], "Owner",
            "{profile}"
        );
        // A Work group is not found by strangers.
        let hidden = stranger
            .ok(
                "get_group_public_info",
                json!({"GroupIdList": [work],
                       "ResponseFilter": {"GroupBasePublicInfoFilter": ["Name"]}}),
            )
            .await;
        assert_eq!(
            hidden["GroupInfo"][0]["ErrorCode"], NO_PERMISSION,
            "{hidden}"
        );
    }
);
