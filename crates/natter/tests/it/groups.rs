//! `group_open_http_svc`: groups, members and group messages, with a webhook receiver.

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::receiver::Answer;

const CREATE: &str = "group_open_http_svc/create_group";
const INFO: &str = "group_open_http_svc/get_group_info";
const MODIFY: &str = "group_open_http_svc/modify_group_base_info";
const DESTROY: &str = "group_open_http_svc/destroy_group";
const ADD: &str = "group_open_http_svc/add_group_member";
const DELETE: &str = "group_open_http_svc/delete_group_member";
const MEMBERS: &str = "group_open_http_svc/get_group_member_info";
const ROLES: &str = "group_open_http_svc/get_role_in_group";
const JOINED: &str = "group_open_http_svc/get_joined_group_list";
const APP_GROUPS: &str = "group_open_http_svc/get_appid_group_list";
const SEND: &str = "group_open_http_svc/send_group_msg";
const HISTORY: &str = "group_open_http_svc/group_msg_get_simple";

fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

fn send_body(group: &str, from: &str, random: u32, t: &str) -> Value {
    json!({"GroupId": group, "From_Account": from, "Random": random, "MsgBody": text(t)})
}

fn accounts(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

async fn public_group(server: &TestServer, id: &str, owner: &str, members: &[&str]) {
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
    group_messages_take_sequences_and_page_back,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["o", "a", "b"]).await;
        public_group(&server, "chat", "o", &["a", "b"]).await;
        let mut seqs = Vec::new();
        for i in 0..25u32 {
            let from = ["o", "a", "b"][i as usize % 3];
            let sent = server
                .ok(SEND, send_body("chat", from, 1000 + i, &format!("m{i:02}")))
                .await;
            seqs.push(sent["MsgSeq"].as_u64().unwrap());
        }
        assert_eq!(
            seqs,
            (1..=25).collect::<Vec<u64>>(),
            "MsgSeq from 1, no gaps"
        );
        // The same Random from the same sender within five minutes is the same message.
        let again = server
            .ok(SEND, send_body("chat", "o", 1000, "m00 again"))
            .await;
        assert_eq!(again["MsgSeq"], 1);

        let first = server
            .ok(HISTORY, json!({"GroupId": "chat", "ReqMsgNumber": 20}))
            .await;
        let list = first["RspMsgList"].as_array().unwrap();
        assert_eq!(list.len(), 20);
        assert_eq!(list[0]["MsgSeq"], 25, "newest first");
        assert_eq!(list[0]["MsgBody"], text("m24"));
        assert_eq!(list[0]["From_Account"], "o");
        assert_eq!(list[0]["MsgRandom"], 1024);
        assert_eq!(list[0]["MsgPriority"], 2);
        assert_eq!(list[0]["IsPlaceMsg"], 0);
        let oldest = list.last().unwrap()["MsgSeq"].as_u64().unwrap();
        let rest = server
            .ok(
                HISTORY,
                json!({"GroupId": "chat", "ReqMsgNumber": 20, "ReqMsgSeq": oldest - 1}),
            )
            .await;
        let seqs: Vec<u64> = rest["RspMsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgSeq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [5, 4, 3, 2, 1]);
        server
            .fails(
                HISTORY,
                json!({"GroupId": "chat", "ReqMsgNumber": 21}),
                10004,
            )
            .await;

        // Unread counts come from sequences: b sent 8 of the 25, the last at seq 24.
        let joined = server
            .ok(JOINED, json!({"Member_Account": "b", "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum", "MsgSeq"]}}))
            .await;
        assert_eq!(
            joined["GroupIdList"][0]["SelfInfo"],
            json!({"MsgSeq": 24, "UnreadMsgNum": 1})
        );

        let afters = receiver.wait_for("Group.CallbackAfterSendMsg", 25).await;
        assert_eq!(afters[0].body["MsgSeq"], 1);
        assert_eq!(afters[0].body["GroupId"], "chat");
        assert_eq!(afters[0].body["Type"], "Public");
        assert_eq!(afters[0].body["Operator_Account"], ADMIN);
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterSendMsg")
                .await,
            25,
            "the repeat reports nothing"
        );

        // Before-callback: deny, drop, rewrite; forbidding skips both callbacks.
        receiver.script([
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "spam"})),
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 2})),
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 0, "MsgBody": text("clean")})),
        ]);
        server
            .fails(SEND, send_body("chat", "a", 2001, "bad"), 10016)
            .await;
        let dropped = server
            .ok(SEND, send_body("chat", "a", 2002, "dropped"))
            .await;
        assert_eq!(dropped["MsgSeq"], 0);
        let rewritten = server.ok(SEND, send_body("chat", "a", 2003, "dirty")).await;
        assert_eq!(rewritten["MsgSeq"], 26);
        let mut quiet = send_body("chat", "a", 2004, "quiet");
        quiet["ForbidCallbackControl"] =
            json!(["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"]);
        assert_eq!(server.ok(SEND, quiet).await["MsgSeq"], 27);
        let newest = server
            .ok(HISTORY, json!({"GroupId": "chat", "ReqMsgNumber": 2}))
            .await;
        assert_eq!(newest["RspMsgList"][1]["MsgBody"], text("clean"));
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterSendMsg")
                .await,
            26
        );

        // Online-only messages take no sequence and are not kept.
        let mut online = send_body("chat", "a", 2005, "now only");
        online["OnlineOnlyFlag"] = json!(1);
        assert_eq!(server.ok(SEND, online).await["MsgSeq"], 0);
        assert_eq!(
            server.ok(SEND, send_body("chat", "a", 2006, "kept")).await["MsgSeq"],
            28
        );

        // 40 messages per second per group (a second no earlier send was in).
        server.clock.freeze(server.clock.now_ms() + 5_000);
        let mut refused = 0;
        for i in 0..41u32 {
            let reply = server
                .call(SEND, send_body("chat", "o", 3000 + i, "burst"))
                .await;
            if reply["ErrorCode"] == 10023 {
                refused += 1;
            }
        }
        assert_eq!(refused, 1, "the 41st message of the second is refused");
        // High-priority messages are never refused by the limit; low ones go first.
        let mut high = send_body("chat", "o", 3100, "control");
        high["MsgPriority"] = json!("High");
        server.ok(SEND, high).await;
        server.clock.advance_ms(1_000);
        let mut lowest_refused = 0;
        for i in 0..21u32 {
            let mut body = send_body("chat", "o", 3200 + i, "chatter");
            body["MsgPriority"] = json!("Lowest");
            if server.call(SEND, body).await["ErrorCode"] == 10023 {
                lowest_refused += 1;
            }
        }
        assert_eq!(lowest_refused, 1, "Lowest gets half of the 40");
        server
            .ok(SEND, send_body("chat", "o", 3300, "normal still goes"))
            .await;
        server.clock.advance_ms(1_000);

        server
            .fails(SEND, send_body("nope", "a", 1, "x"), 10010)
            .await;
        server
            .fails(SEND, send_body("chat", "ghost", 1, "x"), 10019)
            .await;
        server
            .fails(
                SEND,
                json!({"GroupId": "chat", "Random": 1, "MsgBody": []}),
                10004,
            )
            .await;
        server.fails(SEND, json!({"GroupId": "chat", "Random": 1, "MsgBody": text("x"), "MsgPriority": "Urgent"}), 10004).await;
    }
);

