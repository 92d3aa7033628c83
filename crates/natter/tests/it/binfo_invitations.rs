//! Client invitations under `InviteJoinOption` over `/binfo` (`add_group_member`,
//! `get_pendency`, `handle_invite_join_permission_group`), the REST API's `add_group_member`
//! beside them, and a member clearing a group's history for themselves (`clear_msg`).

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

fn invite(group: &str, who: &str) -> Value {
    json!({"GroupId": group, "MemberList": [{"Member_Account": who}]})
}

async fn work_group(server: &TestServer, option: &str) -> String {
    server
        .ok(
            "group_open_http_svc/create_group",
            json!({"Type": "Private", "Name": "Work", "Owner_Account": "iv_owner",
               "InviteJoinOption": option,
               "MemberList": [{"Member_Account": "iv_member"}]}),
        )
        .await["GroupId"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both_engines!(
    invitations_follow_the_invite_join_option,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["iv_guest", "iv_other", "iv_third"]).await;
        let mut owner = SdkClient::connect(&server, "iv_owner").await;
        let mut member = SdkClient::connect(&server, "iv_member").await;
        let add = "group_open_http_svc.add_group_member";

        // NeedPermission: an ordinary member's invitation waits (Result 3) for an admin ...
        let group = work_group(&server, "NeedPermission").await;
        let waiting = member.call(add, invite(&group, "iv_guest")).await;
        assert_eq!(waiting["ErrorCode"], 0, "{waiting}");
        assert_eq!(waiting["MemberList"][0]["Result"], 3, "{waiting}");
        let notice = owner.next_push_of("GroupTips").await;
        let body = &notice["EventArray"][0]["GroupTips"][0]["MsgBody"];
        assert_eq!(body["OpType"], 1, "{notice}");
        assert_eq!(body["Operator_Account"], "iv_guest", "{notice}");
        assert_eq!(body["Inviter_Account"], "iv_member", "{notice}");
        let pendency = |user: &str| json!({"StartTime": 0, "Limit": 20, "Handle_Account": user});
        let list = owner
            .call("group_open_http_svc.get_pendency", pendency("iv_owner"))
            .await;
        let item = &list["PendencyList"][0];
        assert_eq!(item["PendencyType"], 2, "{list}");
        assert_eq!(item["From_Account"], "iv_member");
        assert_eq!(item["To_Account"], "iv_guest");
        // ... while the owner's own invitation adds at once.
        let direct = owner.call(add, invite(&group, "iv_other")).await;
        assert_eq!(direct["MemberList"][0]["Result"], 1, "{direct}");

        // Only the owner and admins answer; an answer names the invitation's inviter.
        let handle = |inviter: &str, action: &str| {
            json!({"GroupId": group, "Applicant_Account": inviter,
               "Invited_Account": "iv_guest", "HandleMsg": action, "ApprovalMsg": "ok"})
        };
        let cmd = "group_open_http_svc.handle_invite_join_permission_group";
        let by_member = member.call(cmd, handle("iv_member", "Agree")).await;
        assert_eq!(by_member["ErrorCode"], 10007, "{by_member}");
        let wrong_inviter = owner.call(cmd, handle("iv_other", "Agree")).await;
        assert_eq!(wrong_inviter["ErrorCode"], 10004, "{wrong_inviter}");
        let bad_action = owner.call(cmd, handle("iv_member", "Maybe")).await;
        assert_eq!(bad_action["ErrorCode"], 10004, "{bad_action}");
        let agreed = owner.call(cmd, handle("iv_member", "Agree")).await;
        assert_eq!(agreed["ErrorCode"], 0, "{agreed}");
        let joined = receiver
            .wait_for("Group.CallbackAfterNewMemberJoin", 2)
            .await;
        let approved = joined
            .iter()
            .find(|j| j.body["NewMemberList"][0]["Member_Account"] == "iv_guest")
            .expect("the invitee's join reported");
        assert_eq!(approved.body["JoinType"], "Invited");
        assert_eq!(approved.body["Operator_Account"], "iv_owner");
        assert_eq!(approved.query["OptPlatform"], "Web");
        let role = server
            .ok(
                "group_open_http_svc/get_role_in_group",
                json!({"GroupId": group, "User_Account": ["iv_guest"]}),
            )
            .await;
        assert_eq!(role["UserIdList"][0]["Role"], "Member", "{role}");
        let list = owner
            .call("group_open_http_svc.get_pendency", pendency("iv_owner"))
            .await;
        assert_eq!(list["PendencyList"], json!([]), "{list}");
        // Answered once: nothing waits any more.
        let again = owner.call(cmd, handle("iv_member", "Reject")).await;
        assert_eq!(again["ErrorCode"], 10004, "{again}");

        // A refused invitation leaves the invitee out.
        let waiting = member.call(add, invite(&group, "iv_third")).await;
        assert_eq!(waiting["MemberList"][0]["Result"], 3, "{waiting}");
        let refused = owner
            .call(
                cmd,
                json!({"GroupId": group, "Applicant_Account": "iv_member",
                   "Invited_Account": "iv_third", "HandleMsg": "Reject"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 0, "{refused}");
        let role = server
            .ok(
                "group_open_http_svc/get_role_in_group",
                json!({"GroupId": group, "User_Account": ["iv_third"]}),
            )
            .await;
        assert_eq!(role["UserIdList"][0]["Role"], "NotMember", "{role}");

        // DisableInvite: no client invites, not even the owner; the REST API still adds.
        let closed = work_group(&server, "DisableInvite").await;
        for client in [&mut owner, &mut member] {
            let refused = client.call(add, invite(&closed, "iv_third")).await;
            assert_eq!(refused["ErrorCode"], 10007, "{refused}");
        }
        let added = server
            .ok(
                "group_open_http_svc/add_group_member",
                invite(&closed, "iv_third"),
            )
            .await;
        assert_eq!(added["MemberList"][0]["Result"], 1, "{added}");

        // FreeAccess: a member's invitation adds at once.
        let open = work_group(&server, "FreeAccess").await;
        let free = member.call(add, invite(&open, "iv_third")).await;
        assert_eq!(free["MemberList"][0]["Result"], 1, "{free}");
    }
);

on_both_engines!(
    a_member_clears_a_groups_history_for_themselves,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "iv_owner").await;
        let mut member = SdkClient::connect(&server, "iv_member").await;
        let group = work_group(&server, "FreeAccess").await;
        let send = |text: &str| {
            let random = text.bytes().map(u32::from).sum::<u32>();
            json!({"GroupId": group, "Random": random,
               "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]})
        };
        for text in ["one", "two"] {
            let sent = owner
                .call("group_open_http_svc.send_group_msg", send(text))
                .await;
            assert_eq!(sent["ErrorCode"], 0, "{sent}");
        }
        let texts = |reply: &Value| -> Vec<String> {
            reply["RspMsgList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    m["MsgBody"][0]["MsgContent"]["Text"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        };
        let history = json!({"GroupId": group, "ReqMsgNumber": 20});
        let cleared = member
            .call(
                "recentcontact.clear_msg",
                json!({"From_Account": "iv_member", "Type": 2, "ToGroupid": group}),
            )
            .await;
        assert_eq!(cleared["ErrorCode"], 0, "{cleared}");
        let page = member
            .call("group_open_http_svc.group_msg_get", history.clone())
            .await;
        assert_eq!(texts(&page), Vec::<String>::new(), "{page}");
        assert_eq!(page["IsFinished"], 2, "{page}");
        let sent = owner
            .call("group_open_http_svc.send_group_msg", send("three"))
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let page = member
            .call("group_open_http_svc.group_msg_get", history.clone())
            .await;
        assert_eq!(texts(&page), ["three"], "{page}");
        assert_eq!(page["IsFinished"], 2, "{page}");
        // The others keep theirs.
        let page = owner
            .call("group_open_http_svc.group_msg_get", history)
            .await;
        assert_eq!(texts(&page).len(), 3, "{page}");
        // Only members clear; a group that does not exist is 10010.
        let mut stranger = SdkClient::connect(&server, "iv_stranger").await;
        let refused = stranger
            .call(
                "recentcontact.clear_msg",
                json!({"Type": 2, "ToGroupid": group}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 10007, "{refused}");
        let missing = member
            .call(
                "recentcontact.clear_msg",
                json!({"Type": 2, "ToGroupid": "@TGS#nowhere"}),
            )
            .await;
        assert_eq!(missing["ErrorCode"], 10010, "{missing}");
    }
);
