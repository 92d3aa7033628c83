//! `group_open_http_svc` group data: attributes and counters, and the custom group and member
//! fields an app declares.

use serde_json::{json, Value};

use crate::groups::*;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;

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
