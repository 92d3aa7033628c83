//! Groups over `/binfo`, frame by frame: what the Web SDK sends to create, join, read and manage
//! groups, the client permissions Tencent applies per type and role, and the webhooks a user's
//! group actions fire (with the SDK's platform as `OptPlatform`).

use std::io::Read;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::*;
use crate::on_both_engines;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);
const NO_PERMISSION: u64 = 10007;

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

    /// A `group_open_http_svc` command; its reply body.
    async fn group(&mut self, command: &str, body: Value) -> Value {
        self.request_with(&format!("group_open_http_svc.{command}"), json!({}), body)
            .await
    }

    /// A command that must succeed.
    async fn ok(&mut self, command: &str, body: Value) -> Value {
        let reply = self.group(command, body).await;
        assert_eq!(reply["ErrorCode"], 0, "{command} as {}: {reply}", self.user);
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
            // As the SDK does, a push that asks for it is acknowledged.
            crate::binfo::ack_push(&mut self.socket, &frame["body"]).await;
            return (frame["head"].clone(), frame["body"].clone());
        }
    }

    /// The group IDs `get_joined_group_list` gives the user, as the SDK asks at start-up.
    async fn joined(&mut self) -> Vec<String> {
        let user = self.user.clone();
        let reply = self
            .ok(
                "get_joined_group_list",
                json!({"Member_Account": user, "Limit": 50, "Offset": 0,
                       "ResponseFilter": {"GroupBaseInfoFilter": ["Type", "Name"],
                                          "SelfInfoFilter": ["Role", "MsgSeq"]}}),
            )
            .await;
        reply["GroupIdList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["GroupId"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn text(body: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": body}}])
}

