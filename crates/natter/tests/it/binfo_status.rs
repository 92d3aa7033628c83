//! `/binfo`'s user status commands, frame by frame: a custom status (base64 in replies and
//! pushes, as the SDK reads it), other users' statuses, subscriptions and the pushes they bring
//! (USER_STATUS_UPDATED), the foreground and background reports, and the refusals.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

pub(crate) fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub(crate) async fn ok(sdk: &mut SdkClient, servcmd: &str, body: Value) -> Value {
    let reply = sdk.call(servcmd, body).await;
    assert_eq!(reply["ErrorCode"], 0, "{servcmd}: {reply}");
    reply
}

/// The one status item of the next status push to `sdk`.
pub(crate) async fn next_status(sdk: &mut SdkClient) -> Value {
    let push = sdk.next_push_of("UserStatusList").await;
    push["EventArray"][0]["UserStatusList"][0].clone()
}

on_both_engines!(
    statuses_are_kept_and_pushed_to_subscribers,
    |server: TestServer| async move {
        import(&server, &["st_me", "st_fan", "st_away"]).await;
        let mut me = SdkClient::connect(&server, "st_me").await;
        let mut fan = SdkClient::connect(&server, "st_fan").await;

        // Statuses: connected users are online (1), the others not logged in (3); unknown
        // users fail alone.
        let reply = ok(
            &mut fan,
            "im_open_status.ws_get_user_status",
            json!({"To_Account": ["st_me", "st_away", "st_nobody"]}),
        )
        .await;
        assert_eq!(
            reply["UserStatusList"],
            json!([
                {"To_Account": "st_me", "Status": 1, "CustomStatus": ""},
                {"To_Account": "st_away", "Status": 3, "CustomStatus": ""},
            ]),
            "{reply}"
        );
        assert_eq!(reply["ErrorList"][0]["Invalid_Account"], "st_nobody");
        assert_eq!(reply["ErrorList"][0]["ErrorCode"], 70107);

        // A subscriber sees a custom status as set; so does the user's own device.
        let reply = ok(
            &mut fan,
            "im_open_status.ws_status_subscribe",
            json!({"To_Account": ["st_me", "st_nobody"]}),
        )
        .await;
        assert_eq!(
            reply["ErrorList"][0]["Invalid_Account"], "st_nobody",
            "{reply}"
        );
        ok(
            &mut me,
            "im_open_status.ws_set_custom_status",
            json!({"CustomStatus": "listening to music ♪"}),
        )
        .await;
        let expected = json!({"To_Account": "st_me", "Status": 1, "CustomStatus": b64("listening to music ♪")});
        assert_eq!(next_status(&mut fan).await, expected);
        assert_eq!(next_status(&mut me).await, expected);
        let reply = ok(
            &mut fan,
            "im_open_status.ws_get_user_status",
            json!({"To_Account": ["st_me"]}),
        )
        .await;
        assert_eq!(reply["UserStatusList"][0], expected, "{reply}");

        // Going away: subscribers see "not logged in", and the custom status is gone.
        me.close().await;
        assert_eq!(
            next_status(&mut fan).await,
            json!({"To_Account": "st_me", "Status": 3, "CustomStatus": ""})
        );
        let mut me = SdkClient::connect(&server, "st_me").await;
        assert_eq!(next_status(&mut fan).await["Status"], 1);

        // Unsubscribed: no more pushes (the fan's own status push comes through instead).
        ok(
            &mut fan,
            "im_open_status.ws_status_unsubscribe",
            json!({"UnsubscribeAll": 1}),
        )
        .await;
        ok(
            &mut me,
            "im_open_status.ws_set_custom_status",
            json!({"CustomStatus": "busy"}),
        )
        .await;
        ok(
            &mut fan,
            "im_open_status.ws_set_custom_status",
            json!({"CustomStatus": "mine"}),
        )
        .await;
        assert_eq!(next_status(&mut fan).await["To_Account"], "st_fan");

        // Foreground and background reports are taken.
        ok(
            &mut me,
            "im_open_status.ws_stat_background",
            json!({"C2cUnread": 0, "GrpUnread": 0}),
        )
        .await;
        ok(&mut me, "im_open_status.ws_stat_foreground", json!({})).await;

        // Refusals: a status too long, lists empty or too long.
        let reply = me
            .call(
                "im_open_status.ws_set_custom_status",
                json!({"CustomStatus": "x".repeat(101)}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 70402, "{reply}");
        for servcmd in [
            "im_open_status.ws_get_user_status",
            "im_open_status.ws_status_subscribe",
            "im_open_status.ws_status_unsubscribe",
        ] {
            let reply = me.call(servcmd, json!({"To_Account": []})).await;
            assert_eq!(reply["ErrorCode"], 70402, "{servcmd}: {reply}");
        }
        let many: Vec<String> = (0..101).map(|i| format!("st_{i}")).collect();
        let reply = me
            .call(
                "im_open_status.ws_status_subscribe",
                json!({"To_Account": many}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 70402, "{reply}");
    }
);
