//! `group_open_http_svc`: groups, members and group messages, with a webhook receiver.

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::receiver::Answer;

pub(crate) const CREATE: &str = "group_open_http_svc/create_group";
pub(crate) const INFO: &str = "group_open_http_svc/get_group_info";
pub(crate) const MODIFY: &str = "group_open_http_svc/modify_group_base_info";
pub(crate) const DESTROY: &str = "group_open_http_svc/destroy_group";
pub(crate) const ADD: &str = "group_open_http_svc/add_group_member";
pub(crate) const DELETE: &str = "group_open_http_svc/delete_group_member";
pub(crate) const MEMBERS: &str = "group_open_http_svc/get_group_member_info";
pub(crate) const ROLES: &str = "group_open_http_svc/get_role_in_group";
pub(crate) const JOINED: &str = "group_open_http_svc/get_joined_group_list";
pub(crate) const APP_GROUPS: &str = "group_open_http_svc/get_appid_group_list";
pub(crate) const SEND: &str = "group_open_http_svc/send_group_msg";
pub(crate) const HISTORY: &str = "group_open_http_svc/group_msg_get_simple";

pub(crate) fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

pub(crate) fn send_body(group: &str, from: &str, random: u32, t: &str) -> Value {
    json!({"GroupId": group, "From_Account": from, "Random": random, "MsgBody": text(t)})
}

pub(crate) fn accounts(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn public_group(server: &TestServer, id: &str, owner: &str, members: &[&str]) {
    let list: Vec<Value> = members
        .iter()
        .map(|m| json!({"Member_Account": m}))
        .collect();
    server
        .ok(CREATE, json!({"Type": "Public", "Name": id, "GroupId": id, "Owner_Account": owner, "MemberList": list}))
        .await;
}

on_both_engines!(
    creating_groups_checks_ids_types_and_callbacks,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann", "bob"]).await;
        let created = server
            .ok(CREATE, json!({"Type": "Public", "Name": "Team", "GroupId": "team", "Owner_Account": "boss",
                "Introduction": "hello", "AppDefinedData": [{"Key": "color", "Value": "red"}],
                "MemberList": [{"Member_Account": "ann", "Role": "Admin"}, {"Member_Account": "bob"}]}))
            .await;
        assert_eq!(created["GroupId"], "team");
        // Callbacks of different groups are delivered concurrently and may arrive in any order:
        // let this one land before the next group is created, as `after[0]` below expects.
        receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        let private = server
            .ok(
                CREATE,
                json!({"Type": "Work", "Name": "w", "Owner_Account": "boss"}),
            )
            .await;
        assert!(
            private["GroupId"].as_str().unwrap().starts_with("@TGS#1"),
            "{private}"
        );
        let community = server
            .ok(CREATE, json!({"Type": "Community", "Name": "c"}))
            .await;
        assert!(community["GroupId"]
            .as_str()
            .unwrap()
            .starts_with("@TGS#_@TGS#c"));
        assert_eq!(community["Type"], "Community");
        assert_eq!(community["HugeGroupFlag"], 0);

        server
            .fails(
                CREATE,
                json!({"Type": "Public", "Name": "again", "GroupId": "team"}),
                10021,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"Type": "Public", "Name": "x", "GroupId": "@TGS#mine"}),
                10015,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"Type": "Community", "Name": "x", "GroupId": "plain"}),
                10015,
            )
            .await;
        server.fails(CREATE, json!({"Type": "AVChatRoom", "Name": "x", "MemberList": [{"Member_Account": "ann"}]}), 10007).await;
        server
            .fails(CREATE, json!({"Type": "Secret", "Name": "x"}), 10004)
            .await;
        server
            .fails(
                CREATE,
                json!({"Type": "Public", "Name": "n".repeat(31)}),
                10004,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"Type": "Public", "Name": "x", "MemberList": [{"Member_Account": "ghost"}]}),
                10019,
            )
            .await;
        server.fails(CREATE, json!({"Type": "Private", "Name": "x", "MemberList": [{"Member_Account": "ann", "Role": "Admin"}]}), 10004).await;
        server.fails(CREATE, json!({"Name": "x"}), 10004).await;

        // The app's before-callback can refuse, with its own code when in Tencent's range.
        receiver.wait_for("Group.CallbackAfterCreateGroup", 3).await;
        receiver.script([
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "no"})),
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 10150, "ErrorInfo": "quota"})),
        ]);
        server
            .fails(CREATE, json!({"Type": "Public", "Name": "denied"}), 10016)
            .await;
        let custom = server
            .fails(CREATE, json!({"Type": "Public", "Name": "custom"}), 10150)
            .await;
        assert_eq!(custom["ErrorInfo"], "quota");

        let before = receiver
            .wait_for("Group.CallbackBeforeCreateGroup", 5)
            .await;
        assert_eq!(before[0].body["Operator_Account"], ADMIN);
        assert_eq!(before[0].body["Owner_Account"], "boss");
        assert_eq!(before[0].body["Type"], "Public");
        assert_eq!(
            before[0].body["MemberList"],
            json!([{"Member_Account": "ann"}, {"Member_Account": "bob"}])
        );
        let after = receiver.wait_for("Group.CallbackAfterCreateGroup", 3).await;
        assert_eq!(after[0].body["GroupId"], "team");
        assert_eq!(
            after[0].body["UserDefinedDataList"],
            json!([{"Key": "color", "Value": "red"}])
        );
        assert_eq!(after[0].query["OptPlatform"], "RESTAPI");
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterCreateGroup")
                .await,
            3
        );

        // Everything without a filter; per-group codes for groups that do not exist.
        let info = server
            .ok(INFO, json!({"GroupIdList": ["team", "nope"]}))
            .await;
        let team = &info["GroupInfo"][0];
        assert_eq!(team["ErrorCode"], 0);
        assert_eq!(team["Type"], "Public");
        assert_eq!(team["Owner_Account"], "boss");
        assert_eq!(team["MemberNum"], 3);
        assert_eq!(team["MaxMemberNum"], 2000);
        assert_eq!(team["ApplyJoinOption"], "NeedPermission");
        assert_eq!(team["NextMsgSeq"], 1);
        assert_eq!(team["MuteAllMember"], "Off");
        assert_eq!(team["Introduction"], "hello");
        assert_eq!(
            team["AppDefinedData"],
            json!([{"Key": "color", "Value": "red"}])
        );
        let roles: Vec<(String, String)> = team["MemberList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["Member_Account"].as_str().unwrap().into(),
                    m["Role"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            roles,
            [
                ("ann".into(), "Admin".into()),
                ("bob".into(), "Member".into()),
                ("boss".into(), "Owner".into())
            ]
        );
        assert_eq!(info["GroupInfo"][1]["ErrorCode"], 10010);
        let filtered = server
            .ok(INFO, json!({"GroupIdList": ["team"], "ResponseFilter": {"GroupBaseInfoFilter": ["Name", "MemberNum"]}}))
            .await;
        let only = filtered["GroupInfo"][0].as_object().unwrap();
        let mut keys: Vec<&str> = only.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["ErrorCode", "ErrorInfo", "GroupId", "MemberNum", "Name"]
        );
    }
);

