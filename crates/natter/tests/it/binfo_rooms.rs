//! AVChatRooms and member profiles over `/binfo`, frame by frame: the online count and list,
//! member marks, bans, and `getGroupMemberProfile`, with who may do each.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NO_PERMISSION: u64 = 10007;

async fn ok(sdk: &mut SdkClient, servcmd: &str, body: Value) -> Value {
    let reply = sdk.call(servcmd, body).await;
    assert_eq!(
        reply["ErrorCode"],
        0,
        "{servcmd} as {}: {reply}",
        sdk.user()
    );
    reply
}

fn online(list: &Value) -> Vec<String> {
    list["MemberList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Member_Account"].as_str().unwrap().to_owned())
        .collect()
}

on_both_engines!(avchatrooms_over_binfo, |server: TestServer| async move {
    let mut owner = SdkClient::connect(&server, "ar_owner").await;
    let mut member = SdkClient::connect(&server, "ar_member").await;
    let mut stranger = SdkClient::connect(&server, "ar_stranger").await;
    let room = server
        .ok(
            "group_open_http_svc/create_group",
            json!({"Type": "AVChatRoom", "Name": "live", "Owner_Account": "ar_owner"}),
        )
        .await["GroupId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &mut member,
        "group_open_http_svc.apply_join_group",
        json!({"GroupId": room}),
    )
    .await;

    // The SDK may list and ban AVChatRoom members: purchase bits 6 and 11.
    let bits = owner
        .call("im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2", json!({}))
        .await["str_purchase_bits"]
        .as_str()
        .unwrap()
        .to_owned();
    for bit in [6, 11] {
        assert_eq!(
            bits.chars().rev().nth(bit),
            Some('1'),
            "bit {bit} of {bits}"
        );
    }

    // getGroupOnlineMemberCount and the online list, for members.
    let count = ok(
        &mut member,
        "group_open_http_svc.get_online_member_num",
        json!({"GroupId": room}),
    )
    .await;
    assert!(count["OnlineMemberNum"].as_u64().unwrap() >= 1, "{count}");
    let list = ok(
        &mut member,
        "group_open_avchatroom_http_svc.get_members",
        json!({"GroupId": room, "Timestamp": 0}),
    )
    .await;
    assert!(online(&list).contains(&"ar_member".to_owned()), "{list}");
    for servcmd in [
        "group_open_http_svc.get_online_member_num",
        "group_open_avchatroom_http_svc.get_members",
    ] {
        let refused = stranger.call(servcmd, json!({"GroupId": room})).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{servcmd}: {refused}");
    }

    // markGroupMemberList: the owner marks, a member may not; the list filters by mark.
    let marks = json!({"GroupId": room, "CommandType": 1,
                       "MemberList": [{"Member_Account": "ar_member", "Marks": [1001]}]});
    let refused = member
        .call(
            "group_open_avchatroom_http_svc.modify_user_info",
            marks.clone(),
        )
        .await;
    assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
    let marked = ok(
        &mut owner,
        "group_open_avchatroom_http_svc.modify_user_info",
        marks,
    )
    .await;
    assert_eq!(marked["MemberList"][0]["Marks"], json!([1001]), "{marked}");
    let list = ok(
        &mut owner,
        "group_open_avchatroom_http_svc.get_members",
        json!({"GroupId": room, "Timestamp": 0, "Mark": 1001}),
    )
    .await;
    assert_eq!(online(&list), ["ar_member"], "{list}");

    // deleteGroupMember of an AVChatRoom bans: not by a member, and not the owner.
    let refused = member
        .call(
            "group_open_http_svc.ban_group_member",
            json!({"GroupId": room, "Members_Account": ["ar_owner"], "Duration": 60}),
        )
        .await;
    assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
    ok(
        &mut owner,
        "group_open_http_svc.ban_group_member",
        json!({"GroupId": room, "Members_Account": ["ar_member"], "Duration": 60,
               "Description": "spam"}),
    )
    .await;
    let banned = server
        .ok(
            "group_open_http_svc/get_group_ban_member",
            json!({"GroupId": room}),
        )
        .await;
    assert_eq!(
        banned["BannedAccountList"][0]["Member_Account"], "ar_member",
        "{banned}"
    );
    let gone = member
        .call(
            "group_open_http_svc.get_online_member_num",
            json!({"GroupId": room}),
        )
        .await;
    assert_eq!(gone["ErrorCode"], NO_PERMISSION, "{gone}");
});

on_both_engines!(
    member_profiles_over_binfo,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "mp_owner").await;
        SdkClient::connect(&server, "mp_member").await;
        let mut stranger = SdkClient::connect(&server, "mp_stranger").await;
        let group = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "p", "Owner_Account": "mp_owner",
                   "MemberList": [{"Member_Account": "mp_member", "Role": "Admin"}]}),
            )
            .await["GroupId"]
            .as_str()
            .unwrap()
            .to_owned();

        // getGroupMemberProfile: the named members (others left out), the fields asked for.
        let profiles = ok(
            &mut owner,
            "group_open_http_svc.get_specified_group_member_info",
            json!({"GroupId": group, "Member_List_Account": ["mp_member", "nobody"],
               "MemberInfoFilter": ["Role", "NameCard"]}),
        )
        .await;
        let list = profiles["MemberList"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{profiles}");
        assert_eq!(list[0]["Member_Account"], "mp_member");
        assert_eq!(list[0]["Role"], "Admin");
        assert!(list[0].get("JoinTime").is_none(), "{profiles}");
        let refused = stranger
            .call(
                "group_open_http_svc.get_specified_group_member_info",
                json!({"GroupId": group, "Member_List_Account": ["mp_owner"]}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let empty = owner
            .call(
                "group_open_http_svc.get_specified_group_member_info",
                json!({"GroupId": group, "Member_List_Account": []}),
            )
            .await;
        assert_eq!(empty["ErrorCode"], 10004, "{empty}");

        // Members of other types are removed, not banned (10004).
        let refused = owner
            .call(
                "group_open_http_svc.ban_group_member",
                json!({"GroupId": group, "Members_Account": ["mp_member"], "Duration": 60}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 10004, "{refused}");
    }
);