on_both_engines!(
    concurrent_senders_get_every_sequence_once,
    |server: TestServer| async move {
        let senders: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
        let mut ids: Vec<&str> = senders.iter().map(String::as_str).collect();
        ids.push("owner");
        import(&server, &ids).await;
        public_group(&server, "busy", "owner", &ids[..20]).await;
        // 20 senders × 2 messages: within the 40 per second.
        let calls = (0..40u32).map(|i| {
            let from = senders[i as usize % 20].clone();
            let server = &server;
            async move {
                server.ok(SEND, send_body("busy", &from, i, "hi")).await["MsgSeq"]
                    .as_u64()
                    .unwrap()
            }
        });
        let mut seqs = futures::future::join_all(calls).await;
        seqs.sort();
        assert_eq!(
            seqs,
            (1..=40).collect::<Vec<u64>>(),
            "1..N, no gap, no repeat"
        );
        let mut stored = Vec::new();
        let mut next: Option<u64> = None;
        loop {
            let mut body = json!({"GroupId": "busy", "ReqMsgNumber": 20});
            if let Some(n) = next {
                body["ReqMsgSeq"] = json!(n);
            }
            let page = server.ok(HISTORY, body).await;
            let list = page["RspMsgList"].as_array().unwrap();
            if list.is_empty() {
                break;
            }
            stored.extend(list.iter().map(|m| m["MsgSeq"].as_u64().unwrap()));
            let oldest = *stored.last().unwrap();
            if oldest == 1 {
                break;
            }
            next = Some(oldest - 1);
        }
        assert_eq!(stored, (1..=40).rev().collect::<Vec<u64>>());
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

const IMPORT_GROUP: &str = "group_open_http_svc/import_group";
const IMPORT_MEMBERS: &str = "group_open_http_svc/import_group_member";
const IMPORT_MSGS: &str = "group_open_http_svc/import_group_msg";
const SET_UNREAD: &str = "group_open_http_svc/set_unread_msg_num";
const DELETE_BY_SENDER: &str = "group_open_http_svc/delete_group_msg_by_sender";

on_both_engines!(
    imports_unread_counts_and_deletions,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["o", "a", "b"]).await;
        let now = server.clock.now_secs();
        let created = server
            .ok(IMPORT_GROUP, json!({"Type": "Public", "Name": "old", "GroupId": "old", "Owner_Account": "o", "CreateTime": now - 1000}))
            .await;
        assert_eq!(created["GroupId"], "old");
        server
            .fails(
                IMPORT_GROUP,
                json!({"Type": "AVChatRoom", "Name": "live"}),
                10007,
            )
            .await;
        let members = server
            .ok(
                IMPORT_MEMBERS,
                json!({"GroupId": "old", "MemberList": [
                {"Member_Account": "a", "Role": "Admin", "JoinTime": now - 900},
                {"Member_Account": "o"}, {"Member_Account": "ghost"}]}),
            )
            .await;
        assert_eq!(
            members["MemberList"],
            json!([
                {"Member_Account": "a", "Result": 1},
                {"Member_Account": "o", "Result": 2},
                {"Member_Account": "ghost", "Result": 0}
            ])
        );
        let msg = |from: &str, t: i64, r: u32| json!({"From_Account": from, "SendTime": t, "Random": r, "MsgBody": text(&format!("{from}@{t}"))});
        let imported = server
            .ok(IMPORT_MSGS, json!({"GroupId": "old", "MsgList": [
                msg("o", now - 800, 1), msg("a", now - 700, 2), msg("a", now - 750, 3), msg("o", now + 60, 4)]}))
            .await;
        let results: Vec<(u64, u64)> = imported["ImportMsgResult"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["MsgSeq"].as_u64().unwrap(), r["Result"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            results,
            [(1, 0), (2, 0), (0, 10004), (0, 10004)],
            "out of order or in the future: 10004"
        );
        let info = server.ok(INFO, json!({"GroupIdList": ["old"], "ResponseFilter": {"GroupBaseInfoFilter": ["CreateTime", "NextMsgSeq", "MemberNum"]}})).await;
        assert_eq!(info["GroupInfo"][0]["CreateTime"], now - 1000);
        assert_eq!(info["GroupInfo"][0]["NextMsgSeq"], 3);
        assert_eq!(info["GroupInfo"][0]["MemberNum"], 2);
        let too_many: Vec<Value> = (0..8)
            .map(|i| msg("o", now - 100 + i, 10 + i as u32))
            .collect();
        server
            .fails(
                IMPORT_MSGS,
                json!({"GroupId": "old", "MsgList": too_many}),
                10004,
            )
            .await;

        // Imported messages count as read; set_unread_msg_num moves a member's position.
        assert_eq!(unread_of(&server, "a").await, 0);
        server
            .ok(
                SET_UNREAD,
                json!({"GroupId": "old", "Member_Account": "a", "UnreadMsgNum": 1}),
            )
            .await;
        assert_eq!(unread_of(&server, "a").await, 1);
        server
            .ok(
                SET_UNREAD,
                json!({"GroupId": "old", "Member_Account": "a", "UnreadMsgNum": 50}),
            )
            .await;
        assert_eq!(
            unread_of(&server, "a").await,
            2,
            "at most what the group holds"
        );
        server
            .fails(
                SET_UNREAD,
                json!({"GroupId": "old", "Member_Account": "b", "UnreadMsgNum": 1}),
                10004,
            )
            .await;

        // Deleting a sender's messages leaves placeholders.
        server.ok(SEND, send_body("old", "o", 5, "live one")).await;
        server
            .ok(
                DELETE_BY_SENDER,
                json!({"GroupId": "old", "Sender_Account": "a"}),
            )
            .await;
        let history = server
            .ok(HISTORY, json!({"GroupId": "old", "ReqMsgNumber": 10}))
            .await;
        let list = history["RspMsgList"].as_array().unwrap();
        let shapes: Vec<(u64, u64)> = list
            .iter()
            .map(|m| {
                (
                    m["MsgSeq"].as_u64().unwrap(),
                    m["IsPlaceMsg"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(shapes, [(3, 0), (2, 1), (1, 0)]);
        assert_eq!(list[1]["MsgBody"], json!([]));
        assert_eq!(list[2]["MsgBody"], text(&format!("o@{}", now - 800)));

        server.ok(CREATE, json!({"Type": "ChatRoom", "Name": "meet", "GroupId": "meet", "Owner_Account": "o"})).await;
        server
            .fails(
                SET_UNREAD,
                json!({"GroupId": "meet", "Member_Account": "o", "UnreadMsgNum": 1}),
                10007,
            )
            .await;
        // Imports report nothing.
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterCreateGroup")
                .await,
            1
        );
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterNewMemberJoin")
                .await,
            0
        );
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterSendMsg")
                .await,
            1
        );
    }
);

async fn unread_of(server: &TestServer, who: &str) -> Value {
    let body =
        json!({"Member_Account": who, "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum"]}});
    server.ok(JOINED, body).await["GroupIdList"][0]["SelfInfo"]["UnreadMsgNum"].clone()
}

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
    failed_sends_are_reported_as_exceptions,
    |server: TestServer| async move {
        const EXCEPTION: &str = "Group.CallbackSendMsgException";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        receiver
            .settled_count(&server, "Group.CallbackAfterCreateGroup")
            .await;
        // The app's own refusal is not an exception.
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "no"}),
        )]);
        server
            .fails(SEND, send_body("g", "boss", 1, "denied"), 10016)
            .await;
        server
            .ok(
                "group_open_http_svc/forbid_send_msg",
                json!({"GroupId": "g", "Members_Account": ["ann"], "MuteTime": 100}),
            )
            .await;
        let mut body = send_body("g", "ann", 77, "muted");
        body["CloudCustomData"] = "ccd".into();
        server.fails(SEND, body, 10017).await;
        let got = receiver.wait_for(EXCEPTION, 1).await;
        let report = got[0].body.as_object().unwrap();
        assert_eq!(report["GroupId"], "g");
        assert_eq!(report["Type"], "Public");
        assert_eq!(report["From_Account"], "ann");
        assert_eq!(report["Operator_Account"], ADMIN);
        assert_eq!(report["Random"], 77);
        assert_eq!(report["OnlineOnlyFlag"], 0);
        assert_eq!(report["MsgBody"], text("muted"));
        assert_eq!(report["CloudCustomData"], "ccd");
        assert_eq!(report["ErrorCode"], 10017);
        assert!(!report["ErrorInfo"].as_str().unwrap().is_empty());
        assert!(report["EventTime"].as_u64().unwrap() > 0);
        assert!(!report.contains_key("TopicId"));
        assert_eq!(got[0].query["OptPlatform"], "RESTAPI");
        assert_eq!(receiver.settled_count(&server, EXCEPTION).await, 1);
        // A group that does not exist has no type to report: no exception.
        server
            .fails(SEND, send_body("nope", "boss", 2, "x"), 10010)
            .await;
        assert_eq!(receiver.settled_count(&server, EXCEPTION).await, 1);
    }
);

