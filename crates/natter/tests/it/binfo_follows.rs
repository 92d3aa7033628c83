//! Follows over `/binfo` and `/ws`, frame by frame: the bodies the pinned SDK sends (after its
//! key conversion), each refusal's code, the counts and pages, the pushes to both sides, and an
//! account's deletion taking its follows with it.

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

/// A follow command as the SDK sends it (`From_Account` is the user unless the body names one).
async fn call(sdk: &mut SdkClient, servcmd: &str, mut body: Value) -> Value {
    let user = sdk.user().to_owned();
    body.as_object_mut()
        .unwrap()
        .entry("From_Account")
        .or_insert_with(|| user.into());
    sdk.call(servcmd, body).await
}

async fn ok(sdk: &mut SdkClient, servcmd: &str, body: Value) -> Value {
    let reply = call(sdk, servcmd, body).await;
    assert_eq!(reply["ErrorCode"], 0, "{servcmd}: {reply}");
    reply
}

fn codes(reply: &Value, list: &str) -> Vec<u64> {
    reply[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list}: {reply}"))
        .iter()
        .map(|i| i["ResultCode"].as_u64().unwrap())
        .collect()
}

fn accounts(reply: &Value) -> Vec<String> {
    reply["FollowItem"]
        .as_array()
        .unwrap_or_else(|| panic!("no FollowItem: {reply}"))
        .iter()
        .map(|i| i["To_Account"].as_str().unwrap().to_owned())
        .collect()
}

/// The next `FollowChange` event of a `/ws` client (other events, such as statuses, passed over).
async fn follow_event(client: &mut Client) -> Value {
    loop {
        let event = client.event().await;
        if event["Event"] == "FollowChange" {
            return event;
        }
    }
}

/// A list of the SDK's user, one page (`FollowType` 1 fans, 2 follows, 3 mutual).
async fn page(sdk: &mut SdkClient, list: u32, cursor: &str, want: u64) -> Value {
    ok(
        sdk,
        "follow.follow_get",
        json!({"FollowType": list, "StartCursor": cursor, "WantNum": want}),
    )
    .await
}

