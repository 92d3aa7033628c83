//! Online status.

use serde::{Deserialize, Serialize};

use super::payload;
use crate::commands;

/// `State.StateChange`: a user logged in, logged out or lost the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
    #[serde(rename = "Info")]
    pub info: StateChangeInfo,
    /// Devices signed out by this login. Only present on a `Login` that kicked other devices.
    #[serde(rename = "KickedDevice", skip_serializing_if = "Option::is_none")]
    pub kicked_device: Option<Vec<KickedDevice>>,
}
payload!(StateChange, commands::STATE_STATE_CHANGE);

/// What happened to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChangeInfo {
    /// `Login`, `Logout` or `Disconnect`.
    #[serde(rename = "Action")]
    pub action: String,
    /// The user whose state changed.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// `Register` (with `Login`), `Unregister` (with `Logout`), `LinkClose` or `TimeOut`
    /// (with `Disconnect`).
    #[serde(rename = "Reason")]
    pub reason: String,
}

/// A device kicked offline by a new login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickedDevice {
    /// `iOS`, `Android`, `Web`, `Windows`, `iPad`, `Mac` or `Linux`.
    #[serde(rename = "Platform")]
    pub platform: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;

    #[test]
    fn documented_sample_login_with_kicked_devices() {
        assert_body(
            &StateChange {
                event_time: 1629883332497,
                info: StateChangeInfo {
                    action: "Login".into(),
                    to_account: "testuser316".into(),
                    reason: "Register".into(),
                },
                kicked_device: Some(vec![
                    KickedDevice {
                        platform: "Windows".into(),
                    },
                    KickedDevice {
                        platform: "Android".into(),
                    },
                ]),
            },
            r#"{
                "CallbackCommand": "State.StateChange",
                "EventTime": 1629883332497,
                "Info": {
                    "Action": "Login",
                    "To_Account": "testuser316",
                    "Reason": "Register"
                },
                "KickedDevice": [
                    { "Platform": "Windows" },
                    { "Platform": "Android" }
                ]
            }"#,
        );
    }

    /// The older logout sample (which predates `EventTime`) plus an `EventTime`: `KickedDevice`
    /// must be left out when nothing was kicked.
    #[test]
    fn logout_without_kicked_devices() {
        assert_body(
            &StateChange {
                event_time: 1629883332497,
                info: StateChangeInfo {
                    action: "Logout".into(),
                    to_account: "testuser316".into(),
                    reason: "Unregister".into(),
                },
                kicked_device: None,
            },
            r#"{
                "CallbackCommand": "State.StateChange",
                "EventTime": 1629883332497,
                "Info": {
                    "Action": "Logout",
                    "To_Account": "testuser316",
                    "Reason": "Unregister"
                }
            }"#,
        );
    }
}
