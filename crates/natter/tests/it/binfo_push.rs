//! Pushes over `/binfo` (and the `/ws` events they come from) for changes users see that are not
//! messages: group tips and group system notices, relation changes, C2C read notices. Each test
//! checks the push bodies the Web SDK reads, frame by frame.

use std::io::Read;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::client::Client;
use crate::harness::*;
use crate::on_both_engines;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

/// One SDK connection (as in binfo.rs): requests paired by `servcmd` and `seq`; pushes that
/// arrive meanwhile are kept for `next_push`.
struct SdkSocket {
    socket: Socket,
    seq: u64,
    user: String,
    pushes: Vec<Value>,
}

impl SdkSocket {
    async fn login(server: &TestServer, user: &str) -> Self {
        let url = format!(
            "{}/binfo?sdkappid={APP}&instanceid=abc&platform=7&sdkversion=3.6.6&compress=gzip",
            server.base.replacen("http", "ws", 1)
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut sdk = Self {
            socket,
            seq: 1000,
            user: user.to_owned(),
            pushes: Vec::new(),
        };
        let head = json!({"identifier": user, "usersig": server.sig(user), "sdkappid": APP});
        let reply = sdk
            .request_with("im_open_status.wslogin", head, json!({"State": "Online"}))
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        sdk
    }

    /// A command (full `servcmd`) that must succeed.
    async fn ok(&mut self, servcmd: &str, body: Value) -> Value {
        let reply = self.request_with(servcmd, json!({}), body).await;
        assert_eq!(reply["ErrorCode"], 0, "{servcmd} as {}: {reply}", self.user);
        reply
    }

    async fn request_with(&mut self, servcmd: &str, head: Value, body: Value) -> Value {
        self.seq += 1;
        let body_text = body.to_string();
        let mut full_head = json!({
            "ver": "v4", "platform": 7, "servcmd": servcmd, "seq": self.seq,
            "cs": crc32fast::hash(body_text.as_bytes()),
        });
        for (key, value) in head.as_object().unwrap() {
            full_head[key] = value.clone();
        }
        let frame = format!(r#"{{"head":{full_head},"body":{body_text}}}"#);
        self.socket
            .send(Message::Binary(frame.into_bytes().into()))
            .await
            .unwrap();
        loop {
            let (head, body) = self.next_frame().await;
            if head["servcmd"] == servcmd && head["seq"] == self.seq {
                return body;
            }
            if head["servcmd"] == "im_open_push.msg_push" {
                self.pushes.push(body);
            }
        }
    }

    /// The next push that holds `kind` (`GroupMsgArray`, …), kept or still to come.
    async fn next_push(&mut self, kind: &str) -> Value {
        let has = |push: &Value| push["EventArray"][0].get(kind).is_some();
        if let Some(i) = self.pushes.iter().position(has) {
            return self.pushes.remove(i);
        }
        loop {
            let (head, body) = self.next_frame().await;
            if head["servcmd"] == "im_open_push.msg_push" && has(&body) {
                return body;
            }
        }
    }

    async fn next_frame(&mut self) -> (Value, Value) {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame in time")
                .expect("the connection is open")
                .unwrap();
            let bytes = match message {
                Message::Binary(bytes) => bytes.to_vec(),
                Message::Text(text) => panic!("the SDK ignores text frames; got {text}"),
                _ => continue,
            };
            let json = if bytes.starts_with(b"COMP") {
                let mut text = String::new();
                flate2::read::GzDecoder::new(&bytes[4..])
                    .read_to_string(&mut text)
                    .unwrap();
                text
            } else {
                String::from_utf8(bytes).unwrap()
            };
            let frame: Value = serde_json::from_str(&json).unwrap();
            return (frame["head"].clone(), frame["body"].clone());
        }
    }

    /// The `FriendListMod` items of the next push that has one of `PushType` `push_type`.
    async fn next_mods(&mut self, push_type: u64) -> Vec<Value> {
        loop {
            let push = self.next_push("FriendListMod").await;
            let mods: Vec<Value> = push["EventArray"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|item| {
                    item["FriendListMod"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            if mods.iter().any(|m| m["PushType"] == push_type) {
                return mods;
            }
        }
    }

    /// The next `GroupTips` push of `event` (4 tip, 5 system notice) with `OpType` `op`; its item.
    async fn next_tip(&mut self, event: u64, op: u64) -> Value {
        loop {
            let push = self.next_push("GroupTips").await;
            let item = &push["EventArray"][0];
            if item["Event"] == event && item["GroupTips"][0]["MsgBody"]["OpType"] == op {
                return item["GroupTips"][0].clone();
            }
        }
    }
}

/// The next `/ws` event named `name` (others are skipped).
async fn ws_event(client: &mut Client, name: &str) -> Value {
    loop {
        let event = client.event().await;
        if event["Event"] == name {
            return event;
        }
    }
}

on_both_engines!(
    group_changes_reach_members_as_group_tips,
    |server: TestServer| async move {
        let mut owner = SdkSocket::login(&server, "gt_owner").await;
        let mut member = SdkSocket::login(&server, "gt_member").await;
        let mut joiner = SdkSocket::login(&server, "gt_joiner").await;
        let mut watcher = Client::login(&server, "gt_watcher", "Android").await;
        let created = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Owner_Account": "gt_owner", "Type": "Public", "Name": "Tips",
                       "ApplyJoinOption": "FreeAccess",
                       "MemberList": [{"Member_Account": "gt_member"},
                                      {"Member_Account": "gt_watcher"}]}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();

        // A join from the SDK: the other members get tip 1 with the new member count; the
        // joining connection itself gets nothing (it has its reply).
        let joined = joiner
            .ok(
                "group_open_http_svc.apply_join_group",
                json!({"GroupId": group, "ApplyMsg": ""}),
            )
            .await;
        assert_eq!(joined["JoinedStatus"], "JoinedSuccess", "{joined}");
        let tip = owner.next_tip(4, 1).await;
        assert_eq!(tip["GroupInfo"]["GroupId"], group.as_str());
        assert_eq!(tip["GroupInfo"]["GroupType"], "Public");
        // The SDK's `to`: without it the message has no conversation and the SDK throws.
        assert_eq!(tip["ToGroupId"], group.as_str());
        assert_eq!(tip["From_Account"], "@TIM#SYSTEM");
        assert_eq!(tip["MsgBody"]["Operator_Account"], "gt_joiner");
        assert_eq!(tip["MsgBody"]["List_Account"], json!(["gt_joiner"]));
        assert_eq!(tip["MsgBody"]["MemberNum"], 4);
        assert!(tip["MsgRandom"].as_u64().is_some(), "{tip}");
        assert!(tip["MsgTimeStamp"].as_i64().unwrap() > 0, "{tip}");
        let event = ws_event(&mut watcher, "GroupTip").await;
        assert_eq!(event["GroupId"], group.as_str());
        assert_eq!(event["TipType"], "Join");
        assert_eq!(event["Member_Account"], json!(["gt_joiner"]));
        assert_eq!(event["MemberNum"], 4);

        // A profile change: tip 6 with the new values under the SDK's names.
        server
            .ok(
                "group_open_http_svc/modify_group_base_info",
                json!({"GroupId": group, "Name": "Renamed", "Notification": "read me"}),
            )
            .await;
        let tip = member.next_tip(4, 6).await;
        assert_eq!(
            tip["MsgBody"]["MsgGroupNewInfo"]["GroupName"], "Renamed",
            "{tip}"
        );
        assert_eq!(tip["MsgBody"]["MsgGroupNewInfo"]["Notification"], "read me");
        assert_eq!(tip["MsgBody"]["Operator_Account"], "administrator");
        let event = ws_event(&mut watcher, "GroupTip").await;
        assert_eq!(event["TipType"], "GroupInfoChanged");
        assert_eq!(event["GroupInfo"]["Name"], "Renamed");

        // Roles: tip 4 then tip 5.
        for (role, op, tip_type) in [("Admin", 4, "SetAdmin"), ("Member", 5, "CancelAdmin")] {
            server
                .ok(
                    "group_open_http_svc/modify_group_member_info",
                    json!({"GroupId": group, "Member_Account": "gt_member", "Role": role}),
                )
                .await;
            let tip = owner.next_tip(4, op).await;
            assert_eq!(tip["MsgBody"]["List_Account"], json!(["gt_member"]));
            let event = ws_event(&mut watcher, "GroupTip").await;
            assert_eq!(event["TipType"], tip_type);
        }

        // A new owner: tip 6 with `Owner_Account` (the SDK's ownerID), then back.
        for heir in ["gt_member", "gt_owner"] {
            server
                .ok(
                    "group_open_http_svc/change_group_owner",
                    json!({"GroupId": group, "NewOwner_Account": heir}),
                )
                .await;
            // (The joiner has the rename's tip 6 waiting too.)
            let tip = loop {
                let tip = joiner.next_tip(4, 6).await;
                if tip["MsgBody"]["MsgGroupNewInfo"]
                    .get("Owner_Account")
                    .is_some()
                {
                    break tip;
                }
            };
            assert_eq!(
                tip["MsgBody"]["MsgGroupNewInfo"]["Owner_Account"], heir,
                "{tip}"
            );
            let event = ws_event(&mut watcher, "GroupTip").await;
            assert_eq!(event["GroupInfo"]["Owner_Account"], heir, "{event}");
        }

        // A kick: the others get tip 3; the kicked user gets system notice 4, on which the SDK
        // drops the group.
        server
            .ok(
                "group_open_http_svc/delete_group_member",
                json!({"GroupId": group, "MemberToDel_Account": ["gt_joiner"]}),
            )
            .await;
        let tip = owner.next_tip(4, 3).await;
        assert_eq!(tip["MsgBody"]["List_Account"], json!(["gt_joiner"]));
        assert_eq!(tip["MsgBody"]["MemberNum"], 3);
        let notice = joiner.next_tip(5, 4).await;
        assert_eq!(notice["GroupInfo"]["GroupId"], group.as_str());
        assert_eq!(notice["MsgBody"]["Operator_Account"], "administrator");
        let event = ws_event(&mut watcher, "GroupTip").await;
        assert_eq!(event["TipType"], "Kicked");

        // A quit from the SDK: tip 2 for the others.
        member
            .ok("group_open_http_svc.quit_group", json!({"GroupId": group}))
            .await;
        let tip = owner.next_tip(4, 2).await;
        assert_eq!(tip["MsgBody"]["List_Account"], json!(["gt_member"]));
        assert_eq!(tip["MsgBody"]["MemberNum"], 2);
        let event = ws_event(&mut watcher, "GroupTip").await;
        assert_eq!(event["TipType"], "Quit");

        // Disbanding: every member gets system notice 5 (not the owner's own connection).
        owner
            .ok(
                "group_open_http_svc.destroy_group",
                json!({"GroupId": group}),
            )
            .await;
        let event = ws_event(&mut watcher, "GroupRemoved").await;
        assert_eq!(event["GroupId"], group.as_str());
        assert_eq!(event["Reason"], "Disbanded");
        assert_eq!(event["Operator_Account"], "gt_owner");
        // A second connection of a member gets the SDK's notice.
        let mut watcher_sdk = SdkSocket::login(&server, "gt_watcher").await;
        let again = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Owner_Account": "gt_owner", "Type": "Public", "Name": "Again",
                       "MemberList": [{"Member_Account": "gt_watcher"}]}),
            )
            .await;
        let again = again["GroupId"].as_str().unwrap().to_owned();
        server
            .ok(
                "group_open_http_svc/destroy_group",
                json!({"GroupId": again}),
            )
            .await;
        let notice = watcher_sdk.next_tip(5, 5).await;
        assert_eq!(notice["GroupInfo"]["GroupId"], again.as_str());
        let notice = owner.next_tip(5, 5).await;
        assert_eq!(notice["GroupInfo"]["GroupId"], again.as_str());
    }
);

