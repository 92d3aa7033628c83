//! Custom group attributes and group counters over `/binfo`, frame by frame: the SDK's bodies,
//! its sequences and race check, the pushes every member online gets, and the refusals.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NO_PERMISSION: u64 = 10007;

/// Creates a group of `kind` over REST with `owner` and `members` (who must have logged in or
/// been imported).
async fn rest_group(server: &TestServer, kind: &str, owner: &str, members: &[&str]) -> String {
    let list: Vec<Value> = members
        .iter()
        .map(|m| json!({"Member_Account": m}))
        .collect();
    let mut body =
        json!({"Type": kind, "Name": "data", "Owner_Account": owner, "MemberList": list});
    if kind == "Community" {
        body["SupportTopic"] = 1.into();
    }
    let created = server.ok("group_open_http_svc/create_group", body).await;
    created["GroupId"].as_str().unwrap().to_owned()
}

/// The next push of a group's attribute or counter change (`GroupTips` with `Event` 6): its
/// item's `MsgBody`.
async fn next_data_push(sdk: &mut SdkClient) -> Value {
    loop {
        let push = sdk.next_push_of("GroupTips").await;
        let entry = &push["EventArray"][0];
        if entry["Event"] == 6 {
            assert_eq!(entry["GroupTips"][0]["Event"], 6, "{push}");
            return entry["GroupTips"][0]["MsgBody"].clone();
        }
    }
}

fn attr_option(body: &Value) -> &Value {
    &body["MsgGroupNewInfo"]["GroupAttrOption"]
}

/// The SDK's attribute write body.
fn attr_write(group: &str, seq: u64, attrs: Value) -> Value {
    json!({"GroupId": group, "GroupAttr": attrs, "AttrMainSeq": seq,
           "AttrControl": ["RaceConflict"]})
}