on_both_engines!(
    group_history_can_be_modified,
    |server: TestServer| async move {
        const MODIFY_MSG: &str = "openim/modify_group_msg";
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        server.ok(SEND, send_body("g", "ann", 1, "first")).await;
        server.ok(SEND, send_body("g", "ann", 2, "second")).await;
        server
            .ok(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 1, "MsgBody": text("edited"),
                    "CloudCustomData": "cd"}),
            )
            .await;
        server
            .ok(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 2, "CloudCustomData": "only data"}),
            )
            .await;
        let page = server
            .ok(HISTORY, json!({"GroupId": "g", "ReqMsgNumber": 20}))
            .await;
        let list = page["RspMsgList"].as_array().unwrap();
        assert_eq!(list[1]["MsgBody"], text("edited"));
        assert_eq!(list[1]["CloudCustomData"], "cd");
        assert_eq!(list[1]["From_Account"], "ann", "sender and time stay");
        assert_eq!(list[0]["MsgBody"], text("second"), "body kept");
        assert_eq!(list[0]["CloudCustomData"], "only data");

        server
            .fails(MODIFY_MSG, json!({"GroupId": "g", "MsgSeq": 1}), 90001)
            .await;
        server
            .fails(MODIFY_MSG, json!({"GroupId": "g", "MsgSeq": "x"}), 90001)
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 1, "MsgBody": "not an array"}),
                90007,
            )
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 9, "CloudCustomData": "x"}),
                10030,
            )
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "nope", "MsgSeq": 1, "CloudCustomData": "x"}),
                10010,
            )
            .await;
        server
            .ok(
                "group_open_http_svc/group_msg_recall",
                json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 1, "CloudCustomData": "x"}),
                10032,
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
    group_message_extensions_are_versioned,
    |server: TestServer| async move {
        const GET_EXT: &str = "openim_msg_ext_http_svc/group_get_key_values";
        const SET_EXT: &str = "openim_msg_ext_http_svc/group_set_key_values";
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        let mut with_ext = send_body("g", "ann", 1, "vote");
        with_ext["SupportMessageExtension"] = 1.into();
        server.ok(SEND, with_ext).await;
        server.ok(SEND, send_body("g", "ann", 2, "plain")).await;
        let set = |op: u32, list: Value| json!({"GroupId": "g", "MsgSeq": 1, "OperateType": op, "ExtensionList": list});
        let kv = |k: &str, v: &str| json!({"Key": k, "Value": v, "Seq": 0});

        let first = server
            .ok(SET_EXT, set(1, json!([kv("k1", "v1"), kv("k2", "v2")])))
            .await;
        assert_eq!(
            first["ExtensionList"],
            json!([{"ErrorCode": 0, "Extension": {"Key": "k1", "Value": "v1", "Seq": 1}},
                   {"ErrorCode": 0, "Extension": {"Key": "k2", "Value": "v2", "Seq": 1}}])
        );
        server.ok(SET_EXT, set(1, json!([kv("k1", "v1b")]))).await;
        let all = server
            .ok(GET_EXT, json!({"GroupId": "g", "MsgSeq": 1}))
            .await;
        assert_eq!(all["LatestSeq"], 2);
        assert_eq!(all["ClearSeq"], 0);
        assert_eq!(all["CompleteFlag"], 1);
        assert_eq!(
            all["ExtensionList"],
            json!([{"Key": "k2", "Value": "v2", "Seq": 1}, {"Key": "k1", "Value": "v1b", "Seq": 2}])
        );
        let newer = server
            .ok(GET_EXT, json!({"GroupId": "g", "MsgSeq": 1, "StartSeq": 2}))
            .await;
        assert_eq!(newer["ExtensionList"].as_array().unwrap().len(), 1);
        let deleted = server.ok(SET_EXT, set(2, json!([kv("k2", "")]))).await;
        assert_eq!(
            deleted["ExtensionList"][0]["Extension"],
            json!({"Key": "k2", "Value": "", "Seq": 3})
        );
        server
            .ok(
                SET_EXT,
                json!({"GroupId": "g", "MsgSeq": 1, "OperateType": 3}),
            )
            .await;
        let cleared = server
            .ok(GET_EXT, json!({"GroupId": "g", "MsgSeq": 1}))
            .await;
        assert_eq!(
            (cleared["LatestSeq"].clone(), cleared["ClearSeq"].clone()),
            (json!(4), json!(4))
        );
        assert_eq!(cleared["ExtensionList"], json!([]));

        // Refusals.
        server
            .fails(GET_EXT, json!({"GroupId": "g", "MsgSeq": 2}), 90001)
            .await;
        server
            .fails(GET_EXT, json!({"GroupId": "g", "MsgSeq": 99}), 10030)
            .await;
        server
            .fails(SET_EXT, set(9, json!([kv("k", "v")])), 90001)
            .await;
        let many: Vec<Value> = (0..21).map(|i| kv(&format!("k{i}"), "v")).collect();
        server.fails(SET_EXT, set(1, json!(many)), 90001).await;
        server
            .fails(SET_EXT, set(1, json!([kv(&"k".repeat(101), "v")])), 90001)
            .await;
        server
            .fails(GET_EXT, json!({"GroupId": "nope", "MsgSeq": 1}), 10010)
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "Community", "Name": "c", "GroupId": "@TGS#_c"}),
            )
            .await;
        server
            .fails(GET_EXT, json!({"GroupId": "@TGS#_c", "MsgSeq": 1}), 10007)
            .await;
    }
);

