//! `v4/openim_msg_ext_http_svc/*`: message extensions of one-to-one messages (Tencent pages
//! 1047/51194, 1047/51195) and of group messages (1047/52169, 1047/52170). Both answer the
//! same shapes.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::extensions::{
    ExtensionChange, ExtensionItem, ExtensionPage, ExtensionWrite, SeenSeqs,
};
use serde::{Deserialize, Serialize};

use super::openim::MsgTarget;
use super::Field;

/// `StartSeq`: 0 when absent.
pub fn start_seq(field: Option<Field<u64>>) -> ApiResult<u64> {
    match field {
        None => Ok(0),
        Some(Field::Valid(seq)) => Ok(seq),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!("StartSeq must be an integer, got {v}"),
        )),
    }
}

/// `get_key_values` (page 51194).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyValues {
    /// `From_Account` defaults to the URL's admin.
    #[serde(flatten)]
    pub target: MsgTarget,
    pub start_seq: Option<Field<u64>>,
}

/// `group_get_key_values` (page 52169).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupGetKeyValues {
    pub group_id: String,
    pub msg_seq: u64,
    pub start_seq: Option<Field<u64>>,
}

/// One extension as the caller sends it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ExtensionEntry {
    pub key: String,
    #[serde(default)]
    pub value: String,
    /// The version the caller last saw; an administrator's write does not check it (the Web
    /// SDK's does: a key written since is left alone, 23001).
    #[serde(default)]
    pub seq: Option<u64>,
}

/// `OperateType` and `ExtensionList`: what a set request changes.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeFields {
    /// 1 set, 2 delete, 3 clear.
    pub operate_type: Option<Field<u64>>,
    pub extension_list: Option<Field<Vec<ExtensionEntry>>>,
}

impl ChangeFields {
    /// The version each key of the list was seen at, for the keys that name one (the Web
    /// SDK's); empty for a list that cannot be read (`into_change` refuses it).
    pub fn seen(&self) -> SeenSeqs {
        match &self.extension_list {
            Some(Field::Valid(list)) => list
                .iter()
                .filter_map(|e| Some((e.key.clone(), e.seq?)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The change; the list is checked before `OperateType`.
    pub fn into_change(self) -> ApiResult<ExtensionChange> {
        change_of(self.operate_type, self.extension_list)
    }
}

fn change_of(
    operate_type: Option<Field<u64>>,
    extension_list: Option<Field<Vec<ExtensionEntry>>>,
) -> ApiResult<ExtensionChange> {
    let list = match extension_list {
        None => Vec::new(),
        Some(list) => list.or_parse_error(codes::C2C_BAD_PARAM)?,
    };
    match operate_type {
        Some(Field::Valid(1)) => Ok(ExtensionChange::Set(
            list.into_iter().map(|e| (e.key, e.value)).collect(),
        )),
        Some(Field::Valid(2)) => Ok(ExtensionChange::Delete(
            list.into_iter().map(|e| e.key).collect(),
        )),
        Some(Field::Valid(3)) => Ok(ExtensionChange::Clear),
        _ => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            "OperateType must be 1 (set), 2 (delete) or 3 (clear)",
        )),
    }
}

/// `set_key_values` (page 51195).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SetKeyValues {
    /// `From_Account` defaults to the URL's admin.
    #[serde(flatten)]
    pub target: MsgTarget,
    #[serde(flatten)]
    pub change: ChangeFields,
}

/// `group_set_key_values` (page 52170).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupSetKeyValues {
    pub group_id: String,
    pub msg_seq: u64,
    #[serde(flatten)]
    pub change: ChangeFields,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Extension {
    pub key: String,
    pub value: String,
    pub seq: u64,
}

impl From<ExtensionItem> for Extension {
    fn from(item: ExtensionItem) -> Self {
        Self {
            key: item.key,
            value: item.value,
            seq: item.seq,
        }
    }
}

/// The reply of `get_key_values` and `group_get_key_values`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyValuesReply {
    pub complete_flag: u32,
    pub latest_seq: u64,
    pub clear_seq: u64,
    pub extension_list: Vec<Extension>,
}

impl From<ExtensionPage> for GetKeyValuesReply {
    fn from(page: ExtensionPage) -> Self {
        Self {
            complete_flag: u32::from(page.complete),
            latest_seq: page.extensions.latest_seq,
            clear_seq: page.extensions.clear_seq,
            extension_list: page.extensions.items.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ExtensionResult {
    pub error_code: u32,
    pub extension: Extension,
}

/// The reply of `set_key_values` and `group_set_key_values`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SetKeyValuesReply {
    pub extension_list: Vec<ExtensionResult>,
}

/// A key written since the version the Web SDK saw: left alone, answered with its value now.
pub const EXTENSION_CONFLICT: u32 = 23001;

impl From<ExtensionWrite> for SetKeyValuesReply {
    fn from(write: ExtensionWrite) -> Self {
        let result = |error_code| {
            move |item: ExtensionItem| ExtensionResult {
                error_code,
                extension: item.into(),
            }
        };
        Self {
            extension_list: write
                .changed
                .into_iter()
                .map(result(0))
                .chain(write.conflicts.into_iter().map(result(EXTENSION_CONFLICT)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::envelope::parse_body;

    #[test]
    fn the_list_is_checked_before_operate_type_and_named_from_itself() {
        let change = |body| {
            parse_body::<SetKeyValues>(body, codes::C2C_BAD_PARAM)
                .unwrap()
                .change
                .into_change()
        };
        let e = change(json!({"ExtensionList": [{"Value": "v"}], "OperateType": 9})).unwrap_err();
        assert_eq!(
            (e.code, e.info.as_str()),
            (90001, "[0]: missing field `Key`")
        );
        let e = change(json!({"OperateType": "1"})).unwrap_err();
        assert_eq!(e.code, 90001);
        assert!(matches!(
            change(json!({"OperateType": 3})),
            Ok(ExtensionChange::Clear)
        ));
        let e = parse_body::<GetKeyValues>(json!({"StartSeq": -1}), codes::C2C_BAD_PARAM)
            .map(|r| start_seq(r.start_seq))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.info, "StartSeq must be an integer, got -1");
    }
}
