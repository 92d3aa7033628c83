//! `group_open_http_svc` roles: changing the owner, member roles and name cards, mutes and
//! recalls, with a webhook receiver.

use serde_json::json;

use crate::groups::*;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;

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
