//! Generated request bodies for the JSON body parser every API runs (`envelope::parse_body`):
//! any JSON, and valid bodies with one field replaced by anything, are parsed or refused with
//! the API's invalid-parameter code (or 60015 for an account that is not a string), never a
//! panic; where the wire type converts to the service's request, the conversion refuses with a
//! code too.

use natter_core::ApiResult;
use natter_http::envelope::parse_body;
use natter_http::wire::group_open_http_svc::{CreateGroup, SendGroupMsg};
use natter_http::wire::im_open_login_svc::MultiaccountImport;
use natter_http::wire::openim::Sendmsg;
use natter_http::wire::profile::PortraitSet;
use natter_http::wire::recentcontact::GetList;
use natter_http::wire::sns::FriendAdd;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const ACCOUNT_NOT_STRING: u32 = 60015;

/// Any JSON value, a few levels deep, with Tencent-like keys among the random ones.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
    ];
    let key = prop_oneof![
        ".{0,8}",
        Just("From_Account".to_owned()),
        Just("To_Account".to_owned()),
        Just("MsgBody".to_owned()),
        Just("GroupId".to_owned()),
    ];
    leaf.prop_recursive(3, 40, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// One API's valid body, its invalid-parameter code, and a parse (plus conversion, where the
/// wire type has one) that answers a code.
struct Api {
    name: &'static str,
    valid: Value,
    invalid_param: u32,
    parse: fn(Value, u32) -> ApiResult<()>,
    /// The wire type's conversion to the service's request, where it has one.
    convert: Option<fn(Value, u32) -> ApiResult<()>>,
}

fn parse<T: DeserializeOwned>(body: Value, code: u32) -> ApiResult<()> {
    parse_body::<T>(body, code).map(|_| ())
}

fn apis() -> Vec<Api> {
    let text = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]);
    vec![
        Api {
            name: "openim/sendmsg",
            valid: json!({"From_Account": "a", "To_Account": "b", "MsgRandom": 1, "MsgBody": text}),
            invalid_param: 90001,
            parse: parse::<Sendmsg>,
            convert: Some(|body, code| {
                parse_body::<Sendmsg>(body, code)?
                    .into_send("admin")
                    .map(|_| ())
            }),
        },
        Api {
            name: "group_open_http_svc/send_group_msg",
            valid: json!({"GroupId": "g", "Random": 1, "MsgBody": text}),
            invalid_param: 10004,
            parse: parse::<SendGroupMsg>,
            convert: None,
        },
        Api {
            name: "group_open_http_svc/create_group",
            valid: json!({"Type": "Public", "Name": "n", "Owner_Account": "a",
                          "MemberList": [{"Member_Account": "b"}]}),
            invalid_param: 10004,
            parse: parse::<CreateGroup>,
            convert: None,
        },
        Api {
            name: "profile/portrait_set",
            valid: json!({"From_Account": "a", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "n"}]}),
            invalid_param: 40001,
            parse: parse::<PortraitSet>,
            convert: None,
        },
        Api {
            name: "sns/friend_add",
            valid: json!({"From_Account": "a", "AddFriendItem": [{"To_Account": "b", "AddSource": "AddSource_Type_X"}]}),
            invalid_param: 30001,
            parse: parse::<FriendAdd>,
            convert: None,
        },
        Api {
            name: "im_open_login_svc/multiaccount_import",
            valid: json!({"Accounts": ["a", "b"]}),
            invalid_param: 70402,
            parse: parse::<MultiaccountImport>,
            convert: None,
        },
        Api {
            name: "recentcontact/get_list",
            valid: json!({"From_Account": "a", "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0,
                          "TopStartIndex": 0, "AssistFlags": 15}),
            invalid_param: 50002,
            parse: parse::<GetList>,
            convert: None,
        },
    ]
}

fn assert_answered(api: &Api, body: Value) {
    // Parsing alone answers the API's invalid-parameter code or 60015, nothing else.
    let parsed = parse_body::<Value>(body.clone(), api.invalid_param)
        .and_then(|_| (api.parse)(body.clone(), api.invalid_param));
    if let Err(e) = &parsed {
        assert!(
            [api.invalid_param, ACCOUNT_NOT_STRING].contains(&e.code),
            "{}: {body}: parse answered {e:?}",
            api.name
        );
        return;
    }
    // The conversion may use the service's finer codes (90002 for a bad MsgBody, …): a code.
    if let Some(convert) = api.convert {
        if let Err(e) = convert(body.clone(), api.invalid_param) {
            assert!(
                e.code != 0 && !e.info.is_empty(),
                "{}: {body}: {e:?}",
                api.name
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn any_json_body_is_answered(body in any_json(), which in 0usize..7) {
        let apis = apis();
        assert_answered(&apis[which % apis.len()], body);
    }

    #[test]
    fn a_valid_body_with_one_field_replaced_is_answered(which in 0usize..7, field in 0usize..8, value in any_json()) {
        let apis = apis();
        let api = &apis[which % apis.len()];
        let mut body = api.valid.clone();
        let keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
        let key = keys[field % keys.len()].clone();
        body[key] = value;
        assert_answered(api, body);
    }

    #[test]
    fn the_valid_bodies_pass(which in 0usize..7) {
        let apis = apis();
        let api = &apis[which % apis.len()];
        prop_assert!((api.parse)(api.valid.clone(), api.invalid_param).is_ok(), "{}", api.name);
        if let Some(convert) = api.convert {
            prop_assert!(convert(api.valid.clone(), api.invalid_param).is_ok(), "{}", api.name);
        }
    }
}