on_both_engines!(
    members_join_leave_and_are_reported,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["owner", "m1", "m2", "m3", "m4", "vetoed"]).await;
        server
            .ok(CREATE, json!({"Type": "Public", "Name": "small", "GroupId": "small", "Owner_Account": "owner",
                "MaxMemberCount": 4, "MemberList": [{"Member_Account": "m1"}]}))
            .await;
        receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 0, "RefusedMembers_Account": ["vetoed"]}),
        )]);
        let added = server
            .ok(ADD, json!({"GroupId": "small", "MemberList": [
                {"Member_Account": "m1"}, {"Member_Account": "m2"}, {"Member_Account": "ghost"}, {"Member_Account": "vetoed"}]}))
            .await;
        assert_eq!(
            added["MemberList"],
            json!([
                {"Member_Account": "m1", "Result": 2},
                {"Member_Account": "m2", "Result": 1},
                {"Member_Account": "ghost", "Result": 0},
                {"Member_Account": "vetoed", "Result": 0}
            ])
        );
        let joined = receiver
            .wait_for("Group.CallbackAfterNewMemberJoin", 1)
            .await;
        assert_eq!(joined[0].body["JoinType"], "Invited");
        assert_eq!(
            joined[0].body["NewMemberList"],
            json!([{"Member_Account": "m2"}])
        );
        assert_eq!(joined[0].body["Operator_Account"], ADMIN);

        // Four fit; a fifth does not.
        server.fails(ADD, json!({"GroupId": "small", "MemberList": [{"Member_Account": "m3"}, {"Member_Account": "m4"}]}), 10014).await;
        server
            .ok(
                ADD,
                json!({"GroupId": "small", "MemberList": [{"Member_Account": "m3"}]}),
            )
            .await;
        receiver.wait_for("Group.CallbackAfterGroupFull", 1).await;
        server
            .fails(
                ADD,
                json!({"GroupId": "nope", "MemberList": [{"Member_Account": "m3"}]}),
                10010,
            )
            .await;

        let page = server
            .ok(
                MEMBERS,
                json!({"GroupId": "small", "Limit": 2, "Offset": 1}),
            )
            .await;
        assert_eq!(page["MemberNum"], 4);
        assert_eq!(page["MemberList"].as_array().unwrap().len(), 2);
        let admins = server
            .ok(MEMBERS, json!({"GroupId": "small", "MemberRoleFilter": ["Owner"], "MemberInfoFilter": ["Role"]}))
            .await;
        assert_eq!(
            admins["MemberList"],
            json!([{"Member_Account": "owner", "Role": "Owner"}])
        );
        let roles = server
            .ok(
                ROLES,
                json!({"GroupId": "small", "User_Account": ["owner", "m2", "m4"]}),
            )
            .await;
        assert_eq!(
            roles["UserIdList"],
            json!([
                {"Member_Account": "owner", "Role": "Owner"},
                {"Member_Account": "m2", "Role": "Member"},
                {"Member_Account": "m4", "Role": "NotMember"}
            ])
        );

        server
            .fails(
                DELETE,
                json!({"GroupId": "small", "MemberToDel_Account": ["owner"]}),
                10004,
            )
            .await;
        server
            .ok(
                DELETE,
                json!({"GroupId": "small", "MemberToDel_Account": ["m1", "m4"]}),
            )
            .await;
        let exit = receiver.wait_for("Group.CallbackAfterMemberExit", 1).await;
        assert_eq!(exit[0].body["ExitType"], "Kicked");
        assert_eq!(
            exit[0].body["ExitMemberList"],
            json!([{"Member_Account": "m1"}]),
            "non-members are ignored"
        );
        let info = server.ok(INFO, json!({"GroupIdList": ["small"], "ResponseFilter": {"GroupBaseInfoFilter": ["MemberNum"]}})).await;
        assert_eq!(info["GroupInfo"][0]["MemberNum"], 3);

        let mine = server
            .ok(JOINED, json!({"Member_Account": "m2", "ResponseFilter": {"GroupBaseInfoFilter": ["Name", "Type"], "SelfInfoFilter": ["Role", "UnreadMsgNum"]}}))
            .await;
        assert_eq!(mine["TotalCount"], 1);
        assert_eq!(
            mine["GroupIdList"],
            json!([{"GroupId": "small", "Name": "small", "Type": "Public", "SelfInfo": {"Role": "Member", "UnreadMsgNum": 0}}])
        );
        let bare = server.ok(JOINED, json!({"Member_Account": "m2"})).await;
        assert_eq!(
            bare["GroupIdList"],
            json!([{"GroupId": "small"}]),
            "only GroupId without a filter"
        );

        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live"}),
            )
            .await;
        server
            .fails(
                ADD,
                json!({"GroupId": "live", "MemberList": [{"Member_Account": "m2"}]}),
                10007,
            )
            .await;
        server
            .fails(
                DELETE,
                json!({"GroupId": "live", "MemberToDel_Account": ["m2"]}),
                10004,
            )
            .await;
        let too_many: Vec<Value> = (0..301)
            .map(|i| json!({"Member_Account": format!("x{i}")}))
            .collect();
        server
            .fails(
                ADD,
                json!({"GroupId": "small", "MemberList": too_many}),
                10005,
            )
            .await;
    }
);