on_both_engines!(
    group_attributes_over_binfo,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkClient::connect(&server, "ga_owner").await;
        let mut member = SdkClient::connect(&server, "ga_member").await;
        let mut stranger = SdkClient::connect(&server, "ga_stranger").await;
        let group = rest_group(&server, "Public", "ga_owner", &["ga_member"]).await;
        let attr = |cmd: &str| format!("group_open_http_svc.{cmd}");

        // getGroupAttributes on a group without any.
        let empty = member
            .call(
                "group_open_attr_http_svc.get_group_attr",
                json!({"GroupId": group, "GroupType": 0}),
            )
            .await;
        assert_eq!(empty["ErrorCode"], 0, "{empty}");
        assert_eq!(empty["AttrMainSeq"], 0);
        assert_eq!(empty["GroupAttrAry"], json!([]));

        // initGroupAttributes: the writer's reply, the member's push, the webhook.
        // Attribute writes are limited to 5 a second per group: the test's clock moves a
        // second before each.
        server.clock.advance_ms(1_000);
        let set = owner
            .call(
                &attr("set_group_attr"),
                attr_write(&group, 0, json!([{"key": "seat1", "value": "alice"}])),
            )
            .await;
        assert_eq!(set["ErrorCode"], 0, "{set}");
        assert_eq!(set["AttrMainSeq"], 1);
        assert_eq!(set["GroupAttr"][0]["key"], "seat1");
        let pushed = next_data_push(&mut member).await;
        let option = attr_option(&pushed);
        assert_eq!(option["OpType"], 1, "{pushed}");
        assert_eq!(option["AttrMainSeq"], 1);
        assert_eq!(option["PushChangedAttrValFlag"], 1);
        assert_eq!(
            option["GroupAttrInfo"],
            json!([{"key": "seat1", "value": "alice"}])
        );
        let hook = receiver
            .wait_for("Group.CallbackAfterGroupAttrChanged", 1)
            .await;
        assert_eq!(hook[0].query["OptPlatform"], "Web");
        assert_eq!(hook[0].body["Operator_Account"], "ga_owner");
        assert_eq!(hook[0].body["OptionType"], "set");

        // A write that names an old sequence loses the race (10056); with the new one it
        // passes, and the owner hears of it.
        server.clock.advance_ms(1_000);
        let stale = member
            .call(
                &attr("modify_group_attr"),
                attr_write(&group, 0, json!([{"key": "seat2", "value": "bob"}])),
            )
            .await;
        assert_eq!(stale["ErrorCode"], 10056, "{stale}");
        server.clock.advance_ms(1_000);
        let modified = member
            .call(
                &attr("modify_group_attr"),
                attr_write(
                    &group,
                    1,
                    json!([{"key": "seat2", "value": "bob", "seq": 0}]),
                ),
            )
            .await;
        assert_eq!(modified["ErrorCode"], 0, "{modified}");
        assert_eq!(modified["AttrMainSeq"], 2);
        let pushed = next_data_push(&mut owner).await;
        assert_eq!(attr_option(&pushed)["OpType"], 2, "{pushed}");
        assert_eq!(attr_option(&pushed)["AttrMainSeq"], 2);
        let all = owner
            .call(
                "group_open_attr_http_svc.get_group_attr",
                json!({"GroupId": group, "GroupType": 0}),
            )
            .await;
        assert_eq!(all["AttrMainSeq"], 2, "{all}");
        assert_eq!(
            all["GroupAttrAry"],
            json!([{"key": "seat1", "value": "alice"}, {"key": "seat2", "value": "bob"}])
        );

        // Deleting a key that is not there (10050); deleting one; clearing.
        server.clock.advance_ms(1_000);
        let missing = owner
            .call(
                &attr("delete_group_attr"),
                attr_write(&group, 2, json!([{"key": "nope", "seq": 0}])),
            )
            .await;
        assert_eq!(missing["ErrorCode"], 10050, "{missing}");
        server.clock.advance_ms(1_000);
        let deleted = owner
            .call(
                &attr("delete_group_attr"),
                attr_write(&group, 2, json!([{"key": "seat1", "seq": 0}])),
            )
            .await;
        assert_eq!(deleted["AttrMainSeq"], 3, "{deleted}");
        let pushed = next_data_push(&mut member).await;
        assert_eq!(attr_option(&pushed)["OpType"], 4, "{pushed}");
        assert_eq!(attr_option(&pushed)["GroupAttrInfo"][0]["key"], "seat1");
        server.clock.advance_ms(1_000);
        let cleared = owner
            .call(
                &attr("clear_group_attr"),
                json!({"GroupId": group, "AttrMainSeq": 3, "AttrControl": ["RaceConflict"]}),
            )
            .await;
        assert_eq!(cleared["AttrMainSeq"], 4, "{cleared}");
        let pushed = next_data_push(&mut member).await;
        assert_eq!(attr_option(&pushed)["OpType"], 3, "{pushed}");

        // Tencent's limits: a key over 32 bytes (10045).
        server.clock.advance_ms(1_000);
        let long = owner
            .call(
                &attr("modify_group_attr"),
                attr_write(&group, 4, json!([{"key": "k".repeat(33), "value": "v"}])),
            )
            .await;
        assert_eq!(long["ErrorCode"], 10045, "{long}");

        // A change through the REST API reaches the SDKs too.
        server.clock.advance_ms(1_000);
        server
            .ok(
                "group_open_http_svc/modify_group_attr",
                json!({"GroupId": group, "GroupAttr": [{"key": "mode", "value": "live"}]}),
            )
            .await;
        for sdk in [&mut owner, &mut member] {
            let pushed = next_data_push(sdk).await;
            assert_eq!(attr_option(&pushed)["AttrMainSeq"], 5, "{pushed}");
            assert_eq!(attr_option(&pushed)["GroupAttrInfo"][0]["value"], "live");
        }

        // Someone outside the group neither writes nor reads them.
        server.clock.advance_ms(1_000);
        let refused = stranger
            .call(
                &attr("modify_group_attr"),
                attr_write(&group, 5, json!([{"key": "x", "value": "y"}])),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = stranger
            .call(
                "group_open_attr_http_svc.get_group_attr",
                json!({"GroupId": group, "GroupType": 0}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        server.clock.advance_ms(1_000);
        let unknown = owner
            .call(
                &attr("modify_group_attr"),
                attr_write("@TGS#nope", 0, json!([{"key": "x", "value": "y"}])),
            )
            .await;
        assert_eq!(unknown["ErrorCode"], 10010, "{unknown}");
    }
);

on_both_engines!(group_counters_over_binfo, |server: TestServer| async move {
    let mut owner = SdkClient::connect(&server, "gc_owner").await;
    let mut member = SdkClient::connect(&server, "gc_member").await;
    let mut stranger = SdkClient::connect(&server, "gc_stranger").await;
    let group = rest_group(&server, "Public", "gc_owner", &["gc_member"]).await;
    let counter = |cmd: &str| format!("group_open_http_svc.{cmd}");

    // The SDK may use counters: purchase bit 15 is on.
    let bits = owner
        .call("im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2", json!({}))
        .await;
    let bits = bits["str_purchase_bits"].as_str().unwrap().to_owned();
    assert_eq!(bits.chars().rev().nth(15), Some('1'), "{bits}");

    // setGroupCounters: the new values in the reply, and a push to every member online,
    // the writer included (the SDK says GROUP_COUNTER_UPDATED only from the push).
    let set = owner
        .call(
            &counter("update_group_counter"),
            json!({"GroupId": group, "GroupCounter": [{"Key": "likes", "Value": 5}],
                       "Mode": "Set"}),
        )
        .await;
    assert_eq!(set["ErrorCode"], 0, "{set}");
    assert_eq!(set["GroupCounter"], json!([{"Key": "likes", "Value": 5}]));
    assert_eq!(set["GroupCounterSeq"], 1);
    for sdk in [&mut owner, &mut member] {
        let pushed = next_data_push(sdk).await;
        let info = &pushed["GroupCounterInfo"][0];
        assert_eq!(info["Type"], 0, "{pushed}");
        assert_eq!(info["GroupCounterSeq"], 1);
        assert_eq!(info["GroupCounter"], json!([{"Key": "likes", "Value": 5}]));
    }

    // increaseGroupCounter by a member, then getGroupCounters (all, and by key).
    let raised = member
        .call(
            &counter("update_group_counter"),
            json!({"GroupId": group, "GroupCounter": [{"Key": "likes", "Value": 2}],
                       "Mode": "Increase"}),
        )
        .await;
    assert_eq!(raised["GroupCounter"][0]["Value"], 7, "{raised}");
    assert_eq!(raised["GroupCounterSeq"], 2);
    let all = member
        .call(
            &counter("get_group_counter"),
            json!({"GroupId": group, "GroupCounterKeys": []}),
        )
        .await;
    assert_eq!(
        all["GroupCounter"],
        json!([{"Key": "likes", "Value": 7}]),
        "{all}"
    );
    assert_eq!(all["GroupCounterSeq"], 2);
    let some = owner
        .call(
            &counter("get_group_counter"),
            json!({"GroupId": group, "GroupCounterKeys": ["likes", "none"]}),
        )
        .await;
    assert_eq!(
        some["GroupCounter"],
        json!([{"Key": "likes", "Value": 7}]),
        "{some}"
    );

    // Counters deleted through the REST API: the SDK drops them (`Type` 1).
    next_data_push(&mut owner).await;
    server
        .ok(
            "group_open_http_svc/delete_group_counter",
            json!({"GroupId": group, "GroupCounterKeys": ["likes"]}),
        )
        .await;
    let pushed = next_data_push(&mut owner).await;
    assert_eq!(pushed["GroupCounterInfo"][0]["Type"], 1, "{pushed}");
    assert_eq!(pushed["GroupCounterInfo"][0]["GroupCounterSeq"], 3);

    // Refusals: a stranger (10007), an unknown mode (10004), a Community (10007).
    let refused = stranger
        .call(
            &counter("update_group_counter"),
            json!({"GroupId": group, "GroupCounter": [{"Key": "k", "Value": 1}]}),
        )
        .await;
    assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
    let refused = stranger
        .call(&counter("get_group_counter"), json!({"GroupId": group}))
        .await;
    assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
    let bad = owner
        .call(
            &counter("update_group_counter"),
            json!({"GroupId": group, "GroupCounter": [{"Key": "k", "Value": 1}],
                       "Mode": "Double"}),
        )
        .await;
    assert_eq!(bad["ErrorCode"], 10004, "{bad}");
    let community = rest_group(&server, "Community", "gc_owner", &[]).await;
    let refused = owner
        .call(
            &counter("update_group_counter"),
            json!({"GroupId": community, "GroupCounter": [{"Key": "k", "Value": 1}]}),
        )
        .await;
    assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
});
