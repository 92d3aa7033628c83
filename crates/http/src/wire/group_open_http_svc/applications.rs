//! Join requests to groups that need approval: the client's `handle_group_application`
//! (Natter's client protocol; no REST counterpart).

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::{Answer, Decision};
use serde::Deserialize;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct HandleGroupApplication {
    pub group_id: String,
    /// The applicant.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// `Agree` or `Reject`.
    pub handle_action: String,
    #[serde(default)]
    pub handle_msg: String,
}

impl HandleGroupApplication {
    /// The group and the answer to its applicant.
    pub fn into_answer(self) -> ApiResult<(String, Answer)> {
        let decision = match self.handle_action.as_str() {
            "Agree" => Decision::Agree,
            "Reject" => Decision::Refuse,
            other => {
                return Err(ApiError::new(
                    codes::GROUP_INVALID_PARAM,
                    format!("HandleAction {other:?} is not Agree or Reject"),
                ))
            }
        };
        let answer = Answer {
            applicant: self.from_account,
            decision,
            message: self.handle_msg,
            inviter: None,
        };
        Ok((self.group_id, answer))
    }
}