on_both_engines!(
    profile_changes_and_disbanding_are_reported,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["o", "a"]).await;
        public_group(&server, "g", "o", &["a"]).await;
        server
            .ok(MODIFY, json!({"GroupId": "g", "Name": "renamed", "Notification": "news", "MaxMemberNum": 100,
                "MuteAllMember": "On", "AppDefinedData": [{"Key": "k", "Value": "v"}]}))
            .await;
        let changed = receiver
            .wait_for("Group.CallbackAfterGroupInfoChanged", 1)
            .await;
        let body = changed[0].body.as_object().unwrap();
        assert_eq!(body["Name"], "renamed");
        assert_eq!(body["Notification"], "news");
        assert!(
            !body.contains_key("Introduction") && !body.contains_key("FaceUrl"),
            "only what changed"
        );
        // Unchanged values and other fields report nothing.
        server
            .ok(
                MODIFY,
                json!({"GroupId": "g", "Name": "renamed", "ApplyJoinOption": "FreeAccess"}),
            )
            .await;
        server
            .ok(
                MODIFY,
                json!({"GroupId": "g", "AppDefinedData": [{"Key": "k", "Value": ""}]}),
            )
            .await;
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterGroupInfoChanged")
                .await,
            1
        );
        let info = server.ok(INFO, json!({"GroupIdList": ["g"]})).await;
        let g = &info["GroupInfo"][0];
        assert_eq!(g["Name"], "renamed");
        assert_eq!(g["MaxMemberNum"], 100);
        assert_eq!(g["MuteAllMember"], "On");
        assert_eq!(g["ApplyJoinOption"], "FreeAccess");
        assert_eq!(
            g["AppDefinedData"],
            json!([]),
            "an empty value deletes the key"
        );
        assert!(g["InfoSeq"].as_u64().unwrap() >= 3);
        server
            .fails(MODIFY, json!({"GroupId": "g", "MaxMemberNum": 1}), 10004)
            .await;
        server
            .fails(
                MODIFY,
                json!({"GroupId": "g", "MuteAllMember": "Maybe"}),
                10004,
            )
            .await;
        server
            .fails(MODIFY, json!({"GroupId": "nope", "Name": "x"}), 10010)
            .await;

        server
            .ok(SEND, send_body("g", "a", 1, "before the end"))
            .await;
        server.ok(DESTROY, json!({"GroupId": "g"})).await;
        let destroyed = receiver
            .wait_for("Group.CallbackAfterGroupDestroyed", 1)
            .await;
        assert_eq!(destroyed[0].body["Owner_Account"], "o");
        assert_eq!(destroyed[0].body["Name"], "renamed");
        let mut members = accounts(&destroyed[0].body["MemberList"], "Member_Account");
        members.sort();
        assert_eq!(members, ["a", "o"]);
        server.fails(DESTROY, json!({"GroupId": "g"}), 10010).await;
        let gone = server.ok(INFO, json!({"GroupIdList": ["g"]})).await;
        assert_eq!(gone["GroupInfo"][0]["ErrorCode"], 10010);
        let joined = server.ok(JOINED, json!({"Member_Account": "a"})).await;
        assert_eq!(joined["TotalCount"], 0);
        // The ID can be used again, with a fresh history.
        public_group(&server, "g", "o", &[]).await;
        assert_eq!(
            server.ok(SEND, send_body("g", "o", 2, "new")).await["MsgSeq"],
            1
        );
    }
);

