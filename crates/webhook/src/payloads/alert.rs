//! Operations alerts.

use serde::{Deserialize, Serialize};

use super::payload;
use crate::commands;

/// `Alert.RequestOverLimit`: a REST API's request rate passed 80 % of its frequency limit.
///
/// Fired without a console switch once a callback URL is set. The body carries no `EventTime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestOverLimit {
    /// Internal service of the API, e.g. `openim`.
    #[serde(rename = "ServiceName")]
    pub service_name: String,
    /// The API's command word, e.g. `batchsendmsg`.
    #[serde(rename = "Command")]
    pub command: String,
    /// Current requests per second.
    #[serde(rename = "Request")]
    pub request: u32,
    /// The requests-per-second limit.
    #[serde(rename = "Limit")]
    pub limit: u32,
}
payload!(RequestOverLimit, commands::ALERT_REQUEST_OVER_LIMIT);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;

    #[test]
    fn documented_sample() {
        assert_body(
            &RequestOverLimit {
                service_name: "openim".into(),
                command: "batchsendmsg".into(),
                request: 510,
                limit: 200,
            },
            r#"{
                "CallbackCommand": "Alert.RequestOverLimit",
                "ServiceName": "openim",
                "Command": "batchsendmsg",
                "Request": 510,
                "Limit": 200
            }"#,
        );
    }
}
