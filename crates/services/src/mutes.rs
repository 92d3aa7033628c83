//! Global mutes (`openconfigsvr/setnospeaking`, `getnospeaking`): an account can be kept from
//! sending one-to-one messages, group messages, or both, for a while or for ever. Only the
//! user's own sends (from a client) are refused; the app's administrator still sends on their
//! behalf through the REST API, as at Tencent.

use std::sync::Arc;

use natter_core::{codes, ids, ApiError, ApiResult, AppId, Clock};
use natter_store::{GlobalMute, Store, MUTED_FOREVER};
use natter_webhook::{Origin, REST_PLATFORM};

use crate::internal;

/// Tencent's "for ever": 0xFFFFFFFF seconds.
pub const FOREVER_SECS: u64 = 4_294_967_295;

/// The pages name no codes for these APIs' own refusals; Natter answers with the profile
/// service's, as the other account-keyed settings do.
const INVALID_PARAM: u32 = codes::PROFILE_INVALID_PARAM;
const ACCOUNT_NOT_FOUND: u32 = codes::PROFILE_ACCOUNT_NOT_FOUND;
const INTERNAL: u32 = codes::PROFILE_INTERNAL;

/// A user's global mutes as `getnospeaking` reports them: the seconds left of each (0 not
/// muted, [`FOREVER_SECS`] for ever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MuteLeft {
    pub c2c_secs: u64,
    pub group_secs: u64,
}

#[derive(Clone)]
pub struct MuteService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
}

impl MuteService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Self { store, clock }
    }

    /// `setnospeaking`: each given period (seconds from now; 0 lifts the mute, [`FOREVER_SECS`]
    /// never ends) replaces that kind's mute; at least one must be given.
    pub async fn set(
        &self,
        app: AppId,
        user: &str,
        c2c_secs: Option<u64>,
        group_secs: Option<u64>,
    ) -> ApiResult<()> {
        check_account(user, "Set_Account")?;
        if c2c_secs.is_none() && group_secs.is_none() {
            return Err(ApiError::new(
                INVALID_PARAM,
                "give C2CmsgNospeakingTime, GroupmsgNospeakingTime or both",
            ));
        }
        let now = self.clock.now_secs();
        let until = |field: &str, secs: Option<u64>| -> ApiResult<Option<i64>> {
            match secs {
                None => Ok(None),
                Some(0) => Ok(Some(0)),
                Some(FOREVER_SECS) => Ok(Some(MUTED_FOREVER)),
                Some(s) if s > FOREVER_SECS => Err(ApiError::new(
                    INVALID_PARAM,
                    format!("{field} is {s}; at most {FOREVER_SECS} (for ever)"),
                )),
                Some(s) => Ok(Some(now + s as i64)),
            }
        };
        let c2c_until = until("C2CmsgNospeakingTime", c2c_secs)?;
        let group_until = until("GroupmsgNospeakingTime", group_secs)?;
        let written = self
            .store
            .set_global_mute(app, user.to_owned(), c2c_until, group_until)
            .await
            .map_err(internal(INTERNAL))?;
        if written {
            Ok(())
        } else {
            Err(not_found(user))
        }
    }

    /// `getnospeaking`: the seconds left of each mute.
    pub async fn get(&self, app: AppId, user: &str) -> ApiResult<MuteLeft> {
        check_account(user, "Get_Account")?;
        let exists = self
            .store
            .accounts_exist(app, vec![user.to_owned()])
            .await
            .map_err(internal(INTERNAL))?;
        if !exists[0] {
            return Err(not_found(user));
        }
        let mute = self
            .store
            .global_mute(app, user.to_owned())
            .await
            .map_err(internal(INTERNAL))?;
        let now = self.clock.now_secs();
        let left = |until: i64| match until {
            MUTED_FOREVER => FOREVER_SECS,
            until if until > now => (until - now) as u64,
            _ => 0,
        };
        Ok(MuteLeft {
            c2c_secs: left(mute.c2c_until),
            group_secs: left(mute.group_until),
        })
    }
}

fn check_account(user: &str, field: &str) -> ApiResult<()> {
    match ids::user_id_problem(user) {
        Some(problem) => Err(ApiError::new(INVALID_PARAM, format!("{field}: {problem}"))),
        None => Ok(()),
    }
}

fn not_found(user: &str) -> ApiError {
    ApiError::new(ACCOUNT_NOT_FOUND, format!("account {user} does not exist"))
}

/// Which of a user's sends is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendKind {
    C2c,
    Group,
}

/// Refuses a user's own send while they are muted for its kind: 20012 for one-to-one
/// messages, 10017 for group messages (the codes Tencent's setnospeaking page gives). Sends
/// through the REST API are the administrator's and pass. Checked before any before-callback,
/// as the page says those do not fire for a muted sender.
pub(crate) async fn check_send(
    store: &dyn Store,
    clock: &Clock,
    app: AppId,
    origin: &Origin,
    sender: &str,
    kind: SendKind,
) -> ApiResult<()> {
    if origin.platform == REST_PLATFORM {
        return Ok(());
    }
    let (internal_code, muted_code) = match kind {
        SendKind::C2c => (codes::C2C_INTERNAL, codes::C2C_SENDER_MUTED),
        SendKind::Group => (codes::GROUP_INTERNAL, codes::GROUP_SENDER_MUTED),
    };
    let GlobalMute {
        c2c_until,
        group_until,
    } = store
        .global_mute(app, sender.to_owned())
        .await
        .map_err(internal(internal_code))?;
    let until = match kind {
        SendKind::C2c => c2c_until,
        SendKind::Group => group_until,
    };
    if until <= clock.now_secs() {
        return Ok(());
    }
    let what = match kind {
        SendKind::C2c => "one-to-one",
        SendKind::Group => "group",
    };
    let period = if until == MUTED_FOREVER {
        "until the mute is lifted".to_owned()
    } else {
        format!("until {until} (Unix seconds)")
    };
    Err(ApiError::new(
        muted_code,
        format!("{sender} is muted for {what} messages (global mute) {period}"),
    ))
}
