//! `batch_get_group_notify` over `/binfo`: the recalls a reconnecting SDK missed, by the time
//! they happened, a page at a time, for members only.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

on_both_engines!(
    missed_recalls_are_listed_by_time,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "gn_owner").await;
        let mut member = SdkClient::connect(&server, "gn_member").await;
        let group = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "News", "Owner_Account": "gn_owner",
                   "MemberList": [{"Member_Account": "gn_member"}]}),
            )
            .await["GroupId"]
            .as_str()
            .unwrap()
            .to_owned();
        for random in [11, 12, 13] {
            let sent = owner
                .call(
                    "group_open_http_svc.send_group_msg",
                    json!({"GroupId": group, "Random": random,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "x"}}]}),
                )
                .await;
            assert_eq!(sent["ErrorCode"], 0, "{sent}");
        }
        let recall = |seq: u64| json!({"GroupId": group, "MsgSeqList": [{"MsgSeq": seq}]});
        for seq in [3, 1] {
            let recalled = owner
                .call("group_open_http_svc.group_msg_recall", recall(seq))
                .await;
            assert_eq!(recalled["ErrorCode"], 0, "{recalled}");
        }
        // The SDK's body: one item per group, NotifyType 1, times in microseconds.
        let ask = |begin: i64, limit: u32| {
            json!({"NotifyReqList": [{"NotifyType": 1, "Limit": limit, "GroupId": group,
                "BeginTime": begin, "EndTime": 4_000_000_000_000_000i64}]})
        };
        let cmd = "group_open_http_svc.batch_get_group_notify";
        let all = member.call(cmd, ask(0, 20)).await;
        assert_eq!(all["ErrorCode"], 0, "{all}");
        let item = &all["NotifyRspList"][0];
        assert_eq!(item["GroupId"], group.as_str(), "{all}");
        assert_eq!(item["NextMsgTime"], 0, "{all}");
        let seqs = |item: &Value| -> Vec<u64> {
            item["NotifyMsgList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["MsgSeq"].as_u64().unwrap())
                .collect()
        };
        assert_eq!(seqs(item), [3, 1], "in the order they were recalled: {all}");
        let first = &item["NotifyMsgList"][0];
        assert_eq!(first["MsgRandom"], 13, "{all}");
        assert_eq!(first["RevokerInfo"]["Revoker_Account"], "gn_owner", "{all}");

        // A page at a time: NextMsgTime is where the next one starts.
        let page = member.call(cmd, ask(0, 1)).await;
        let item = &page["NotifyRspList"][0];
        assert_eq!(seqs(item), [3], "{page}");
        let next = item["NextMsgTime"].as_i64().unwrap();
        assert!(next > 0, "{page}");
        let rest = member.call(cmd, ask(next, 20)).await;
        let listed = seqs(&rest["NotifyRspList"][0]);
        assert!(listed.contains(&1), "{rest}");
        assert_eq!(rest["NotifyRspList"][0]["NextMsgTime"], 0, "{rest}");

        // Nothing recalled after a time to come; a stranger gets nothing.
        let later = member.call(cmd, ask(4_000_000_000_000_000, 20)).await;
        assert_eq!(
            later["NotifyRspList"][0]["NotifyMsgList"],
            json!([]),
            "{later}"
        );
        let mut stranger = SdkClient::connect(&server, "gn_stranger").await;
        let none = stranger.call(cmd, ask(0, 20)).await;
        assert_eq!(none["ErrorCode"], 0, "{none}");
        assert_eq!(
            none["NotifyRspList"][0]["NotifyMsgList"],
            json!([]),
            "{none}"
        );
    }
);
