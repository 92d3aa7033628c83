//! `v4/openim_robot_http_svc/*`: chatbot accounts (pages 55280, 55281, 55282).

use natter_services::robots::NewRobot;
use serde::{Deserialize, Serialize};

/// `create_robot`: a chatbot account (`@RBT#…`) with its nick, face and status.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateRobot {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "Nick", default)]
    pub nick: Option<String>,
    #[serde(rename = "FaceUrl", default)]
    pub face_url: Option<String>,
    #[serde(rename = "SelfSignature", default)]
    pub self_signature: Option<String>,
}

impl CreateRobot {
    pub fn into_new_robot(self) -> NewRobot {
        NewRobot {
            user_id: self.user_id,
            nick: self.nick,
            face_url: self.face_url,
            self_signature: self.self_signature,
        }
    }
}

/// `delete_robot`: one chatbot.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteRobot {
    #[serde(rename = "Robot_Account")]
    pub robot_account: String,
}

/// `get_all_robots` takes an empty object.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct GetAllRobots {}

/// The app's chatbots.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GetAllRobotsReply {
    #[serde(rename = "Robot_Account")]
    pub robot_account: Vec<String>,
}
