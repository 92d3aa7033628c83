//! `v4/ConfigSvc/*` (the URL's capitals are Tencent's): the server's addresses (page 36742).

use serde::{Deserialize, Serialize};

/// `GetIPList` takes an empty object (and a `nettype` URL parameter; see the handler).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct GetIpList {}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GetIpListReply {
    /// Addresses or CIDR ranges.
    #[serde(rename = "IPList")]
    pub ip_list: Vec<String>,
}
