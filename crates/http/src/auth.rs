//! Who may call: the URL's `sdkappid`, `identifier` and `usersig`, checked in Tencent's order,
//! then the admin rule. Verified UserSigs are cached (clients send the same one on every call),
//! but the expiry time is still checked against the clock on every use.

use std::sync::Arc;

use natter_core::{codes, ApiError, AppSettings, Clock};
use natter_services::Apps;
use quick_cache::sync::Cache;

/// The REST query parameters that identify the caller. Only the first of a repeated parameter
/// counts (real clients repeat `random`).
#[derive(Debug, Default, Clone)]
pub struct Caller {
    pub sdkappid: Option<String>,
    pub identifier: Option<String>,
    pub usersig: Option<String>,
}

impl Caller {
    pub fn from_query(query: Option<&str>) -> Self {
        let mut caller = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let slot = match key.as_ref() {
                "sdkappid" => &mut caller.sdkappid,
                "identifier" => &mut caller.identifier,
                "usersig" => &mut caller.usersig,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        caller
    }
}

/// Verified sigs remembered; enough for every admin of many apps several times over.
const CACHE_ENTRIES: usize = 10_000;

pub struct Authenticator {
    /// `sdkappid \0 identifier \0 usersig` → the Unix second after which the sig is refused,
    /// and the one it was issued at.
    verified: Cache<String, (u64, u64)>,
}

impl Default for Authenticator {
    fn default() -> Self {
        Self::new()
    }
}

impl Authenticator {
    pub fn new() -> Self {
        Self {
            verified: Cache::new(CACHE_ENTRIES),
        }
    }

    /// Checks the caller and returns its app; only the app's admins pass (60010 otherwise).
    pub fn admin(
        &self,
        apps: &Apps,
        clock: &Clock,
        caller: &Caller,
    ) -> Result<(Arc<AppSettings>, String), ApiError> {
        let (app, identifier) = self.user(apps, clock, caller)?;
        if !app.is_admin(&identifier) {
            return Err(ApiError::new(
                codes::ADMIN_REQUIRED,
                format!(
                    "identifier {identifier} is not an App admin; REST calls need an admin account"
                ),
            ));
        }
        Ok((app, identifier))
    }

    /// Checks the caller's SDKAppID and UserSig, whoever they are, and returns the app and the
    /// identifier (client logins).
    pub fn user(
        &self,
        apps: &Apps,
        clock: &Clock,
        caller: &Caller,
    ) -> Result<(Arc<AppSettings>, String), ApiError> {
        self.login(apps, clock, caller)
            .map(|(app, identifier, _)| (app, identifier))
    }

    /// Like [`user`](Self::user), with the Unix second the UserSig was issued at: a client login
    /// is refused when the user was kicked after it (`im_open_login_svc/kick`).
    pub fn login(
        &self,
        apps: &Apps,
        clock: &Clock,
        caller: &Caller,
    ) -> Result<(Arc<AppSettings>, String, u64), ApiError> {
        let raw_appid = caller
            .sdkappid
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiError::new(codes::SDKAPPID_MISSING, "sdkappid is missing from the URL")
            })?;
        let appid: u64 = raw_appid.parse().map_err(|_| {
            ApiError::new(
                codes::SDKAPPID_INVALID,
                format!("sdkappid {raw_appid:?} is not a number"),
            )
        })?;
        let app = apps.get(appid).ok_or_else(|| {
            ApiError::new(
                codes::SDKAPPID_NOT_FOUND,
                format!("SDKAppID {appid} does not exist on this server"),
            )
        })?;
        let identifier = caller
            .identifier
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    codes::BAD_ACCOUNT_OR_SIG,
                    "identifier is missing from the URL",
                )
            })?;
        let usersig = caller.usersig.as_deref().unwrap_or_default();
        let issued_at = self.verify(app, identifier, usersig, clock.now_secs())?;
        Ok((app.clone(), identifier.to_owned(), issued_at))
    }

    fn verify(
        &self,
        app: &AppSettings,
        identifier: &str,
        usersig: &str,
        now: i64,
    ) -> Result<u64, ApiError> {
        let key = format!("{}\0{identifier}\0{usersig}", app.sdkappid);
        if let Some((expires_at, issued_at)) = self.verified.get(&key) {
            return if now > expires_at as i64 {
                Err(natter_usersig::VerifyError::Expired {
                    expired_at: expires_at,
                }
                .into_api())
            } else {
                Ok(issued_at)
            };
        }
        let verified =
            natter_usersig::verify(usersig, app.sdkappid, identifier, &app.secret_key, now)
                .map_err(|e| e.into_api())?;
        self.verified
            .insert(key, (verified.expires_at, verified.issued_at));
        Ok(verified.issued_at)
    }
}

trait IntoApi {
    fn into_api(self) -> ApiError;
}

impl IntoApi for natter_usersig::VerifyError {
    fn into_api(self) -> ApiError {
        ApiError::new(self.code(), self.info())
    }
}
