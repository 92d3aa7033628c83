//! `v4/openconfigsvr/*`: global mutes (pages 34923, 34924) and operations data (34886).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `setnospeaking`: mutes (or, with 0, unmutes) one account's one-to-one and/or group sends
/// for a number of seconds (4294967295: for ever). At least one of the two is given.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Setnospeaking {
    #[serde(rename = "Set_Account")]
    pub set_account: String,
    #[serde(rename = "C2CmsgNospeakingTime", default)]
    pub c2c_msg_nospeaking_time: Option<u64>,
    #[serde(rename = "GroupmsgNospeakingTime", default)]
    pub groupmsg_nospeaking_time: Option<u64>,
}

/// `getnospeaking`: one account's global mutes.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Getnospeaking {
    #[serde(rename = "Get_Account")]
    pub get_account: String,
}

/// The seconds left of each mute: 0 not muted, 4294967295 for ever.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GetnospeakingReply {
    #[serde(rename = "C2CmsgNospeakingTime")]
    pub c2c_msg_nospeaking_time: u64,
    #[serde(rename = "GroupmsgNospeakingTime")]
    pub groupmsg_nospeaking_time: u64,
}

/// `getappinfo`: the operations data of the last 30 days.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Getappinfo {
    /// The fields wanted; absent: all of them.
    pub request_field: Option<Vec<String>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetappinfoReply {
    /// One object per day, today first: the fields asked for and `Date`, each a string.
    pub result: Vec<BTreeMap<String, String>>,
}