fn find_mod(mods: &[Value], push_type: u64) -> Value {
    mods.iter()
        .find(|m| m["PushType"] == push_type)
        .cloned()
        .unwrap_or_else(|| panic!("no PushType {push_type} in {mods:?}"))
}

on_both_engines!(
    relation_changes_reach_both_users,
    |server: TestServer| async move {
        for user in ["rc_from", "rc_to"] {
            server
                .ok("im_open_login_svc/account_import", json!({"UserID": user}))
                .await;
        }
        server
            .ok(
                "profile/portrait_set",
                json!({"From_Account": "rc_to", "ProfileItem": [
                    {"Tag": "Tag_Profile_IM_AllowType", "Value": "AllowType_Type_NeedConfirm"}]}),
            )
            .await;
        let mut from = SdkSocket::login(&server, "rc_from").await;
        let mut from_other = SdkSocket::login(&server, "rc_from").await;
        let mut to = SdkSocket::login(&server, "rc_to").await;
        let mut to_ws = Client::login(&server, "rc_to", "Android").await;

        // A request: the target gets it as received, the requester's other device as sent.
        from.ok(
            "sns.friend_add",
            json!({"AddFriendItem": [{"To_Account": "rc_to", "AddSource": "AddSource_Type_Web",
                "AddWording": "hello"}], "AddType": "Add_Type_Both"}),
        )
        .await;
        let received = find_mod(&to.next_mods(3).await, 3);
        assert_eq!(received["From_Account"], "rc_from", "{received}");
        let item = &received["PendencyAdd"][0];
        assert_eq!(item["PendencyAdd_Account"], "rc_from");
        assert_eq!(item["AddWording"], "hello");
        assert_eq!(item["AddSource"], "AddSource_Type_Web");
        assert!(item["AddTime"].as_i64().unwrap() > 0);
        // Every connection of the requester, the one that asked included (the SDK updates its
        // lists only from pushes).
        for sdk in [&mut from_other, &mut from] {
            let sent = find_mod(&sdk.next_mods(3).await, 3);
            assert_eq!(sent["From_Account"], "rc_from");
            assert_eq!(sent["PendencyAdd"][0]["PendencyAdd_Account"], "rc_to");
        }
        let event = ws_event(&mut to_ws, "RelationChange").await;
        assert_eq!(event["RequestAdd"][0]["From_Account"], "rc_from", "{event}");
        assert_eq!(event["RequestAdd"][0]["To_Account"], "rc_to");

        // Accepted: both become friends and the request goes, on both sides.
        to.ok(
            "sns.friend_response",
            json!({"ResponseFriendItem": [{"To_Account": "rc_from",
                "ResponseAction": "Response_Action_AgreeAndAdd"}]}),
        )
        .await;
        let mods = from.next_mods(1).await;
        assert_eq!(find_mod(&mods, 1)["FriendAdd_Account"], json!(["rc_to"]));
        assert_eq!(
            find_mod(&mods, 4)["FrienPencydDel_Account"],
            json!(["rc_to"])
        );
        let mods = to.next_mods(1).await;
        assert_eq!(find_mod(&mods, 1)["FriendAdd_Account"], json!(["rc_from"]));
        let event = ws_event(&mut to_ws, "RelationChange").await;
        assert_eq!(event["FriendAdd_Account"], json!(["rc_from"]), "{event}");
        assert_eq!(event["RequestDel"][0]["From_Account"], "rc_from");

        // Deleted both ways: the other side is told.
        from.ok(
            "sns.friend_delete",
            json!({"To_Account": ["rc_to"], "DeleteType": "Delete_Type_Both"}),
        )
        .await;
        let mods = to.next_mods(2).await;
        assert_eq!(find_mod(&mods, 2)["FriendDel_Account"], json!(["rc_from"]));
        let mods = from_other.next_mods(2).await;
        assert_eq!(find_mod(&mods, 2)["FriendDel_Account"], json!(["rc_to"]));
        let event = ws_event(&mut to_ws, "RelationChange").await;
        assert_eq!(event["FriendDel_Account"], json!(["rc_from"]), "{event}");

        // The blocklist: the user's other devices follow.
        from.ok("sns.black_list_add", json!({"To_Account": ["rc_to"]}))
            .await;
        let mods = from_other.next_mods(5).await;
        assert_eq!(find_mod(&mods, 5)["BlackListAdd_Account"], json!(["rc_to"]));
        from.ok("sns.black_list_delete", json!({"To_Account": ["rc_to"]}))
            .await;
        let mods = from_other.next_mods(6).await;
        assert_eq!(find_mod(&mods, 6)["BlackListDel_Account"], json!(["rc_to"]));
        let mods = from.next_mods(6).await;
        assert_eq!(find_mod(&mods, 6)["BlackListDel_Account"], json!(["rc_to"]));
        // Nothing reached the blocked user about it.
        to_ws.no_event().await;
    }
);

