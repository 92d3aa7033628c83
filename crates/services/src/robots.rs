//! Chatbots (`openim_robot_http_svc`): accounts named `@RBT#…` that users message. A chatbot
//! is an account plus a mark; deleting the chatbot removes the mark and keeps the account (its
//! UserID, profile and history), as Tencent's delete_robot page says.

use std::sync::Arc;

use natter_core::{codes, ids, ApiError, ApiResult, AppId, Clock};
use natter_store::{AccountImport, ProfileValue, RobotCreate, Store};

use crate::{internal, profile_fields};

/// Every chatbot's UserID starts with this.
pub const ROBOT_PREFIX: &str = "@RBT#";
/// Most chatbots of one app (Tencent's figure).
pub const MAX_ROBOTS: usize = 20;
/// The profile field of a chatbot's status (`SelfSignature`).
const SELF_SIGNATURE: &str = "Tag_Profile_IM_SelfSignature";

/// A chatbot as `create_robot` names it.
#[derive(Debug, Clone, Default)]
pub struct NewRobot {
    pub user_id: String,
    pub nick: Option<String>,
    pub face_url: Option<String>,
    pub self_signature: Option<String>,
}

#[derive(Clone)]
pub struct RobotService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
}

/// Whether `user` is named like a chatbot (only these are looked up as one).
pub fn looks_like_robot(user: &str) -> bool {
    user.starts_with(ROBOT_PREFIX)
}

fn invalid(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::GROUP_INVALID_PARAM, info)
}

fn check_robot_id(field: &str, id: &str) -> ApiResult<()> {
    if let Some(problem) = ids::user_id_problem(id) {
        return Err(invalid(format!("{field}: {problem}")));
    }
    if !looks_like_robot(id) || id.len() == ROBOT_PREFIX.len() {
        return Err(invalid(format!(
            "{field} {id:?} is not a chatbot UserID: it must be {ROBOT_PREFIX} and more"
        )));
    }
    Ok(())
}

impl RobotService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Self { store, clock }
    }

    /// `create_robot`: the chatbot's account (created if needed) with its nick, face URL and
    /// status. Creating an existing chatbot again writes the given fields and answers OK.
    pub async fn create(&self, app: AppId, robot: NewRobot) -> ApiResult<()> {
        check_robot_id("UserID", &robot.user_id)?;
        let mut profile = Vec::new();
        for (field, tag, value) in [
            ("Nick", profile_fields::NICK, robot.nick),
            ("FaceUrl", profile_fields::IMAGE, robot.face_url),
            ("SelfSignature", SELF_SIGNATURE, robot.self_signature),
        ] {
            let Some(value) = value else { continue };
            if value.len() > profile_fields::MAX_VALUE_BYTES {
                return Err(invalid(format!(
                    "{field} is {} bytes; at most {} are allowed",
                    value.len(),
                    profile_fields::MAX_VALUE_BYTES
                )));
            }
            profile.push(ProfileValue::new(tag, value));
        }
        let import = AccountImport {
            user_id: robot.user_id,
            profile,
        };
        let done = self
            .store
            .create_robot(app, import, MAX_ROBOTS, self.clock.now_ms())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        match done {
            RobotCreate::Created | RobotCreate::Existed => Ok(()),
            RobotCreate::Full => Err(ApiError::new(
                codes::ROBOT_LIMIT,
                format!("the app has {MAX_ROBOTS} chatbots, the most it may have"),
            )),
        }
    }

    /// `delete_robot`: the account stops being a chatbot (and stays an account).
    pub async fn delete(&self, app: AppId, user: &str) -> ApiResult<()> {
        check_robot_id("Robot_Account", user)?;
        let was = self
            .store
            .delete_robot(app, user.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        if was {
            Ok(())
        } else {
            Err(invalid(format!("{user} is not a chatbot of this app")))
        }
    }

    /// `get_all_robots`: the app's chatbots, by UserID.
    pub async fn list(&self, app: AppId) -> ApiResult<Vec<String>> {
        self.store
            .robots(app)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }
}
