//! Message bodies (`MsgBody`): an array of typed elements, checked field by field as Tencent's
//! "Message Formats" page describes them, for every API that sends or imports messages.

use serde_json::{Map, Value};

use crate::ApiError;

/// Largest message, in bytes of JSON (`MsgBody` plus `CloudCustomData`): 12 KB.
pub const MAX_MESSAGE_BYTES: usize = 12 * 1024;

/// The JSON type a `MsgContent` field must have.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Num,
    StrList,
    Array,
}

/// Fields of each element type: (name, kind, required for a server-sent message).
fn fields_of(msg_type: &str) -> Option<&'static [(&'static str, Kind, bool)]> {
    use Kind::*;
    Some(match msg_type {
        "TIMTextElem" => &[("Text", Str, true)],
        "TIMLocationElem" => &[
            ("Desc", Str, false),
            ("Latitude", Num, true),
            ("Longitude", Num, true),
        ],
        "TIMFaceElem" => &[("Index", Num, true), ("Data", Str, false)],
        "TIMCustomElem" => &[
            ("Data", Str, false),
            ("Desc", Str, false),
            ("Ext", Str, false),
            ("Sound", Str, false),
        ],
        "TIMSoundElem" => &[
            ("Url", Str, true),
            ("UUID", Str, true),
            ("Size", Num, false),
            ("Second", Num, false),
            ("Download_Flag", Num, true),
        ],
        "TIMImageElem" => &[
            ("UUID", Str, true),
            ("ImageFormat", Num, false),
            ("ImageInfoArray", Array, true),
        ],
        "TIMFileElem" => &[
            ("Url", Str, true),
            ("UUID", Str, false),
            ("FileSize", Num, false),
            ("FileName", Str, false),
            ("Download_Flag", Num, true),
        ],
        "TIMVideoFileElem" => &[
            ("VideoUrl", Str, true),
            ("VideoUUID", Str, false),
            ("VideoSize", Num, false),
            ("VideoSecond", Num, false),
            ("VideoFormat", Str, false),
            ("VideoDownloadFlag", Num, true),
            ("ThumbUrl", Str, true),
            ("ThumbUUID", Str, false),
            ("ThumbSize", Num, false),
            ("ThumbWidth", Num, false),
            ("ThumbHeight", Num, false),
            ("ThumbFormat", Str, false),
            ("ThumbDownloadFlag", Num, true),
        ],
        "TIMRelayElem" => &[
            ("Title", Str, false),
            ("MsgNum", Num, false),
            ("CompatibleText", Str, false),
            ("AbstractList", StrList, false),
            ("MsgList", Array, false),
            ("JsonMsgKey", Str, false),
        ],
        _ => return None,
    })
}

fn kind_matches(kind: Kind, value: &Value) -> bool {
    match kind {
        Kind::Str => value.is_string(),
        Kind::Num => value.is_number(),
        Kind::Array => value.is_array(),
        Kind::StrList => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
    }
}

/// Which codes an API answers for body problems (they differ between one-to-one and group).
#[derive(Debug, Clone, Copy)]
pub struct BodyCodes {
    /// `MsgBody` missing or not an array.
    pub not_array: u32,
    /// An element is malformed (unknown type, missing or wrong-typed field, two custom elements).
    pub bad_element: u32,
    /// The message is over [`MAX_MESSAGE_BYTES`].
    pub too_long: u32,
}

/// Checks a `MsgBody` and returns its elements.
pub fn check_body(
    body: Option<&Value>,
    cloud_custom_data: &str,
    codes: BodyCodes,
) -> Result<Vec<Value>, ApiError> {
    let elements = body.and_then(Value::as_array).ok_or_else(|| {
        ApiError::new(
            codes.not_array,
            "MsgBody must be an array of message elements",
        )
    })?;
    if elements.is_empty() {
        return Err(ApiError::new(codes.bad_element, "MsgBody is empty"));
    }
    let mut custom = 0;
    for (i, element) in elements.iter().enumerate() {
        let bad = |why: String| ApiError::new(codes.bad_element, format!("MsgBody[{i}]: {why}"));
        let element = element
            .as_object()
            .ok_or_else(|| bad("an element must be an object".into()))?;
        let msg_type = element
            .get("MsgType")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("MsgType is missing or not a string".into()))?;
        let fields =
            fields_of(msg_type).ok_or_else(|| bad(format!("unknown MsgType {msg_type}")))?;
        if msg_type == "TIMCustomElem" {
            custom += 1;
        }
        let content: &Map<String, Value> = element
            .get("MsgContent")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("MsgContent is missing or not an object".into()))?;
        for (name, kind, required) in fields {
            match content.get(*name) {
                None if *required => return Err(bad(format!("{msg_type}.{name} is required"))),
                Some(value) if !kind_matches(*kind, value) => {
                    return Err(bad(format!(
                        "{msg_type}.{name} has the wrong type: {value}"
                    )))
                }
                _ => {}
            }
        }
    }
    if custom > 1 {
        return Err(ApiError::new(
            codes.bad_element,
            "a message may carry at most one TIMCustomElem",
        ));
    }
    let size = serde_json::to_string(elements)
        .map(|s| s.len())
        .unwrap_or(usize::MAX)
        + cloud_custom_data.len();
    if size > MAX_MESSAGE_BYTES {
        return Err(ApiError::new(
            codes.too_long,
            format!("the message is {size} bytes; at most {MAX_MESSAGE_BYTES} are allowed"),
        ));
    }
    Ok(elements.clone())
}

