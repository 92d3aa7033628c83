//! `group_open_http_svc`: creating groups, members joining and leaving, profile changes and
//! disbanding, the app's group list, and the before-join callback, with a webhook receiver.

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