on_both_engines!(
    the_app_group_list_pages_with_next,
    |server: TestServer| async move {
        import(&server, &["o"]).await;
        for i in 0..5 {
            let kind = if i % 2 == 0 { "Public" } else { "Private" };
            server
                .ok(CREATE, json!({"Type": kind, "Name": format!("g{i}"), "GroupId": format!("g{i}"), "Owner_Account": "o"}))
                .await;
        }
        let mut seen = Vec::new();
        let mut next = 0;
        loop {
            let page = server
                .ok(APP_GROUPS, json!({"Limit": 2, "Next": next}))
                .await;
            assert_eq!(page["TotalCount"], 5);
            seen.extend(accounts(&page["GroupIdList"], "GroupId"));
            next = page["Next"].as_u64().unwrap();
            if next == 0 {
                break;
            }
        }
        assert_eq!(
            seen,
            ["g0", "g1", "g2", "g3", "g4"],
            "creation order, each once"
        );
        let public = server.ok(APP_GROUPS, json!({"GroupType": "Public"})).await;
        assert_eq!(public["TotalCount"], 3);
        assert_eq!(
            accounts(&public["GroupIdList"], "GroupId"),
            ["g0", "g2", "g4"]
        );
        server.fails(APP_GROUPS, json!({"Limit": 0}), 10004).await;
    }
);

const OWNER: &str = "group_open_http_svc/change_group_owner";
const MODIFY_MEMBER: &str = "group_open_http_svc/modify_group_member_info";
const MUTE: &str = "group_open_http_svc/forbid_send_msg";
const MUTED: &str = "group_open_http_svc/get_group_muted_account";
const SHUTTED: &str = "group_open_http_svc/get_group_shutted_uin";
const RECALL: &str = "group_open_http_svc/group_msg_recall";

