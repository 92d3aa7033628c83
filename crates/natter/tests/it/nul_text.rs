//! U+0000 in any text field is refused with the service's invalid-parameter code, before
//! anything is written, the same on both engines (PostgreSQL cannot store it in text, SQLite
//! can; one answer for both). Over REST and over `/ws`.

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::{import, text};
use crate::on_both_engines;

const NUL: &str = "a\u{0}b";

on_both_engines!(
    nul_characters_are_refused_everywhere_and_write_nothing,
    |server: TestServer| async move {
        import(&server, &["alice", "bob"]).await;
        let cases: Vec<(&str, &str, Value, u64)> = vec![
            (
                "CloudCustomData",
                "openim/sendmsg",
                json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 1,
                       "MsgBody": text("hi"), "CloudCustomData": NUL}),
                90001,
            ),
            (
                "message text",
                "openim/sendmsg",
                json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 2,
                       "MsgBody": text(NUL)}),
                90001,
            ),
            (
                "group Name",
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "GroupId": "g1", "Name": NUL, "Owner_Account": "alice"}),
                10004,
            ),
            (
                "group Introduction",
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "GroupId": "g2", "Name": "g", "Introduction": NUL,
                       "Owner_Account": "alice"}),
                10004,
            ),
            (
                "group Notification",
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "GroupId": "g3", "Name": "g", "Notification": NUL,
                       "Owner_Account": "alice"}),
                10004,
            ),
            (
                "friend AddWording",
                "sns/friend_add",
                json!({"From_Account": "alice", "AddFriendItem": [{"To_Account": "bob",
                       "AddSource": "AddSource_Type_Test", "AddWording": NUL}]}),
                30001,
            ),
            (
                "profile nick",
                "profile/portrait_set",
                json!({"From_Account": "alice", "ProfileItem": [
                       {"Tag": "Tag_Profile_IM_Nick", "Value": NUL}]}),
                40001,
            ),
        ];
        for (what, api, body, code) in cases {
            let reply = server.call(api, body).await;
            assert_eq!(reply["ErrorCode"], code, "{what}: {reply}");
            assert!(
                reply["ErrorInfo"].as_str().unwrap().contains("U+0000"),
                "{what}: {reply}"
            );
        }
        // Nothing was written: no message, no group, no friend, no nick.
        let history = server
            .ok(
                "openim/admin_getroammsg",
                json!({"Operator_Account": "alice", "Peer_Account": "bob", "MaxCnt": 10,
                       "MinTime": 0, "MaxTime": 4_000_000_000u64}),
            )
            .await;
        assert_eq!(history["MsgCnt"], 0, "{history}");
        let groups = server
            .ok("group_open_http_svc/get_appid_group_list", json!({}))
            .await;
        assert_eq!(groups["TotalCount"], 0, "{groups}");
        let friends = server
            .ok(
                "sns/friend_get",
                json!({"From_Account": "alice", "StartIndex": 0}),
            )
            .await;
        assert_eq!(friends["FriendNum"], 0, "{friends}");

        // The same over /ws, with the field named.
        let mut alice = Client::login(&server, "alice", "Web").await;
        let reply = alice
            .request(
                "sendmsg",
                json!({"To_Account": "bob", "MsgRandom": 3, "MsgBody": text("x"),
                       "CloudCustomData": NUL}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 90001, "{reply}");
        assert!(
            reply["ErrorInfo"]
                .as_str()
                .unwrap()
                .contains("CloudCustomData"),
            "{reply}"
        );
    }
);
