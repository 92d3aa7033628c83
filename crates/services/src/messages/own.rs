//! What a user does to their own side of a one-to-one conversation, which the peer never sees:
//! deleting messages from their own history (the Web SDK's `deleteMessage`), and how they want
//! to be told of a peer's messages (`setMessageRemindType`) or of all messages
//! (`setAllReceiveMessageOpt`). None has a REST API or a callback at Tencent.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
/// The setting for all messages, as the store keeps it.
pub use natter_store::DoNotDisturb;
use natter_store::MUTE_FLAGS;
use natter_webhook::Origin;
use serde_json::json;

use super::{parse_msg_key, MessageService};
use crate::internal;

/// Most messages one delete names (the SDK sends at most 30).
pub const MAX_DELETE: usize = 30;
/// Most peers one notification setting names (the SDK sends at most 30).
pub const MAX_MUTE_PEERS: usize = 30;

impl MessageService {
    /// Deletes the messages `keys` (`MsgKey`s) of `owner`'s conversation with `peer` from
    /// `owner`'s history, whoever sent them: they leave `owner`'s history (on every device, at
    /// its next sync), catch-up and unread count; `peer` keeps them. A key that names no message
    /// of `owner`'s, or one deleted already, is passed over. Returns how many were deleted.
    pub async fn delete_for_self(
        &self,
        app: &AppSettings,
        owner: &str,
        peer: &str,
        keys: &[String],
    ) -> ApiResult<u64> {
        if keys.is_empty() || keys.len() > MAX_DELETE {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "{} messages in MsgKeyList; 1 to {MAX_DELETE} are allowed",
                    keys.len()
                ),
            ));
        }
        let positions = keys
            .iter()
            .map(|key| {
                parse_msg_key(key).ok_or_else(|| {
                    ApiError::new(
                        codes::C2C_INVALID_MSG_KEY,
                        format!("MsgKey {key:?} is not a MsgKey"),
                    )
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        self.both_exist(app.sdkappid, owner, peer).await?;
        self.store
            .hide_c2c_messages(app.sdkappid, owner.to_owned(), peer.to_owned(), positions)
            .await
            .map_err(internal(codes::C2C_INTERNAL))
    }

    /// Sets how `owner` is told of each of `peers`' messages (`flag`: 0 receive and notify, 1
    /// do not receive, 2 receive without notification). `owner`'s other devices get the
    /// `C2cPeerMute` event.
    pub async fn set_peer_mutes(
        &self,
        app: &AppSettings,
        origin: &Origin,
        owner: &str,
        peers: Vec<String>,
        flag: u32,
    ) -> ApiResult<()> {
        if !MUTE_FLAGS.contains(&flag) {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("Mute_Notifications {flag} is not 0, 1 or 2"),
            ));
        }
        check_peer_count(&peers)?;
        self.store
            .set_c2c_peer_mutes(app.sdkappid, owner.to_owned(), peers.clone(), flag)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        if self.fanout.may_reach(app.sdkappid) {
            for peer in peers {
                let frame = json!({
                    "Event": "C2cPeerMute",
                    "Peer_Account": peer,
                    "MuteNotifications": flag,
                });
                self.fanout.send(
                    app.sdkappid,
                    Target::Users(vec![owner.to_owned()]),
                    &Push::new(Priority::High, &frame),
                    origin.connection,
                );
            }
        }
        Ok(())
    }

    /// How `owner` is told of each of `peers`' messages, in their order (0 when never set).
    pub async fn peer_mutes(
        &self,
        app: &AppSettings,
        owner: &str,
        peers: Vec<String>,
    ) -> ApiResult<Vec<u32>> {
        check_peer_count(&peers)?;
        self.store
            .c2c_peer_mutes(app.sdkappid, owner.to_owned(), peers)
            .await
            .map_err(internal(codes::C2C_INTERNAL))
    }
}

impl MessageService {
    /// Sets how `owner` is told of all messages (do not disturb: `level` 0 receive and notify, 1
    /// do not receive, 2 receive without notification, between the times given). `owner`'s
    /// other devices get the `DoNotDisturb` event.
    pub async fn set_do_not_disturb(
        &self,
        app: &AppSettings,
        origin: &Origin,
        owner: &str,
        setting: DoNotDisturb,
    ) -> ApiResult<()> {
        if !MUTE_FLAGS.contains(&setting.level) {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("Level {} is not 0, 1 or 2", setting.level),
            ));
        }
        if setting.start_time < 0 || setting.end_time < setting.start_time {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "StartTime {} and EndTime {} are not a span of time",
                    setting.start_time, setting.end_time
                ),
            ));
        }
        self.store
            .set_do_not_disturb(app.sdkappid, owner.to_owned(), setting)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        if self.fanout.may_reach(app.sdkappid) {
            let frame = json!({
                "Event": "DoNotDisturb",
                "Level": setting.level,
                "StartTime": setting.start_time,
                "EndTime": setting.end_time,
                "IsRepeated": u32::from(setting.repeated),
            });
            self.fanout.send(
                app.sdkappid,
                Target::Users(vec![owner.to_owned()]),
                &Push::new(Priority::High, &frame),
                origin.connection,
            );
        }
        Ok(())
    }

    /// How `owner` is told of all messages (the default, receive and notify, when never set).
    pub async fn do_not_disturb(&self, app: &AppSettings, owner: &str) -> ApiResult<DoNotDisturb> {
        self.store
            .do_not_disturb(app.sdkappid, owner.to_owned())
            .await
            .map_err(internal(codes::C2C_INTERNAL))
    }
}

fn check_peer_count(peers: &[String]) -> ApiResult<()> {
    if peers.len() > MAX_MUTE_PEERS {
        return Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!(
                "{} accounts in Peer_Account; at most {MAX_MUTE_PEERS} are allowed",
                peers.len()
            ),
        ));
    }
    Ok(())
}