on_both_engines!(
    owners_roles_mutes_and_recalls,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["o", "a", "b", "out"]).await;
        public_group(&server, "g", "o", &["a", "b"]).await;

        server
            .fails(
                OWNER,
                json!({"GroupId": "g", "NewOwner_Account": "out"}),
                10004,
            )
            .await;
        server
            .ok(OWNER, json!({"GroupId": "g", "NewOwner_Account": "a"}))
            .await;
        let roles = server
            .ok(ROLES, json!({"GroupId": "g", "User_Account": ["o", "a"]}))
            .await;
        assert_eq!(
            roles["UserIdList"],
            json!([{"Member_Account": "o", "Role": "Member"}, {"Member_Account": "a", "Role": "Owner"}])
        );
        let owner = receiver
            .wait_for("Group.CallbackAfterChangeGroupOwner", 1)
            .await;
        assert_eq!(owner[0].body["OldOwner_Account"], "o");
        assert_eq!(owner[0].body["NewOwner_Account"], "a");

        server
            .ok(MODIFY_MEMBER, json!({"GroupId": "g", "Member_Account": "b", "Role": "Admin", "NameCard": "Bee",
                "MsgFlag": "AcceptNotNotify", "AppMemberDefinedData": [{"Key": "level", "Value": "3"}]}))
            .await;
        let field = receiver
            .wait_for("Group.CallbackAfterMemberFieldChanged", 1)
            .await;
        assert_eq!(field[0].body["Member_Account"], "b");
        assert_eq!(field[0].body["Role"], "Admin");
        assert_eq!(field[0].body["NameCard"], "Bee");
        // Only the message flag: nothing to report.
        server
            .ok(
                MODIFY_MEMBER,
                json!({"GroupId": "g", "Member_Account": "b", "MsgFlag": "Discard"}),
            )
            .await;
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterMemberFieldChanged")
                .await,
            1
        );
        let b = server
            .ok(MEMBERS, json!({"GroupId": "g", "MemberRoleFilter": ["Admin"], "AppDefinedDataFilter_GroupMember": ["level"]}))
            .await;
        let b = &b["MemberList"][0];
        assert_eq!(b["Member_Account"], "b");
        assert_eq!(b["NameCard"], "Bee");
        assert_eq!(b["MsgFlag"], "Discard");
        assert_eq!(
            b["AppMemberDefinedData"],
            json!([{"Key": "level", "Value": "3"}])
        );
        server
            .fails(
                MODIFY_MEMBER,
                json!({"GroupId": "g", "Member_Account": "a", "Role": "Member"}),
                10004,
            )
            .await;
        server
            .fails(
                MODIFY_MEMBER,
                json!({"GroupId": "g", "Member_Account": "out", "NameCard": "x"}),
                10004,
            )
            .await;
        server
            .fails(
                MODIFY_MEMBER,
                json!({"GroupId": "g", "Member_Account": "b", "Role": "Boss"}),
                10004,
            )
            .await;

        // Muting: by forbid_send_msg or per member; both list names answer.
        let now = server.clock.now_secs();
        server
            .ok(
                MUTE,
                json!({"GroupId": "g", "Members_Account": ["o", "out"], "MuteTime": 600}),
            )
            .await;
        server
            .ok(
                MODIFY_MEMBER,
                json!({"GroupId": "g", "Member_Account": "b", "ShutUpTime": 60}),
            )
            .await;
        let muted = server.ok(MUTED, json!({"GroupId": "g"})).await;
        let list = muted["MutedAccountList"].as_array().unwrap();
        assert_eq!(
            accounts(&muted["MutedAccountList"], "Member_Account"),
            ["b", "o"],
            "members only"
        );
        assert!(list[1]["MutedUntil"].as_i64().unwrap() >= now + 600);
        let old = server.ok(SHUTTED, json!({"GroupId": "g"})).await;
        assert_eq!(old["ShuttedUinList"].as_array().unwrap().len(), 2);
        assert!(old["ShuttedUinList"][0].get("ShuttedUntil").is_some());
        server
            .fails(SEND, send_body("g", "o", 1, "quiet please"), 10017)
            .await;
        server
            .ok(
                MUTE,
                json!({"GroupId": "g", "Members_Account": ["o"], "ShutUpTime": 0}),
            )
            .await;
        server.ok(SEND, send_body("g", "o", 2, "free again")).await;
        server.clock.advance_ms(61_000);
        assert_eq!(
            server.ok(MUTED, json!({"GroupId": "g"})).await["MutedAccountList"],
            json!([])
        );

        // Recalls: history shows a placeholder only when asked.
        server.ok(SEND, send_body("g", "a", 3, "oops")).await;
        let recalled = server
            .ok(RECALL, json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 2}, {"MsgSeq": 99}, {"MsgSeq": 2}]}))
            .await;
        assert_eq!(
            recalled["RecallRetList"],
            json!([{"MsgSeq": 2, "RetCode": 0}, {"MsgSeq": 99, "RetCode": 10030}, {"MsgSeq": 2, "RetCode": 10032}])
        );
        let report = receiver.wait_for("Group.CallbackAfterRecallMsg", 1).await;
        assert_eq!(report[0].body["MsgSeqList"], json!([{"MsgSeq": 2}]));
        let plain = server
            .ok(HISTORY, json!({"GroupId": "g", "ReqMsgNumber": 10}))
            .await;
        let seqs: Vec<u64> = plain["RspMsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgSeq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [1], "recalled messages are left out by default");
        let with = server
            .ok(
                HISTORY,
                json!({"GroupId": "g", "ReqMsgNumber": 10, "WithRecalledMsg": 1}),
            )
            .await;
        assert_eq!(with["RspMsgList"][0]["MsgSeq"], 2);
        assert_eq!(with["RspMsgList"][0]["IsPlaceMsg"], 2);
        assert_eq!(with["RspMsgList"][0]["MsgBody"], json!([]));
        server
            .fails(RECALL, json!({"GroupId": "g", "MsgSeqList": []}), 10004)
            .await;

        public_group(&server, "w", "o", &["a"]).await;
        let work = server
            .ok(
                CREATE,
                json!({"Type": "Private", "Name": "w2", "GroupId": "w2", "Owner_Account": "o"}),
            )
            .await;
        assert_eq!(work["GroupId"], "w2");
        server
            .fails(
                MUTE,
                json!({"GroupId": "w2", "Members_Account": ["o"], "MuteTime": 60}),
                10007,
            )
            .await;
    }
);

const GET_ATTR: &str = "group_open_attr_http_svc/get_group_attr";
const MODIFY_ATTR: &str = "group_open_http_svc/modify_group_attr";
const SET_ATTR: &str = "group_open_http_svc/set_group_attr";
const CLEAR_ATTR: &str = "group_open_http_svc/clear_group_attr";
const DELETE_ATTR: &str = "group_open_http_svc/delete_group_attr";
const GET_COUNTER: &str = "group_open_http_svc/get_group_counter";
const UPDATE_COUNTER: &str = "group_open_http_svc/update_group_counter";
const DELETE_COUNTER: &str = "group_open_http_svc/delete_group_counter";

