use natter_services::messages::SendC2c;
use serde_json::json;

use super::*;
use crate::envelope::parse_body;

fn send(body: Value) -> ApiResult<SendC2c> {
    parse_body::<Sendmsg>(body, codes::C2C_BAD_PARAM)?.into_send("admin")
}

fn refusal<T: std::fmt::Debug>(result: ApiResult<T>) -> (u32, String) {
    let e = result.unwrap_err();
    (e.code, e.info)
}

#[test]
fn wrong_types_get_each_fields_own_code() {
    let body = |extra: Value| {
        let mut b = json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": [
            {"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    assert_eq!(send(body(json!({}))).unwrap().from, "admin");
    let cases = [
        (
            json!({"To_Account": 5}),
            90003,
            "To_Account must be a string, got 5",
        ),
        (json!({"To_Account": null}), 90003, "To_Account is missing"),
        (
            json!({"From_Account": 7}),
            90001,
            "From_Account must be a string, got 7",
        ),
        (
            json!({"MsgRandom": -1}),
            90005,
            "MsgRandom must be an integer from 0 to 4294967295, got -1",
        ),
        (
            json!({"MsgTimeStamp": "x"}),
            90006,
            "MsgTimeStamp must be an integer",
        ),
        (
            json!({"SendMsgControl": ["NoUnread", 1]}),
            90001,
            "SendMsgControl must be a list of strings",
        ),
        (
            json!({"ForbidCallbackControl": "x"}),
            90001,
            "ForbidCallbackControl must be a list of strings, got \"x\"",
        ),
        (
            json!({"SupportMessageExtension": 2}),
            90001,
            "SupportMessageExtension must be 0 or 1, got 2",
        ),
    ];
    for (extra, code, info) in cases {
        assert_eq!(refusal(send(body(extra))), (code, info.to_owned()));
    }
}

#[test]
fn batch_recipients_must_be_a_list_of_strings() {
    let batch = |to: Value| {
        parse_body::<Batchsendmsg>(json!({ "To_Account": to }), codes::C2C_BAD_PARAM)
            .unwrap()
            .into_batch("admin")
    };
    assert_eq!(
        refusal(batch(json!("a"))),
        (90028, "To_Account must be an array of UserIDs".to_owned())
    );
    assert_eq!(
        refusal(batch(json!(["a", 1]))),
        (90028, "To_Account must be a list of UserIDs".to_owned())
    );
}

#[test]
fn read_time_is_seconds_as_a_number_or_a_string() {
    let read = |t: Value| {
        parse_body::<AdminSetMsgRead>(json!({ "MsgReadTime": t }), codes::C2C_BAD_PARAM)
            .unwrap()
            .read_time()
    };
    assert_eq!(read(json!(12)).unwrap(), Some(12));
    assert_eq!(read(json!(" 12 ")).unwrap(), Some(12));
    assert_eq!(read(json!("")).unwrap(), None);
    assert_eq!(read(json!(null)).unwrap(), None);
    assert_eq!(
        refusal(read(json!("x"))),
        (
            90001,
            "MsgReadTime must be Unix seconds, got \"x\"".to_owned()
        )
    );
}

#[test]
fn a_message_target_may_default_its_sender() {
    let target = |body: Value, default: Option<&str>| {
        parse_body::<ModifyC2cMsg>(body, codes::C2C_BAD_PARAM)
            .unwrap()
            .target
            .into_target(default)
    };
    let t = target(json!({"To_Account": "b", "MsgKey": "k"}), Some("admin")).unwrap();
    assert_eq!((t.from.as_str(), t.to.as_str()), ("admin", "b"));
    assert_eq!(
        refusal(target(json!({"To_Account": "b", "MsgKey": "k"}), None)),
        (90008, "From_Account is missing".to_owned())
    );
    assert_eq!(
        refusal(target(
            json!({"From_Account": "a", "To_Account": "b", "MsgKey": 3}),
            None
        )),
        (90054, "MsgKey must be a string, got 3".to_owned())
    );
}
