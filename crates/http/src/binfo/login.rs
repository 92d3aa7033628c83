//! Logging in over `/binfo`: `im_open_status.wslogin`.
//!
//! The first login names the user and their UserSig in the frame's head. Natter answers with an
//! `A2Key` that the SDK sends instead on every later frame and on the re-login after a reconnect
//! (it has no UserSig then). The A2Key is the user's id and UserSig themselves (`<hex id>.<sig>`),
//! so any node can check it the way it checks a UserSig, without shared state, and it expires when
//! the UserSig does.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::user_number;
use serde::Serialize;

use super::frame::Head;
use crate::auth::Caller;

/// The SDK's `platform` query value for the Web; the only one it sends from a browser or Node.
const WEB_PLATFORM_NUMBER: &str = "7";
/// Seconds between the SDK's `im_open_status.wshello` frames.
const HELLO_INTERVAL_SECS: u64 = 120;

/// What the SDK reads from the `wslogin` reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WsloginReply {
    pub a2_key: String,
    /// A string: the SDK echoes it in `head.tinyid` and starts message ids with it.
    pub tiny_id: String,
    /// Must not be 0: the SDK sends it back as `head.status_instid` and keys kicks on it.
    pub inst_id: u64,
    pub hello_interval: u64,
    /// Server time in seconds; the SDK computes its clock offset from it.
    pub time_stamp: i64,
}

impl WsloginReply {
    pub fn new(user: &str, usersig: &str, connection: u64, now_secs: i64) -> Self {
        Self {
            a2_key: a2_key(user, usersig),
            tiny_id: user_number(user).to_string(),
            inst_id: connection + 1,
            hello_interval: HELLO_INTERVAL_SECS,
            time_stamp: now_secs,
        }
    }
}

fn a2_key(user: &str, usersig: &str) -> String {
    let hex: String = user.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{usersig}")
}

/// The caller a `wslogin` head names: `identifier` and `usersig`, or the `a2` Natter gave.
/// `sdkappid` comes from the URL when the head has none.
pub fn caller(head: &Head, url_sdkappid: Option<&str>) -> ApiResult<(Caller, String)> {
    let (identifier, usersig) =
        match (&head.identifier, &head.usersig, &head.a2) {
            (Some(id), Some(sig), _) => (id.clone(), sig.clone()),
            (_, _, Some(a2)) => from_a2(a2)?,
            _ => return Err(ApiError::new(
                codes::BAD_ACCOUNT_OR_SIG,
                "wslogin needs identifier and usersig (or the a2 of an earlier login) in the head",
            )),
        };
    let sdkappid = match &head.sdkappid {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => url_sdkappid.map(str::to_owned),
    };
    let caller = Caller {
        sdkappid,
        identifier: Some(identifier),
        usersig: Some(usersig.clone()),
    };
    Ok((caller, usersig))
}

fn from_a2(a2: &str) -> ApiResult<(String, String)> {
    let refuse = || ApiError::new(codes::BAD_ACCOUNT_OR_SIG, "a2 is not one Natter gave");
    let (hex, usersig) = a2.split_once('.').ok_or_else(refuse)?;
    if hex.len() % 2 != 0 {
        return Err(refuse());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| refuse())?;
    let user = String::from_utf8(bytes).map_err(|_| refuse())?;
    Ok((user, usersig.to_owned()))
}

/// The platform a connection's callbacks carry, from the URL's `platform` number.
pub fn platform(number: Option<&str>) -> &'static str {
    match number {
        None | Some(WEB_PLATFORM_NUMBER) => "Web",
        Some(_) => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_a2_key_names_its_user_and_sig() {
        let reply = WsloginReply::new("ålice", "eJx-sig*", 0, 5);
        assert_eq!(reply.inst_id, 1);
        assert_eq!(
            from_a2(&reply.a2_key).unwrap(),
            ("ålice".into(), "eJx-sig*".into())
        );
        for forged in ["nodot", "zz.sig", "abc.sig", "ff.sig"] {
            assert!(from_a2(forged).is_err(), "{forged}");
        }
    }
}