on_both_engines!(attributes_and_counters, |server: TestServer| async move {
    let receiver = server.webhook_receiver().await;
    import(&server, &["o"]).await;
    public_group(&server, "g", "o", &[]).await;
    server
            .ok(MODIFY_ATTR, json!({"GroupId": "g", "GroupAttr": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}))
            .await;
    server
        .ok(
            MODIFY_ATTR,
            json!({"GroupId": "g", "GroupAttr": [{"key": "a", "value": "one"}]}),
        )
        .await;
    let attrs = server.ok(GET_ATTR, json!({"GroupId": "g"})).await;
    assert_eq!(
        attrs["GroupAttrAry"],
        json!([{"key": "a", "value": "one"}, {"key": "b", "value": "2"}])
    );
    server
        .fails(
            DELETE_ATTR,
            json!({"GroupId": "g", "GroupAttr": [{"key": "zz"}]}),
            10050,
        )
        .await;
    server
        .ok(
            DELETE_ATTR,
            json!({"GroupId": "g", "GroupAttr": [{"key": "a"}]}),
        )
        .await;
    assert_eq!(
        server.ok(GET_ATTR, json!({"GroupId": "g"})).await["GroupAttrAry"],
        json!([{"key": "b", "value": "2"}])
    );
    server.clock.advance_ms(1_000);
    server
        .ok(
            SET_ATTR,
            json!({"GroupId": "g", "GroupAttr": [{"key": "c", "value": "3"}]}),
        )
        .await;
    assert_eq!(
        server.ok(GET_ATTR, json!({"GroupId": "g"})).await["GroupAttrAry"],
        json!([{"key": "c", "value": "3"}])
    );
    server.ok(CLEAR_ATTR, json!({"GroupId": "g"})).await;
    assert_eq!(
        server.ok(GET_ATTR, json!({"GroupId": "g"})).await["GroupAttrAry"],
        json!([])
    );
    server
        .fails(
            MODIFY_ATTR,
            json!({"GroupId": "g", "GroupAttr": [{"key": "k".repeat(33), "value": "x"}]}),
            10045,
        )
        .await;
    // Five writes a second per group.
    server.clock.freeze(server.clock.now_ms() + 5_000);
    let mut refused = 0;
    for i in 0..6 {
        let reply = server
            .call(
                MODIFY_ATTR,
                json!({"GroupId": "g", "GroupAttr": [{"key": "n", "value": i.to_string()}]}),
            )
            .await;
        if reply["ErrorCode"] == 10049 {
            refused += 1;
        }
    }
    assert_eq!(refused, 1);
    let changes = receiver
        .wait_for("Group.CallbackAfterGroupAttrChanged", 9)
        .await;
    let kinds: Vec<&str> = changes
        .iter()
        .take(5)
        .map(|c| c.body["OptionType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["modify", "modify", "delete", "set", "clear"]);
    assert_eq!(
        changes[2].body["GroupAttr"],
        json!([{"key": "a", "value": "one"}])
    );
    assert_eq!(
        changes[4].body["GroupAttr"],
        json!([{"key": "c", "value": "3"}])
    );

    let set = server
            .ok(UPDATE_COUNTER, json!({"GroupId": "g", "GroupCounter": [{"Key": "likes", "Value": 10}, {"Key": "views", "Value": 3}]}))
            .await;
    assert_eq!(
        set["GroupCounter"],
        json!([{"Key": "likes", "Value": 10}, {"Key": "views", "Value": 3}])
    );
    let up = server
            .ok(UPDATE_COUNTER, json!({"GroupId": "g", "Mode": "Increase", "GroupCounter": [{"Key": "likes", "Value": 5}, {"Key": "new", "Value": 2}]}))
            .await;
    assert_eq!(
        up["GroupCounter"],
        json!([{"Key": "likes", "Value": 15}, {"Key": "new", "Value": 2}])
    );
    server.ok(UPDATE_COUNTER, json!({"GroupId": "g", "Mode": "Decrease", "GroupCounter": [{"Key": "views", "Value": 1}]})).await;
    let some = server
        .ok(
            GET_COUNTER,
            json!({"GroupId": "g", "GroupCounterKeys": ["views", "nope"]}),
        )
        .await;
    assert_eq!(some["GroupCounter"], json!([{"Key": "views", "Value": 2}]));
    server
        .ok(
            DELETE_COUNTER,
            json!({"GroupId": "g", "GroupCounterKeys": ["likes"]}),
        )
        .await;
    let all = server.ok(GET_COUNTER, json!({"GroupId": "g"})).await;
    assert_eq!(
        all["GroupCounter"],
        json!([{"Key": "views", "Value": 2}, {"Key": "new", "Value": 2}])
    );
    server
        .fails(
            UPDATE_COUNTER,
            json!({"GroupId": "g", "Mode": "Double", "GroupCounter": [{"Key": "x", "Value": 1}]}),
            10004,
        )
        .await;
    server
        .fails(GET_COUNTER, json!({"GroupId": "nope"}), 10010)
        .await;
    server
        .ok(
            CREATE,
            json!({"Type": "Community", "Name": "c", "GroupId": "@TGS#_c"}),
        )
        .await;
    server
        .fails(GET_COUNTER, json!({"GroupId": "@TGS#_c"}), 10007)
        .await;
});

on_both_engines!(
    declared_custom_fields_are_the_only_ones_taken,
    |server: TestServer| async move {
        // OTHER_APP declares group fields Color and Level and member field Seat (8 bytes each).
        let other = server.admin_query_for(OTHER_APP);
        let call = |api: &'static str, body: Value| {
            let server = &server;
            let other = other.clone();
            async move { server.call_with_query(api, &other, body.to_string()).await }
        };
        let code = |reply: &Value| reply["ErrorCode"].as_u64().unwrap();
        call(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["o", "m"]}),
        )
        .await;
        let kv = |k: &str, v: &str| json!([{"Key": k, "Value": v}]);
        let create = |data: Value| {
            json!({"Type": "Public", "Name": "g", "GroupId": "g", "Owner_Account": "o",
                "MemberList": [{"Member_Account": "m"}], "AppDefinedData": data})
        };
        let undeclared = call(CREATE, create(kv("Mood", "x"))).await;
        assert_eq!(code(&undeclared), 10004, "{undeclared}");
        assert!(undeclared["ErrorInfo"].as_str().unwrap().contains("Mood"));
        let too_long = call(CREATE, create(kv("Color", "123456789"))).await;
        assert_eq!(code(&too_long), 10004, "{too_long}");
        assert_eq!(code(&call(CREATE, create(kv("Color", "red"))).await), 0);
        let modify = |data: Value| json!({"GroupId": "g", "AppDefinedData": data});
        assert_eq!(code(&call(MODIFY, modify(kv("Mood", "x"))).await), 10004);
        assert_eq!(code(&call(MODIFY, modify(kv("Level", "9"))).await), 0);
        let member = |data: Value| json!({"GroupId": "g", "Member_Account": "m", "AppMemberDefinedData": data});
        const MEMBER: &str = "group_open_http_svc/modify_group_member_info";
        assert_eq!(code(&call(MEMBER, member(kv("Color", "x"))).await), 10004);
        assert_eq!(code(&call(MEMBER, member(kv("Seat", "A1"))).await), 0);
        let info = call(INFO, json!({"GroupIdList": ["g"]})).await;
        assert_eq!(
            info["GroupInfo"][0]["AppDefinedData"],
            json!([{"Key": "Color", "Value": "red"}, {"Key": "Level", "Value": "9"}])
        );
        // The default app declares none and takes any key.
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "g", "GroupId": "g",
                "AppDefinedData": [{"Key": "Mood", "Value": "anything goes"}]}),
            )
            .await;
    }
);