on_both_engines!(
    a_public_group_over_binfo_from_creation_to_history,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkSocket::login(&server, "bg_owner").await;
        let mut member = SdkSocket::login(&server, "bg_member").await;

        // The SDK's createGroup: the REST body, its owner, and `WebPushFlag`.
        let created = owner
            .ok(
                "create_group",
                json!({"Type": "Public", "Name": "Club", "Owner_Account": "bg_owner",
                       "WebPushFlag": 1, "Introduction": "hi"}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        assert!(group.starts_with("@TGS#2"), "{created}");
        let create = receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        assert_eq!(create[0].query["OptPlatform"], "Web");
        assert_eq!(create[0].body["Owner_Account"], "bg_owner");
        // Creating for someone else is refused.
        let other = owner
            .group(
                "create_group",
                json!({"Type": "Public", "Name": "X", "Owner_Account": "bg_member"}),
            )
            .await;
        assert_ne!(other["ErrorCode"], 0, "{other}");

        // searchGroupByID and getGroupProfile.
        let found = member
            .ok(
                "get_group_public_info",
                json!({"GroupIdList": [group],
                       "ResponseFilter": {"GroupBasePublicInfoFilter": ["Type", "Name", "Owner_Account"]}}),
            )
            .await;
        assert_eq!(found["GroupInfo"][0]["Name"], "Club", "{found}");
        assert!(found["GroupInfo"][0].get("SelfInfo").is_none());
        let profile = owner
            .ok(
                "get_group_self_member_info",
                json!({"GroupIdList": [group],
                       "ResponseFilter": {"GroupBaseInfoFilter": ["Type", "Name", "Owner_Account"],
                                          "MemberInfoFilter": ["Role", "JoinTime", "NameCard"]}}),
            )
            .await;
        let item = &profile["GroupInfo"][0];
        assert_eq!(item["Owner_Account"], "bg_owner", "{profile}");
        assert_eq!(item["SelfInfo"]["Role"], "Owner", "{profile}");
        assert!(item.get("MemberList").is_none(), "{profile}");

        // A Public group takes a request; the owner agrees.
        let applied = member
            .ok(
                "apply_join_group",
                json!({"GroupId": group, "ApplyMsg": "let me in", "WebPushFlag": 1}),
            )
            .await;
        assert_eq!(applied["JoinedStatus"], "WaitAdminApproval");
        // A non-member reads neither members nor history.
        let refused = member
            .group(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 5}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group(
                "get_group_member_info",
                json!({"GroupId": group, "Limit": 0}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        owner
            .ok(
                "handle_apply_join_group",
                json!({"GroupId": group, "Applicant_Account": "bg_member",
                       "HandleMsg": "Agree", "ApprovalMsg": "welcome"}),
            )
            .await;
        let joined = receiver
            .wait_for("Group.CallbackAfterNewMemberJoin", 1)
            .await;
        assert_eq!(joined[0].query["OptPlatform"], "Web");
        assert_eq!(
            joined[0].body["NewMemberList"][0]["Member_Account"],
            "bg_member"
        );
        assert!(owner.joined().await.contains(&group));
        assert!(member.joined().await.contains(&group));

        // A message from one member reaches the other as the SDK's group push.
        let mut sent = Vec::new();
        for (i, words) in ["one", "two", "three"].iter().enumerate() {
            let reply = owner
                .ok(
                    "send_group_msg",
                    json!({"GroupId": group, "Random": 100 + i, "MsgBody": text(words)}),
                )
                .await;
            sent.push(reply["MsgSeq"].as_u64().unwrap());
            let push = member.next_push("GroupMsgArray").await;
            let item = &push["EventArray"][0]["GroupMsgArray"][0];
            assert_eq!(item["GroupInfo"]["GroupId"], group.as_str());
            assert_eq!(item["From_Account"], "bg_owner");
            assert_eq!(item["MsgSeq"], reply["MsgSeq"]);
            assert_eq!(item["MsgBody"][0]["MsgContent"]["Text"], *words);
        }
        let sends = receiver.wait_for("Group.CallbackAfterSendMsg", 3).await;
        assert!(sends.iter().all(|s| s.query["OptPlatform"] == "Web"));

        // History, newest first, two at a time.
        let page = member
            .ok(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 2}),
            )
            .await;
        let seqs: Vec<u64> = page["RspMsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgSeq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, vec![sent[2], sent[1]], "{page}");
        assert_eq!(
            page["RspMsgList"][0]["MsgBody"][0]["MsgContent"]["Text"],
            "three"
        );
        assert_eq!(page["RspMsgList"][0]["From_Account"], "bg_owner");
        assert_eq!(page["RspMsgList"][0]["Random"], 102);
        assert_ne!(page["IsFinished"], 2, "{page}");
        let next = page["NextReqMsgSeq"].as_u64().unwrap();
        assert_eq!(next, sent[0]);
        let last = member
            .ok(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 2, "ReqMsgSeq": next}),
            )
            .await;
        assert_eq!(last["RspMsgList"][0]["MsgSeq"], sent[0], "{last}");
        assert_eq!(last["IsFinished"], 2, "{last}");

        // Reading moves the member's read position.
        member
            .ok(
                "msg_read_report",
                json!({"GroupId": group, "MsgReadedSeq": sent[1]}),
            )
            .await;
        let list = member
            .ok(
                "get_joined_group_list",
                json!({"Member_Account": "bg_member",
                       "ResponseFilter": {"SelfInfoFilter": ["MsgSeq", "UnreadMsgNum"]}}),
            )
            .await;
        let mine = &list["GroupIdList"][0];
        assert_eq!(mine["SelfInfo"]["MsgSeq"], sent[1], "{list}");
        assert_eq!(mine["SelfInfo"]["UnreadMsgNum"], 1, "{list}");

        // The member list, for members.
        let members = member
            .ok(
                "get_group_member_info",
                json!({"GroupId": group, "Limit": 0}),
            )
            .await;
        assert_eq!(members["MemberNum"], 2, "{members}");
    }
);