on_both_engines!(
    read_receipts_count_from_read_positions,
    |server: TestServer| async move {
        const RECEIPTS: &str = "group_open_http_svc/get_group_msg_receipt";
        const DETAIL: &str = "group_open_http_svc/get_group_msg_receipt_detail";
        const READ: &str = "Group.CallbackAfterReadReceipt";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann", "bob", "cat", "out"]).await;
        public_group(&server, "g", "boss", &["ann", "bob", "cat"]).await;
        let mut asks = send_body("g", "ann", 1, "seen?");
        asks["NeedReadReceipt"] = 1.into();
        server.ok(SEND, asks).await;
        server.ok(SEND, send_body("g", "ann", 2, "plain")).await;
        let seqs = json!([{"MsgSeq": 1}, {"MsgSeq": 2}, {"MsgSeq": 99}]);
        let before = server
            .ok(RECEIPTS, json!({"GroupId": "g", "MsgSeqList": seqs}))
            .await;
        assert_eq!(
            before["GroupMsgReceiptList"][0],
            json!({"Code": 0, "MsgSeq": 1, "ReadNum": 0, "UnreadNum": 3}),
            "the sender counts on neither side"
        );
        assert_eq!(before["GroupMsgReceiptList"][1]["Code"], 10062);
        assert_eq!(before["GroupMsgReceiptList"][2]["Code"], 10062);

        let mut bob = Client::login(&server, "bob", "iPad").await;
        let mut out = Client::login(&server, "out", "iPad").await;
        bob.ok(
            "send_group_msg_read_receipt",
            json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
        )
        .await;
        let reported = receiver.wait_for(READ, 1).await;
        let body = reported[0].body.as_object().unwrap();
        assert_eq!(body["GroupId"], "g");
        assert_eq!(body["Type"], "Public");
        assert_eq!(
            body["GroupMsgReceiptList"],
            json!([{"MsgSeq": 1, "ReadNum": 1, "UnreadNum": 2,
                "ReadReceiptMembers": [{"Member_Account": "bob"}]}])
        );
        assert!(body["EventTime"].as_u64().unwrap() > 0);
        assert_eq!(reported[0].query["OptPlatform"], "iPad");
        let err = out
            .request(
                "send_group_msg_read_receipt",
                json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        assert_eq!(err["ErrorCode"], 10007);

        let after = server
            .ok(
                RECEIPTS,
                json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        assert_eq!(after["GroupMsgReceiptList"][0]["ReadNum"], 1);
        assert_eq!(after["GroupMsgReceiptList"][0]["UnreadNum"], 2);
        let read = server
            .ok(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 0, "Cursor": "", "Count": 10}),
            )
            .await;
        assert_eq!(read["ReadList"], json!([{"Read_Account": "bob"}]));
        assert_eq!(
            (read["IsFinished"].clone(), read["Cursor"].clone()),
            (json!(1), json!(""))
        );
        // Unread, one per page, in join order (same second: by account).
        let first = server
            .ok(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 1, "Cursor": "", "Count": 1}),
            )
            .await;
        assert_eq!(first["UnreadList"], json!([{"Unread_Account": "boss"}]));
        assert_eq!(first["IsFinished"], 0);
        let cursor = first["Cursor"].as_str().unwrap().to_owned();
        let second = server
            .ok(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 1, "Cursor": cursor, "Count": 1}),
            )
            .await;
        assert_eq!(second["UnreadList"], json!([{"Unread_Account": "cat"}]));
        assert_eq!(second["IsFinished"], 1);

        // Refusals.
        server
            .fails(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 2, "Filter": 0}),
                10062,
            )
            .await;
        server
            .fails(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 2}),
                10004,
            )
            .await;
        server
            .fails(RECEIPTS, json!({"GroupId": "g", "MsgSeqList": []}), 10004)
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "l", "GroupId": "live"}),
            )
            .await;
        server
            .fails(
                RECEIPTS,
                json!({"GroupId": "live", "MsgSeqList": [{"MsgSeq": 1}]}),
                10007,
            )
            .await;
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