on_both_engines!(
    live_groups_ban_and_clients_join_and_quit,
    |server: TestServer| async move {
        const BAN: &str = "group_open_http_svc/ban_group_member";
        const UNBAN: &str = "group_open_http_svc/unban_group_member";
        const BANNED: &str = "group_open_http_svc/get_group_ban_member";
        const JOIN: &str = "Group.CallbackAfterNewMemberJoin";
        const EXIT: &str = "Group.CallbackAfterMemberExit";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann", "bob", "cat"]).await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live",
                "Owner_Account": "boss"}),
            )
            .await;
        let mut ann = Client::login(&server, "ann", "Android").await;
        let mut bob = Client::login(&server, "bob", "Android").await;
        ann.ok("join_group", json!({"GroupId": "live"})).await;
        bob.ok("join_group", json!({"GroupId": "live"})).await;
        let joined = receiver.wait_for(JOIN, 2).await;
        assert_eq!(joined[0].body["JoinType"], "Apply");
        assert_eq!(joined[0].body["Operator_Account"], "ann");
        assert_eq!(
            joined[0].body["NewMemberList"],
            json!([{"Member_Account": "ann"}])
        );
        assert_eq!(joined[0].query["OptPlatform"], "Android");
        assert_eq!(joined[0].query["ClientIP"], "127.0.0.1");
        let again = ann.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(again["ErrorCode"], 10013);

        // Banning puts members out and keeps them out.
        server
            .ok(
                BAN,
                json!({"GroupId": "live", "Members_Account": ["ann", "cat"], "Duration": 100,
                    "Description": "spam"}),
            )
            .await;
        let kicked = receiver.wait_for(EXIT, 1).await;
        assert_eq!(kicked[0].body["ExitType"], "Kicked");
        assert_eq!(
            kicked[0].body["ExitMemberList"],
            json!([{"Member_Account": "ann"}])
        );
        let page = server
            .ok(BANNED, json!({"GroupId": "live", "Offset": 0, "Limit": 1}))
            .await;
        assert_eq!(page["BannedAccountList"].as_array().unwrap().len(), 1);
        assert_eq!(page["BannedAccountList"][0]["Member_Account"], "ann");
        let until = page["BannedAccountList"][0]["BannedUntil"]
            .as_i64()
            .unwrap();
        assert!(until > 1_600_000_000, "{page}");
        assert_eq!(page["NextOffset"], 1);
        let rest = server
            .ok(BANNED, json!({"GroupId": "live", "Offset": 1, "Limit": 1}))
            .await;
        assert_eq!(rest["BannedAccountList"][0]["Member_Account"], "cat");
        assert_eq!(rest["NextOffset"], 0);
        let banned = ann.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(banned["ErrorCode"], 10007);
        server
            .ok(
                UNBAN,
                json!({"GroupId": "live", "Members_Account": ["ann", "bob"]}),
            )
            .await;
        ann.ok("join_group", json!({"GroupId": "live"})).await;
        let left = server
            .ok(BANNED, json!({"GroupId": "live", "Offset": 0}))
            .await;
        assert_eq!(
            left["BannedAccountList"],
            json!([{"Member_Account": "cat", "BannedUntil": until}])
        );

        // Refusals.
        public_group(&server, "pub", "boss", &["ann"]).await;
        let ban = |group: &str, accounts: Value, duration: u32| json!({"GroupId": group, "Members_Account": accounts, "Duration": duration});
        server
            .fails(BAN, ban("pub", json!(["ann"]), 10), 10007)
            .await;
        server
            .fails(BANNED, json!({"GroupId": "pub", "Offset": 0}), 10007)
            .await;
        let many: Vec<String> = (0..21).map(|i| format!("u{i}")).collect();
        server.fails(BAN, ban("live", json!(many), 10), 10004).await;
        server
            .fails(BAN, ban("live", json!(["ann"]), 0), 10004)
            .await;
        server
            .fails(BAN, ban("live", json!(["boss"]), 10), 10004)
            .await;
        server
            .fails(BAN, ban("live", json!(["ghost"]), 10), 10019)
            .await;
        server
            .fails(BAN, ban("nope", json!(["ann"]), 10), 10010)
            .await;
        server
            .fails(
                BANNED,
                json!({"GroupId": "live", "Offset": 0, "Limit": 101}),
                10004,
            )
            .await;

        // Leaving: members may, owners only of Work groups.
        let mut boss = Client::login(&server, "boss", "Android").await;
        let mut cat = Client::login(&server, "cat", "Android").await;
        bob.ok("quit_group", json!({"GroupId": "live"})).await;
        let quit = receiver.wait_for(EXIT, 2).await;
        assert_eq!(quit[1].body["ExitType"], "Quit");
        assert_eq!(quit[1].body["Operator_Account"], "bob");
        assert_eq!(
            boss.request("quit_group", json!({"GroupId": "live"})).await["ErrorCode"],
            10009
        );
        assert_eq!(
            bob.request("quit_group", json!({"GroupId": "live"})).await["ErrorCode"],
            10007
        );
        server
            .ok(
                CREATE,
                json!({"Type": "Private", "Name": "w", "GroupId": "work",
                "Owner_Account": "boss", "MemberList": [{"Member_Account": "ann"}]}),
            )
            .await;
        assert_eq!(
            bob.request("join_group", json!({"GroupId": "work"})).await["ErrorCode"],
            10007
        );
        boss.ok("quit_group", json!({"GroupId": "work"})).await;
        let info = server.ok(INFO, json!({"GroupIdList": ["work"]})).await;
        assert_eq!(info["GroupInfo"][0]["Owner_Account"], "");
        assert_eq!(info["GroupInfo"][0]["MemberNum"], 1);

        // Public groups: at once with FreeAccess (not past the cap), after approval with
        // NeedPermission (the default), never with DisableApply.
        assert_eq!(
            bob.ok("join_group", json!({"GroupId": "pub"})).await["Pending"],
            1
        );
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "shut", "GroupId": "shut",
                "Owner_Account": "boss", "ApplyJoinOption": "DisableApply"}),
            )
            .await;
        assert_eq!(
            bob.request("join_group", json!({"GroupId": "shut"})).await["ErrorCode"],
            10007
        );
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "open", "GroupId": "open",
                "Owner_Account": "boss", "ApplyJoinOption": "FreeAccess", "MaxMemberCount": 2}),
            )
            .await;
        bob.ok("join_group", json!({"GroupId": "open"})).await;
        receiver.wait_for("Group.CallbackAfterGroupFull", 1).await;
        assert_eq!(
            cat.request("join_group", json!({"GroupId": "open"})).await["ErrorCode"],
            10014
        );
    }
);

