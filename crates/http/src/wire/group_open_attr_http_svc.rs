//! `v4/group_open_attr_http_svc/*`: reading custom group attributes (1047/44187). The writes
//! live under `group_open_http_svc`, as Tencent's paths have them.

use serde::Serialize;

pub use super::group_open_http_svc::GroupAttr;

pub type GetGroupAttr = super::group_open_http_svc::GroupRef;

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupAttrReply {
    pub group_attr_ary: Vec<GroupAttr>,
}