/// The item under `key` of the next `C2cNotifyMsgArray` push that has one.
async fn next_notify(sdk: &mut SdkSocket, key: &str) -> Value {
    loop {
        let push = sdk.next_push("C2cNotifyMsgArray").await;
        if let Some(item) = push["EventArray"][0]["C2cNotifyMsgArray"][0].get(key) {
            return item.clone();
        }
    }
}

on_both_engines!(
    reading_a_conversation_tells_the_peer_and_the_readers_devices,
    |server: TestServer| async move {
        let mut alice = SdkSocket::login(&server, "rr_alice").await;
        let mut bob = SdkSocket::login(&server, "rr_bob").await;
        let mut bob_other = SdkSocket::login(&server, "rr_bob").await;
        let mut alice_ws = Client::login(&server, "rr_alice", "Android").await;
        let sent = server
            .ok(
                "openim/sendmsg",
                json!({"From_Account": "rr_alice", "To_Account": "rr_bob", "MsgRandom": 7,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]}),
            )
            .await;
        let time = sent["MsgTime"].as_i64().unwrap();

        // The SDK's setMessageRead.
        bob.ok(
            "openim.msgreaded",
            json!({"C2CMsgReaded": {"Cookie": "", "C2CMsgReadedItem": [
                {"To_Account": "rr_alice", "LastedMsgTime": time, "Receipt": 1}]}}),
        )
        .await;
        let receipt = next_notify(&mut alice, "C2cReadedReceipt").await;
        assert_eq!(receipt["To_Account"], "rr_bob", "{receipt}");
        assert_eq!(receipt["UinPairReadArray"][0]["LastReadTime"], time);
        let notice = next_notify(&mut bob_other, "ReadC2cMsgNotify").await;
        assert_eq!(
            notice["UinPairReadArray"][0]["From_Account"], "rr_alice",
            "{notice}"
        );
        assert_eq!(notice["UinPairReadArray"][0]["LastReadTime"], time);
        let event = ws_event(&mut alice_ws, "C2cRead").await;
        assert_eq!(event["Report_Account"], "rr_bob");
        assert_eq!(event["Peer_Account"], "rr_alice");
        assert_eq!(event["LastReadTime"], time);

        // The REST API's admin_set_msg_read does the same.
        server
            .ok(
                "openim/admin_set_msg_read",
                json!({"Report_Account": "rr_bob", "Peer_Account": "rr_alice", "MsgReadTime": time + 5}),
            )
            .await;
        let receipt = next_notify(&mut alice, "C2cReadedReceipt").await;
        assert_eq!(receipt["UinPairReadArray"][0]["LastReadTime"], time + 5);
        let notice = next_notify(&mut bob, "ReadC2cMsgNotify").await;
        assert_eq!(notice["UinPairReadArray"][0]["From_Account"], "rr_alice");
    }
);