on_both_engines!(
    before_apply_join_can_refuse_a_client_join,
    |server: TestServer| async move {
        const ASK: &str = "Group.CallbackBeforeApplyJoinGroup";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann"]).await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live",
                "Owner_Account": "boss"}),
            )
            .await;
        receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        receiver
            .settled_count(&server, "Group.CallbackAfterCreateGroup")
            .await;
        // The login's own callback goes first, so the scripted answer meets the join.
        let mut ann = Client::login(&server, "ann", "Web").await;
        receiver.wait_for("State.StateChange", 1).await;
        receiver.settled_count(&server, "State.StateChange").await;
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 10123, "ErrorInfo": "come back later"}),
        )]);
        let refused = ann.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(
            (&refused["ErrorCode"], &refused["ErrorInfo"]),
            (&json!(10123), &json!("come back later"))
        );
        ann.ok("join_group", json!({"GroupId": "live"})).await;
        let asked = receiver.wait_for(ASK, 2).await;
        let body = asked[1].body.as_object().unwrap();
        assert_eq!(body["GroupId"], "live");
        assert_eq!(body["Type"], "AVChatRoom");
        assert_eq!(body["Requestor_Account"], "ann");
        assert!(body["EventTime"].as_u64().unwrap() > 0);
        assert_eq!(asked[1].query["OptPlatform"], "Web");
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterNewMemberJoin")
                .await,
            1,
            "only the allowed join"
        );
        // A join that cannot go ahead is refused without asking the app.
        let again = ann.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(again["ErrorCode"], 10013);
        assert_eq!(receiver.settled_count(&server, ASK).await, 2);
    }
);
