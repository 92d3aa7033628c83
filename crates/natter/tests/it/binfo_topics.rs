//! Communities and their topics over `/binfo`, frame by frame: the SDK sends every group command
//! of a community under `million_group_open_http_svc`; the owner and admins manage topics,
//! members read them and talk in them, and every change reaches the members as the SDK's
//! system notices and tips.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NO_PERMISSION: u64 = 10007;
const COMMUNITY: &str = "million_group_open_http_svc";

/// The next `GroupTips` push of `Event` `kind`: its item.
async fn next_tips(sdk: &mut SdkClient, kind: u64) -> Value {
    loop {
        let push = sdk.next_push_of("GroupTips").await;
        if push["EventArray"][0]["Event"] == kind {
            return push["EventArray"][0]["GroupTips"][0].clone();
        }
    }
}

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

on_both_engines!(
    community_topics_over_binfo,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkClient::connect(&server, "ct_owner").await;
        let mut member = SdkClient::connect(&server, "ct_member").await;
        let cmd = |name: &str| format!("{COMMUNITY}.{name}");

        // createGroup of a Community with topics goes to million_group_open_http_svc.
        let created = ok(
            &mut owner,
            &cmd("create_group"),
            json!({"Type": "Community", "Name": "Town", "Owner_Account": "ct_owner",
                   "SupportTopic": 1}),
        )
        .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        assert!(group.starts_with("@TGS#_"), "{created}");
        ok(
            &mut owner,
            &cmd("add_group_member"),
            json!({"GroupId": group, "MemberList": [{"Member_Account": "ct_member"}]}),
        )
        .await;
        // getJoinedCommunityList: the communities with topics, marked so.
        let joined = ok(
            &mut member,
            &cmd("get_joined_group_list"),
            json!({"Member_Account": "ct_member", "Limit": 50, "Offset": 0, "SupportTopic": 1,
                   "ResponseFilter": {"GroupBaseInfoFilter": ["Type", "Name"]}}),
        )
        .await;
        assert_eq!(
            joined["GroupIdList"][0]["GroupId"],
            group.as_str(),
            "{joined}"
        );
        assert_eq!(joined["GroupIdList"][0]["SupportTopic"], 1);

        // A member may not create topics; the owner may, and the member hears of it.
        let refused = member
            .call(
                &cmd("create_topic"),
                json!({"GroupId": group, "TopicName": "x"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let topic = ok(
            &mut owner,
            &cmd("create_topic"),
            json!({"GroupId": group, "TopicName": "news", "CustomString": "c"}),
        )
        .await["TopicId"]
            .as_str()
            .unwrap()
            .to_owned();
        let notice = next_tips(&mut member, 5).await;
        assert_eq!(notice["MsgBody"]["OpType"], 17, "{notice}");
        assert_eq!(notice["GroupInfo"]["TopicId"], topic.as_str());
        assert_eq!(notice["GroupInfo"]["MillionGroupFlag"], 2);
        let hook = receiver.wait_for("Group.CallbackAfterCreateTopic", 1).await;
        assert_eq!(hook[0].query["OptPlatform"], "Web");
        assert_eq!(hook[0].body["Operator_Account"], "ct_owner");

        // getTopicList, with the member's own view.
        let topics = ok(
            &mut member,
            &cmd("get_topic"),
            json!({"GroupId": group, "MemberInfoFilter": ["NoUnreadSeqList"]}),
        )
        .await;
        let item = &topics["TopicAndSelfInfo"][0];
        assert_eq!(item["TopicInfo"]["TopicId"], topic.as_str(), "{topics}");
        assert_eq!(item["TopicInfo"]["TopicName"], "news");
        assert_eq!(item["TopicInfo"]["GroupID"], group.as_str());
        assert_eq!(item["TopicInfo"]["CustomString"], "c");
        assert_eq!(item["SelfInfo"]["MsgSeq"], 0);

        // A topic message, as the SDK sends it: the community's ID and the topic's.
        let sent = ok(
            &mut owner,
            &cmd("send_group_msg"),
            json!({"GroupId": group, "TopicId": topic, "Random": 7,
                   "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hello"}}]}),
        )
        .await;
        let push = member.next_push_of("GroupMsgArray").await;
        let message = &push["EventArray"][0]["GroupMsgArray"][0];
        assert_eq!(message["GroupInfo"]["TopicId"], topic.as_str(), "{push}");
        assert_eq!(message["GroupInfo"]["MillionGroupFlag"], 2);
        assert_eq!(message["MsgSeq"], sent["MsgSeq"]);
        let history = ok(
            &mut member,
            &cmd("group_msg_get"),
            json!({"GroupId": group, "TopicId": topic, "ReqMsgNumber": 5}),
        )
        .await;
        assert_eq!(
            history["RspMsgList"][0]["MsgBody"][0]["MsgContent"]["Text"],
            "hello"
        );

        // updateTopicProfile: a tip in the topic with what changed.
        let refused = member
            .call(
                &cmd("modify_topic"),
                json!({"GroupId": group, "TopicId": topic, "TopicName": "mine"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        ok(
            &mut owner,
            &cmd("modify_topic"),
            json!({"GroupId": group, "TopicId": topic, "TopicName": "news2",
                   "ShutUpAllMember": "On"}),
        )
        .await;
        let tip = next_tips(&mut member, 4).await;
        assert_eq!(tip["MsgBody"]["OpType"], 8, "{tip}");
        assert_eq!(tip["GroupInfo"]["TopicId"], topic.as_str());
        assert_eq!(tip["MsgBody"]["MsgTopicNewInfo"]["TopicName"], "news2");
        assert_eq!(tip["MsgBody"]["MsgTopicNewInfo"]["ShutupAll"], true);

        // deleteTopicFromCommunity: a result per topic, and a notice to the members.
        let deleted = ok(
            &mut owner,
            &cmd("destroy_topic"),
            json!({"GroupId": group, "TopicIdList": [topic, format!("{group}@TOPIC#_nope")]}),
        )
        .await;
        let results = deleted["DestroyResultItem"].as_array().unwrap();
        assert_eq!(results[0]["ErrorCode"], 0, "{deleted}");
        assert_ne!(results[1]["ErrorCode"], 0, "{deleted}");
        let notice = next_tips(&mut member, 5).await;
        assert_eq!(notice["MsgBody"]["OpType"], 18, "{notice}");
        assert_eq!(notice["MsgBody"]["TopicIdArray"], json!([topic]));

        // Topics exist only in communities (11000 elsewhere); strangers read none.
        let public = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "p", "Owner_Account": "ct_owner"}),
            )
            .await["GroupId"]
            .as_str()
            .unwrap()
            .to_owned();
        let refused = owner
            .call(
                &cmd("create_topic"),
                json!({"GroupId": public, "TopicName": "x"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 11000, "{refused}");
        let mut stranger = SdkClient::connect(&server, "ct_stranger").await;
        let refused = stranger
            .call(&cmd("get_topic"), json!({"GroupId": group}))
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
    }
);