on_both_engines!(
    an_approved_join_request_is_a_join_tip,
    |server: TestServer| async move {
        let mut owner = SdkSocket::login(&server, "ga_owner").await;
        let mut member = SdkSocket::login(&server, "ga_member").await;
        let mut applicant = SdkSocket::login(&server, "ga_applicant").await;
        let created = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Owner_Account": "ga_owner", "Type": "Public", "Name": "Asked",
                       "ApplyJoinOption": "NeedPermission",
                       "MemberList": [{"Member_Account": "ga_member"}]}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        let applied = applicant
            .ok(
                "group_open_http_svc.apply_join_group",
                json!({"GroupId": group, "ApplyMsg": "please"}),
            )
            .await;
        assert_eq!(applied["JoinedStatus"], "WaitAdminApproval", "{applied}");
        owner
            .ok(
                "group_open_http_svc.handle_apply_join_group",
                json!({"GroupId": group, "Applicant_Account": "ga_applicant",
                       "HandleMsg": "Agree", "ApprovalMsg": "welcome"}),
            )
            .await;
        let tip = member.next_tip(4, 1).await;
        assert_eq!(tip["GroupInfo"]["GroupId"], group.as_str());
        assert_eq!(tip["MsgBody"]["Operator_Account"], "ga_owner");
        assert_eq!(tip["MsgBody"]["List_Account"], json!(["ga_applicant"]));
        assert_eq!(tip["MsgBody"]["MemberNum"], 3);
        // The new member's own SDK sees it too (its group list gets the group).
        let tip = applicant.next_tip(4, 1).await;
        assert_eq!(tip["MsgBody"]["List_Account"], json!(["ga_applicant"]));
    }
);
