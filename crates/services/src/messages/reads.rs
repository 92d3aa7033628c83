//! Read state of one-to-one conversations: read times, unread counts and `admin_set_msg_read`.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
use natter_webhook::payloads::c2c::C2cAfterMsgReport;
use natter_webhook::Origin;
use serde_json::json;

use super::{conversation_key, MessageService, MAX_UNREAD_PEERS};
use crate::internal;

impl MessageService {
    /// Up to when (Unix seconds) `reader` has read their conversation with `peer`; -1 if never.
    pub async fn read_time(&self, app: u64, reader: &str, peer: &str) -> ApiResult<i64> {
        self.store
            .c2c_read_time(app, reader.to_owned(), peer.to_owned())
            .await
            .map_err(internal(codes::C2C_INTERNAL))
    }

    /// `get_c2c_unread_msg_num`: `owner`'s total unread count, and per peer (`None` for a peer
    /// that does not exist).
    pub async fn unread(
        &self,
        app: &AppSettings,
        owner: String,
        peers: Vec<String>,
    ) -> ApiResult<(u64, Vec<(String, Option<u64>)>)> {
        if peers.len() > MAX_UNREAD_PEERS {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "{} accounts in Peer_Account; at most {MAX_UNREAD_PEERS} are allowed",
                    peers.len()
                ),
            ));
        }
        let mut ids = vec![owner.clone()];
        ids.extend(peers.iter().cloned());
        let exist = self
            .store
            .accounts_exist(app.sdkappid, ids)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        if !exist[0] {
            return Err(ApiError::new(
                codes::C2C_TO_ACCOUNT_INVALID,
                format!("To_Account {owner} is not imported"),
            ));
        }
        let (total, each) = self
            .store
            .c2c_unread(app.sdkappid, owner, peers.clone())
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        let per_peer = peers
            .into_iter()
            .zip(each)
            .zip(&exist[1..])
            .map(|((peer, n), exists)| (peer, exists.then_some(n)))
            .collect();
        Ok((total, per_peer))
    }

    /// `admin_set_msg_read`: marks `reader`'s conversation with `peer` read up to `read_time`
    /// (now when absent), with `C2C.CallbackAfterMsgReport`.
    pub async fn mark_read(
        &self,
        app: &AppSettings,
        origin: &Origin,
        reader: String,
        peer: String,
        read_time: Option<i64>,
    ) -> ApiResult<()> {
        self.both_exist(app.sdkappid, &reader, &peer).await?;
        let now_ms = self.clock.now_ms();
        let read_time = read_time.unwrap_or(now_ms / 1000);
        let report = C2cAfterMsgReport {
            report_account: reader.clone(),
            peer_account: peer.clone(),
            last_read_time: read_time.max(0) as u64,
            unread_msg_num: 0,
            event_time: now_ms as u64,
        };
        let webhooks = self.webhooks.clone();
        let connection = origin.connection;
        let (sdkappid, origin, key) = (
            app.sdkappid,
            origin.clone(),
            conversation_key(&reader, &peer),
        );
        let outbox: natter_store::C2cOutbox = Box::new(move |unread| {
            let report = C2cAfterMsgReport {
                unread_msg_num: unread as i64,
                ..report
            };
            webhooks
                .after(sdkappid, &report, &key, &origin)
                .into_iter()
                .collect()
        });
        self.store
            .c2c_mark_read(
                app.sdkappid,
                reader.clone(),
                peer.clone(),
                read_time,
                now_ms,
                outbox,
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        self.webhooks.wake();
        if self.fanout.may_reach(app.sdkappid) {
            let frame = json!({
                "Event": "C2cRead",
                "Report_Account": reader,
                "Peer_Account": peer,
                "LastReadTime": read_time.max(0),
            });
            let mut users = vec![peer];
            if reader != users[0] {
                users.push(reader);
            }
            self.fanout.send(
                app.sdkappid,
                Target::Users(users),
                &Push::new(Priority::High, &frame),
                connection,
            );
        }
        Ok(())
    }
}

/// Conversations read per step of [`MessageService::read_all`].
const READ_ALL_PAGE: usize = 100;

impl MessageService {
    /// Marks every one-to-one conversation of `reader` with unread messages read up to now
    /// (the Web SDK's `setAllMessageRead`), each as [`mark_read`](Self::mark_read) does: the
    /// same callback, the peer's read receipt and the reader's other devices told.
    pub async fn read_all(
        &self,
        app: &AppSettings,
        origin: &Origin,
        reader: String,
    ) -> ApiResult<()> {
        let mut skip = 0;
        loop {
            let page = self
                .store
                .conversations(
                    app.sdkappid,
                    reader.clone(),
                    None,
                    natter_store::ListCursor { time: 0, skip },
                    READ_ALL_PAGE,
                    false,
                )
                .await
                .map_err(internal(codes::C2C_INTERNAL))?;
            skip += page.len();
            let peers: Vec<String> = page
                .iter()
                .filter(|c| c.id.kind == natter_store::ConversationKind::C2c)
                .map(|c| c.id.peer.clone())
                .collect();
            if !peers.is_empty() {
                let (_, unread) = self
                    .store
                    .c2c_unread(app.sdkappid, reader.clone(), peers.clone())
                    .await
                    .map_err(internal(codes::C2C_INTERNAL))?;
                for (peer, count) in peers.into_iter().zip(unread) {
                    if count == 0 {
                        continue;
                    }
                    match self
                        .mark_read(app, origin, reader.clone(), peer, None)
                        .await
                    {
                        // A peer whose account is gone leaves nothing to read.
                        Err(e) if e.code == codes::C2C_TO_ACCOUNT_INVALID => {}
                        outcome => outcome?,
                    }
                }
            }
            if page.len() < READ_ALL_PAGE {
                return Ok(());
            }
        }
    }
}
