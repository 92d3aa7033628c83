//! `v4/openconfigsvr/*`: app-wide settings and operations data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `getappinfo`: the operations data of the last 30 days.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Getappinfo {
    /// The fields wanted; absent: all of them.
    pub request_field: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetappinfoReply {
    /// One object per day, today first: the fields asked for and `Date`, each a string.
    pub result: Vec<BTreeMap<String, String>>,
}
