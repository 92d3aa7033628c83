//! Paging positions a client chooses (`Next`, `Offset`, `StartIndex`, `StartSeq`, …) at and above
//! 2^63 never wrap back to the first page: they read an empty page (or a parameter error) on both
//! engines, where a cast to a signed 64-bit integer once made them negative.

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::{import, send_body};
use crate::on_both_engines;

/// 2^63 and 2^64 - 1: the first value past a signed 64-bit integer and the largest JSON client
/// integer a `u64` field takes.
const HUGE: [u64; 2] = [1 << 63, u64::MAX];

fn list(reply: &Value, field: &str) -> usize {
    reply[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} is not a list: {reply}"))
        .len()
}

on_both_engines!(
    positions_past_i64_read_an_empty_page,
    |server: TestServer| async move {
        import(&server, &["owner", "pal", "rival"]).await;
        server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "g", "GroupId": "g", "Owner_Account": "owner",
                       "MemberList": [{"Member_Account": "pal"}]}),
            )
            .await;
        server
            .ok(
                "sns/friend_import",
                json!({"From_Account": "owner", "AddFriendItem": [{"To_Account": "pal",
                       "AddSource": "AddSource_Type_Test"}]}),
            )
            .await;
        server
            .ok(
                "sns/black_list_add",
                json!({"From_Account": "owner", "To_Account": ["rival"]}),
            )
            .await;
        let mut with_ext = send_body("owner", "pal", 1, "poll");
        with_ext["SupportMessageExtension"] = 1.into();
        let key = server.ok("openim/sendmsg", with_ext).await["MsgKey"].clone();
        let ext_target = json!({"From_Account": "owner", "To_Account": "pal", "MsgKey": key});
        server
            .ok(
                "openim_msg_ext_http_svc/set_key_values",
                json!({"From_Account": "owner", "To_Account": "pal", "MsgKey": key,
                       "OperateType": 1, "ExtensionList": [{"Key": "k", "Value": "v", "Seq": 0}]}),
            )
            .await;

        // Each API first shows it has something at position 0, so an empty page below is the
        // position's doing.
        let calls: Vec<(&str, Value, &str, &str)> = vec![
            (
                "group_open_http_svc/get_appid_group_list",
                json!({}),
                "Next",
                "GroupIdList",
            ),
            (
                "group_open_http_svc/get_group_member_info",
                json!({"GroupId": "g"}),
                "Offset",
                "MemberList",
            ),
            (
                "sns/friend_get",
                json!({"From_Account": "owner", "StartIndex": 0}),
                "StartIndex",
                "UserDataItem",
            ),
            (
                "sns/black_list_get",
                json!({"From_Account": "owner", "StartIndex": 0, "MaxLimited": 10, "LastSequence": 0}),
                "StartIndex",
                "BlackListItem",
            ),
            (
                "openim_msg_ext_http_svc/get_key_values",
                ext_target,
                "StartSeq",
                "ExtensionList",
            ),
        ];
        for (api, body, position, items) in calls {
            let first = server.ok(api, body.clone()).await;
            assert!(list(&first, items) > 0, "{api} from 0: {first}");
            for huge in HUGE {
                let mut at = body.clone();
                at[position] = huge.into();
                let reply = server.call(api, at).await;
                if reply["ActionStatus"] == "OK" {
                    assert_eq!(list(&reply, items), 0, "{api} at {huge}: {reply}");
                } else {
                    // A parameter error is fine too; an internal error is not.
                    let code = reply["ErrorCode"].as_u64().unwrap();
                    assert!(
                        !matches!(code, 10002 | 30006 | 40006 | 50004 | 70500 | 90994),
                        "{api} at {huge}: {reply}"
                    );
                    assert!(
                        !reply["ErrorInfo"].as_str().unwrap().contains("internal"),
                        "{api} at {huge}: {reply}"
                    );
                }
            }
        }
    }
);