on_both_engines!(
    mentions_reach_the_after_send_callback,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        let mut body = send_body("g", "ann", 1, "@all @boss");
        body["GroupAtInfo"] =
            json!([{"GroupAtAllFlag": 1}, {"GroupAtAllFlag": 0, "GroupAt_Account": "boss"}]);
        server.ok(SEND, body).await;
        server
            .ok(SEND, send_body("g", "ann", 2, "no mention"))
            .await;
        let sent = receiver.wait_for("Group.CallbackAfterSendMsg", 2).await;
        assert_eq!(
            sent[0].body["GroupAtInfo"],
            json!([{"GroupAtAllFlag": 1}, {"GroupAtAllFlag": 0, "GroupAt_Account": "boss"}])
        );
        assert!(
            sent[1].body.get("GroupAtInfo").is_none(),
            "only when mentioning"
        );
        let mut bad = send_body("g", "ann", 3, "x");
        bad["GroupAtInfo"] = json!([{"GroupAtAllFlag": 0}]);
        server.fails(SEND, bad, 10004).await;
        // A topic in a group that has none is refused rather than imported into the group.
        server
            .fails(
                "group_open_http_svc/import_group_msg",
                json!({"GroupId": "g", "TopicId": "g@TOPIC#_t", "MsgList": [{"From_Account": "ann",
                    "SendTime": 1, "Random": 1, "MsgBody": text("x")}]}),
                11000,
            )
            .await;
    }
);