on_both_engines!(
    follows_count_page_and_reach_both_sides,
    |server: TestServer| async move {
        import(&server, &["fol_a", "fol_b", "fol_c"]).await;
        server
            .ok(
                "profile/portrait_set",
                json!({"From_Account": "fol_c", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Cee"}]}),
            )
            .await;
        let mut a = SdkClient::connect(&server, "fol_a").await;
        let mut a_phone = Client::login(&server, "fol_a", "Android").await;
        let mut b = Client::login(&server, "fol_b", "Android").await;
        let mut c = Client::login(&server, "fol_c", "Android").await;

        // The SDK may use follows: purchase bit 52 (bit 20 of the high word) is on.
        let bits = a
            .call("im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2", json!({}))
            .await;
        let bits = bits["str_purchase_bits"].as_str().unwrap().to_owned();
        assert_eq!(bits.chars().rev().nth(52), Some('1'), "{bits}");

        // Following oneself and an unknown account fail for those users only.
        let reply = ok(
            &mut a,
            "follow.follow_add",
            json!({"FollowItem": [{"To_Account": "fol_b"}, {"To_Account": "fol_a"}, {"To_Account": "fol_ghost"}]}),
        )
        .await;
        assert_eq!(codes(&reply, "ResultItem"), [0, 30001, 30003], "{reply}");
        assert_eq!(reply["ResultItem"][0]["To_Account"], "fol_b");
        let event = follow_event(&mut b).await;
        assert_eq!(event["Event"], "FollowChange", "{event}");
        assert_eq!(
            (
                &event["From_Account"],
                &event["To_Account"],
                &event["Followed"],
                &event["Mutual"]
            ),
            (&json!("fol_a"), &json!("fol_b"), &json!(1), &json!(0))
        );
        // The follower's other device hears of it too.
        assert_eq!(follow_event(&mut a_phone).await["To_Account"], "fol_b");

        // b follows back over /ws: mutual. b's own connection gets no echo; a's SDK gets the
        // push the SDK turns into MY_FOLLOWERS_LIST_UPDATED and MUTUAL_FOLLOWERS_LIST_UPDATED.
        let reply = b
            .ok(
                "follow.follow_add",
                json!({"FollowItem": [{"To_Account": "fol_a"}]}),
            )
            .await;
        assert_eq!(codes(&reply, "ResultItem"), [0]);
        b.no_event().await;
        let push = a.next_push_of("FollowChangeList").await;
        let item = &push["EventArray"][0]["FollowChangeList"][0];
        assert_eq!(item["From_Account"], "fol_b", "{push}");
        assert_eq!(
            item["FollowDiffList"],
            json!([{"IsAdd": 1, "FollowType": 1}, {"IsAdd": 1, "FollowType": 3}])
        );
        assert!(item["FollowTime"].as_i64().unwrap() > 0);
        c.ok(
            "follow.follow_add",
            json!({"FollowItem": [{"To_Account": "fol_a"}]}),
        )
        .await;

        let reply = ok(
            &mut a,
            "follow.follow_check",
            json!({"To_Account": ["fol_b", "fol_c", "fol_ghost"]}),
        )
        .await;
        let types: Vec<&Value> = reply["ResultItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["FollowType"])
            .collect();
        assert_eq!(types, [&json!(3), &json!(1), &json!(0)], "{reply}");

        let reply = ok(
            &mut a,
            "follow.follow_get_info",
            json!({"To_Account": ["fol_a", "fol_b", "fol_ghost"]}),
        )
        .await;
        let info = &reply["FollowInfo"];
        assert_eq!(
            (
                &info[0]["FollowerCount"],
                &info[0]["FollowingCount"],
                &info[0]["MutualFollowingCount"]
            ),
            (&json!(2), &json!(1), &json!(1)),
            "{reply}"
        );
        assert_eq!(info[1]["To_Account"], "fol_b");
        assert_eq!(info[1]["FollowerCount"], 1);
        assert_eq!(codes(&reply, "FollowInfo"), [0, 0, 30003]);

        // Fans, one per page, then the end; each with their profile's fields.
        let first = page(&mut a, 1, "", 1).await;
        let cursor = first["NextCursor"].as_str().unwrap().to_owned();
        assert!(!cursor.is_empty(), "{first}");
        let second = page(&mut a, 1, &cursor, 1).await;
        assert_eq!(second["NextCursor"], "", "{second}");
        let mut fans = accounts(&first);
        fans.extend(accounts(&second));
        fans.sort();
        assert_eq!(fans, ["fol_b", "fol_c"]);
        let cee = [&first, &second]
            .into_iter()
            .flat_map(|p| p["FollowItem"].as_array().unwrap().clone())
            .find(|i| i["To_Account"] == "fol_c")
            .unwrap();
        assert_eq!(
            cee["ProfileItem"],
            json!([{"Tag": "Tag_Profile_IM_Nick", "Value": "Cee"}])
        );
        assert!(cee["FollowTime"].as_i64().unwrap() > 0);
        assert_eq!(accounts(&page(&mut a, 2, "", 0).await), ["fol_b"]);
        assert_eq!(accounts(&page(&mut a, 3, "", 0).await), ["fol_b"]);

        // Refusals, each with the relationship chain's codes.
        let many: Vec<Value> = (0..21)
            .map(|i| json!({"To_Account": format!("fol_{i}")}))
            .collect();
        for (servcmd, body, code) in [
            ("follow.follow_add", json!({"FollowItem": many}), 30001),
            ("follow.follow_check", json!({"To_Account": []}), 30001),
            ("follow.follow_get", json!({"FollowType": 4}), 30001),
            (
                "follow.follow_get",
                json!({"FollowType": 1, "StartCursor": "junk"}),
                30001,
            ),
            (
                "follow.follow_get",
                json!({"FollowType": 1, "WantNum": 1001}),
                30001,
            ),
            (
                "follow.follow_delete",
                json!({"From_Account": "fol_b", "To_Account": ["fol_c"]}),
                30001,
            ),
            ("follow.follow_get_info", json!({"To_Account": [7]}), 30001),
        ] {
            let reply = call(&mut a, servcmd, body.clone()).await;
            assert_eq!(reply["ErrorCode"], code, "{servcmd} {body}: {reply}");
            assert!(!reply["ErrorInfo"].as_str().unwrap().is_empty());
        }

        // Unfollowing: b hears it (mutual until then); someone not followed is 0, unchanged.
        let reply = ok(
            &mut a,
            "follow.follow_delete",
            json!({"To_Account": ["fol_b", "fol_c"]}),
        )
        .await;
        assert_eq!(codes(&reply, "ResultItem"), [0, 0]);
        let event = follow_event(&mut b).await;
        assert_eq!(
            (&event["Event"], &event["Followed"], &event["Mutual"]),
            (&json!("FollowChange"), &json!(0), &json!(1)),
            "{event}"
        );
        b.no_event().await;

        // A deleted account takes its follows with it.
        server
            .ok(
                "im_open_login_svc/account_delete",
                json!({"DeleteItem": [{"UserID": "fol_c"}]}),
            )
            .await;
        let reply = ok(
            &mut a,
            "follow.follow_get_info",
            json!({"To_Account": ["fol_a"]}),
        )
        .await;
        assert_eq!(reply["FollowInfo"][0]["FollowerCount"], 1, "{reply}");
        assert_eq!(accounts(&page(&mut a, 1, "", 0).await), ["fol_b"]);
    }
);