on_both_engines!(
    members_are_refused_what_tencent_keeps_for_owners_and_admins,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkSocket::login(&server, "bp_owner").await;
        let mut member = SdkSocket::login(&server, "bp_member").await;
        let mut stranger = SdkSocket::login(&server, "bp_stranger").await;
        let created = owner
            .ok(
                "create_group",
                json!({"Type": "Public", "Name": "Rules", "ApplyJoinOption": "FreeAccess"}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        let applied = member
            .ok("apply_join_group", json!({"GroupId": group}))
            .await;
        assert_eq!(applied["JoinedStatus"], "JoinedSuccess");

        // An ordinary member may not change the profile, kick, disband or transfer.
        let refused = member
            .group(
                "modify_group_base_info",
                json!({"GroupId": group, "Name": "Mine"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        for target in ["bp_owner", "bp_stranger"] {
            let refused = member
                .group(
                    "delete_group_member",
                    json!({"GroupId": group, "MemberToDel_Account": [target]}),
                )
                .await;
            assert_ne!(refused["ErrorCode"], 0, "{refused}");
        }
        let refused = member
            .group(
                "delete_group_member",
                json!({"GroupId": group, "MemberToDel_Account": ["bp_stranger"]}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group("destroy_group", json!({"GroupId": group}))
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group(
                "change_group_owner",
                json!({"GroupId": group, "NewOwner_Account": "bp_member"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .group(
                "modify_group_member_info",
                json!({"GroupId": group, "Member_Account": "bp_member", "Role": "Admin"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // Nor invite: a Public group is joined by applying, whoever asks.
        let refused = owner
            .group(
                "add_group_member",
                json!({"GroupId": group, "MemberList": [{"Member_Account": "bp_stranger"}]}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // A stranger may not even look at the members.
        let refused = stranger
            .group("get_group_member_info", json!({"GroupId": group}))
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // Nothing of that reached the group.
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterGroupInfoChanged")
                .await,
            0
        );

        // A member sets their own name card.
        member
            .ok(
                "modify_group_member_info",
                json!({"GroupId": group, "Member_Account": "bp_member", "NameCard": "Bee"}),
            )
            .await;
        let card = receiver
            .wait_for("Group.CallbackAfterMemberFieldChanged", 1)
            .await;
        assert_eq!(card[0].query["OptPlatform"], "Web");

        // The owner may change the profile and kick; the webhooks say it came from the Web.
        owner
            .ok(
                "modify_group_base_info",
                json!({"GroupId": group, "Name": "Ours", "ShutUpAllMember": "Off"}),
            )
            .await;
        let changed = receiver
            .wait_for("Group.CallbackAfterGroupInfoChanged", 1)
            .await;
        assert_eq!(changed[0].query["OptPlatform"], "Web");
        assert_eq!(changed[0].body["Operator_Account"], "bp_owner");
        assert_eq!(changed[0].body["Name"], "Ours");
        owner
            .ok(
                "delete_group_member",
                json!({"GroupId": group, "MemberToDel_Account": ["bp_member"]}),
            )
            .await;
        let exit = receiver.wait_for("Group.CallbackAfterMemberExit", 1).await;
        assert_eq!(exit[0].query["OptPlatform"], "Web");
        assert_eq!(exit[0].body["ExitType"], "Kicked");
        assert_eq!(exit[0].body["Operator_Account"], "bp_owner");
        // Out of the group, the history is closed to them.
        let refused = member
            .group(
                "group_msg_get",
                json!({"GroupId": group, "ReqMsgNumber": 5}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        assert!(!member.joined().await.contains(&group));

        // The owner disbands a Public group; nobody disbands a Work group from a client.
        owner.ok("destroy_group", json!({"GroupId": group})).await;
        let destroyed = receiver
            .wait_for("Group.CallbackAfterGroupDestroyed", 1)
            .await;
        assert_eq!(destroyed[0].query["OptPlatform"], "Web");
        let work = owner
            .ok("create_group", json!({"Type": "Work", "Name": "Desk"}))
            .await;
        let work = work["GroupId"].as_str().unwrap().to_owned();
        // In a Work group any member invites, and edits the profile.
        owner
            .ok(
                "add_group_member",
                json!({"GroupId": work, "MemberList": [{"Member_Account": "bp_member"}]}),
            )
            .await;
        member
            .ok(
                "modify_group_base_info",
                json!({"GroupId": work, "Introduction": "ours"}),
            )
            .await;
        let refused = owner.group("destroy_group", json!({"GroupId": work})).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        // The owner hands it over.
        owner
            .ok(
                "change_group_owner",
                json!({"GroupId": work, "NewOwner_Account": "bp_member"}),
            )
            .await;
        let profile = member
            .ok(
                "get_group_self_member_info",
                json!({"GroupIdList": [work],
                       "ResponseFilter": {"GroupBaseInfoFilter": ["Owner_Account"]}}),
            )
            .await;
        assert_eq!(
            profile["GroupInfo"][0]["SelfInfo"]["Role"], "Owner",
            "{profile}"
        );
        // A Work group is not found by strangers.
        let hidden = stranger
            .ok(
                "get_group_public_info",
                json!({"GroupIdList": [work],
                       "ResponseFilter": {"GroupBasePublicInfoFilter": ["Name"]}}),
            )
            .await;
        assert_eq!(
            hidden["GroupInfo"][0]["ErrorCode"], NO_PERMISSION,
            "{hidden}"
        );
    }
);
