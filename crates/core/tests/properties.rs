//! Generated message bodies for the checker every send and import runs: whatever the JSON, the
//! answer is the elements or one of the three codes the caller gave, never a panic.

use natter_core::message::{check_body, BodyCodes};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const CODES: BodyCodes = BodyCodes {
    not_array: 1,
    bad_element: 2,
    too_long: 3,
};

const TYPES: [&str; 8] = [
    "TIMTextElem",
    "TIMLocationElem",
    "TIMFaceElem",
    "TIMCustomElem",
    "TIMSoundElem",
    "TIMImageElem",
    "TIMFileElem",
    "TIMVideoFileElem",
];

const FIELDS: [&str; 12] = [
    "Text",
    "Desc",
    "Latitude",
    "Longitude",
    "Index",
    "Data",
    "Ext",
    "Sound",
    "Url",
    "UUID",
    "ImageFormat",
    "ImageInfoArray",
];

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec((".{0,8}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An element that looks like Tencent's: a known or unknown `MsgType` and content whose fields
/// are known names with any values.
fn element() -> impl Strategy<Value = Value> {
    let msg_type = prop_oneof![
        (0..TYPES.len()).prop_map(|i| Value::from(TYPES[i])),
        any_json(),
    ];
    let content = proptest::collection::vec((0..FIELDS.len(), any_json()), 0..5).prop_map(|kv| {
        let map: Map<String, Value> = kv
            .into_iter()
            .map(|(i, v)| (FIELDS[i].to_owned(), v))
            .collect();
        Value::Object(map)
    });
    (msg_type, prop_oneof![content, any_json()])
        .prop_map(|(t, c)| json!({"MsgType": t, "MsgContent": c}))
}

fn assert_answered(body: Option<&Value>, custom: &str) {
    match check_body(body, custom, CODES) {
        Ok(elements) => assert!(!elements.is_empty()),
        Err(e) => assert!([1, 2, 3].contains(&e.code), "{e:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn any_json_is_answered(body in any_json(), custom in ".{0,30}") {
        assert_answered(Some(&body), &custom);
    }

    #[test]
    fn element_lists_are_answered(elements in proptest::collection::vec(element(), 0..8)) {
        assert_answered(Some(&Value::from(elements)), "");
    }

    #[test]
    fn any_text_element_within_the_limit_is_taken(text in ".{1,200}") {
        let body = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]);
        prop_assert!(check_body(Some(&body), "", CODES).is_ok());
    }
}