/// Checks an `OfflinePushInfo` object field by field (types as Tencent documents them) and
/// returns it as JSON text to store; absent or null gives an empty string. `code` is the API's
/// invalid-parameter code.
pub fn check_offline_push_info(info: Option<&Value>, code: u32) -> Result<String, ApiError> {
    let info = match info {
        None | Some(Value::Null) => return Ok(String::new()),
        Some(Value::Object(info)) => info,
        Some(other) => {
            return Err(ApiError::new(
                code,
                format!("OfflinePushInfo must be an object, got {other}"),
            ))
        }
    };
    let bad = |field: &str, wanted: &str| {
        ApiError::new(code, format!("OfflinePushInfo.{field} must be {wanted}"))
    };
    for (field, value) in info {
        // Newer vendor fields are kept as they are.
        let wanted = match field.as_str() {
            "PushFlag" if !matches!(value.as_u64(), Some(0 | 1)) => "0 (push) or 1 (do not push)",
            "Title" | "Desc" | "Ext" if !value.is_string() => "a string",
            "AndroidInfo" | "ApnsInfo" if !value.is_object() => "an object",
            _ => continue,
        };
        return Err(bad(field, wanted));
    }
    Ok(Value::Object(info.clone()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CODES: BodyCodes = BodyCodes {
        not_array: 1,
        bad_element: 2,
        too_long: 3,
    };

    fn code(body: Value) -> u32 {
        check_body(Some(&body), "", CODES)
            .err()
            .map_or(0, |e| e.code)
    }

    #[test]
    fn element_rules() {
        assert_eq!(
            code(json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}])),
            0
        );
        assert_eq!(code(json!({"MsgType": "TIMTextElem"})), 1);
        assert_eq!(check_body(None, "", CODES).unwrap_err().code, 1);
        assert_eq!(code(json!([])), 2);
        assert_eq!(
            code(json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": 5}}])),
            2
        );
        assert_eq!(
            code(json!([{"MsgType": "TIMTextElem", "MsgContent": {}}])),
            2
        );
        assert_eq!(
            code(json!([{"MsgType": "TIMNopeElem", "MsgContent": {}}])),
            2
        );
        assert_eq!(code(json!([{"MsgType": "TIMTextElem"}])), 2);
        let custom = json!({"MsgType": "TIMCustomElem", "MsgContent": {"Data": "d"}});
        assert_eq!(code(json!([custom.clone()])), 0);
        assert_eq!(code(json!([custom.clone(), custom])), 2);
        assert_eq!(
            code(
                json!([{"MsgType": "TIMLocationElem", "MsgContent": {"Desc": "x", "Latitude": 1.5, "Longitude": 2}}])
            ),
            0
        );
        assert_eq!(
            code(json!([{"MsgType": "TIMLocationElem", "MsgContent": {"Latitude": "1"}}])),
            2
        );
        let text = "x".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(
            code(json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}])),
            3
        );
    }

    #[test]
    fn offline_push_info_is_checked_field_by_field() {
        let ok = json!({"PushFlag": 0, "Title": "t", "Desc": "d", "Ext": "{}", "ApnsInfo": {"Sound": "a"}, "AndroidInfo": {}, "NewVendorField": 1});
        let stored = check_offline_push_info(Some(&ok), 90001).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), ok);
        assert_eq!(check_offline_push_info(None, 90001).unwrap(), "");
        for bad in [
            json!("x"),
            json!({"PushFlag": 2}),
            json!({"Desc": 5}),
            json!({"ApnsInfo": "x"}),
        ] {
            assert_eq!(
                check_offline_push_info(Some(&bad), 90001).unwrap_err().code,
                90001,
                "{bad}"
            );
        }
    }
}
