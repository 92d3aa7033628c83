//! `/binfo`'s relationship commands, frame by frame: friend requests to a user who confirms them,
//! direct adds, friend lists, the blocklist, and the webhooks they fire with the SDK's platform.
//! The bodies are what the pinned SDK sends (after its key conversion).

use serde_json::{json, Value};

use crate::friends::allow_type;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

/// Relationship commands over the shared SDK client.
trait SnsSdk {
    /// Sends a command as the SDK does (`From_Account` is the user unless the body names one)
    /// and returns the reply's body; pushes in between are kept aside.
    async fn user_call(&mut self, servcmd: &str, body: Value) -> Value;
    /// `user_call`, asserting success.
    async fn ok(&mut self, servcmd: &str, body: Value) -> Value;
    /// `getFriendApplicationList`, as the SDK asks it at start-up.
    async fn pendencies(&mut self) -> Value;
    /// The accounts of the user's friend list (`sns.friend_get`).
    async fn friends(&mut self) -> Vec<String>;
    /// The accounts of the user's blocklist (`sns.black_list_get`).
    async fn blocklist(&mut self) -> Vec<String>;
}

impl SnsSdk for SdkClient {
    async fn user_call(&mut self, servcmd: &str, mut body: Value) -> Value {
        let user = self.user().to_owned();
        body.as_object_mut()
            .unwrap()
            .entry("From_Account")
            .or_insert_with(|| user.into());
        self.call(servcmd, body).await
    }

    async fn ok(&mut self, servcmd: &str, body: Value) -> Value {
        let reply = self.user_call(servcmd, body).await;
        assert_eq!(reply["ErrorCode"], 0, "{servcmd}: {reply}");
        reply
    }

    async fn pendencies(&mut self) -> Value {
        self.ok(
            "sns.pendency_get",
            json!({"PendencyType": "Pendency_Type_Both", "StartTime": 0, "MaxLimited": 100, "LastSequence": 0}),
        )
        .await
    }

    async fn friends(&mut self) -> Vec<String> {
        let reply = self
            .ok(
                "sns.friend_get",
                json!({"StartIndex": 0, "StandardSequence": 0, "CustomSequence": 0}),
            )
            .await;
        accounts(&reply["UserDataItem"])
    }

    async fn blocklist(&mut self) -> Vec<String> {
        let reply = self
            .ok(
                "sns.black_list_get",
                json!({"StartIndex": 0, "MaxLimited": 100}),
            )
            .await;
        accounts(&reply["BlackListItem"])
    }
}

fn accounts(items: &Value) -> Vec<String> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["To_Account"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn first_code(reply: &Value) -> u64 {
    reply["ResultItem"][0]["ResultCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("no ResultItem: {reply}"))
}

on_both_engines!(
    a_request_waits_on_both_sides_until_accepted,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["req_from", "req_to"]).await;
        allow_type(&server, "req_to", "AllowType_Type_NeedConfirm").await;
        server
            .ok(
                "profile/portrait_set",
                json!({"From_Account": "req_from", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Fromage"}]}),
            )
            .await;
        let mut from = SdkClient::connect(&server, "req_from").await;
        let mut to = SdkClient::connect(&server, "req_to").await;

        let reply = from
            .ok(
                "sns.friend_add",
                json!({"AddFriendItem": [{"To_Account": "req_to", "AddSource": "AddSource_Type_Web",
                    "AddWording": "hello there", "Remark": "To"}], "AddType": "Add_Type_Both"}),
            )
            .await;
        assert_eq!(first_code(&reply), 30539, "a request is filed: {reply}");
        assert!(from.friends().await.is_empty());

        let sent = from.pendencies().await;
        assert_eq!(sent["UnreadPendencyCount"], 0, "{sent}");
        let items = sent["PendencyItem"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{sent}");
        assert_eq!(items[0]["To_Account"], "req_to");
        assert_eq!(items[0]["PendencyType"], "Pendency_Type_SendOut");
        assert_eq!(items[0]["AddWording"], "hello there");

        let received = to.pendencies().await;
        assert_eq!(received["UnreadPendencyCount"], 1, "{received}");
        let item = &received["PendencyItem"][0];
        assert_eq!(item["To_Account"], "req_from");
        assert_eq!(item["PendencyType"], "Pendency_Type_ComeIn");
        assert_eq!(item["AddSource"], "AddSource_Type_Web");
        assert_eq!(item["Nick"], "Fromage");
        assert!(item["AddTime"].as_i64().unwrap() > 0);
        // Only the incoming ones when asked.
        let only_out = to
            .ok(
                "sns.pendency_get",
                json!({"PendencyType": "Pendency_Type_SendOut"}),
            )
            .await;
        assert_eq!(only_out["PendencyItem"], json!([]), "{only_out}");
        // Marked read up to the request's time: no longer unread, still waiting.
        let added = received["PendencyItem"][0]["AddTime"].as_i64().unwrap();
        to.ok(
            "sns.pendency_report",
            json!({"LatestPendencyTimeStamp": added}),
        )
        .await;
        let after = to.pendencies().await;
        assert_eq!(after["UnreadPendencyCount"], 0, "{after}");
        assert_eq!(
            after["PendencyItem"].as_array().unwrap().len(),
            1,
            "{after}"
        );
        // An earlier time does not move the mark back.
        to.ok(
            "sns.pendency_report",
            json!({"LatestPendencyTimeStamp": added - 1}),
        )
        .await;
        assert_eq!(to.pendencies().await["UnreadPendencyCount"], 0);

        // Answering a request that does not exist fails for that item.
        let reply = from
            .ok(
                "sns.friend_response",
                json!({"ResponseFriendItem": [{"To_Account": "req_to", "ResponseAction": "Response_Action_AgreeAndAdd"}]}),
            )
            .await;
        assert_eq!(first_code(&reply), 30614, "{reply}");

        let reply = to
            .ok(
                "sns.friend_response",
                json!({"ResponseFriendItem": [{"To_Account": "req_from", "Remark": "From",
                    "TagName": "mates", "ResponseAction": "Response_Action_AgreeAndAdd"}]}),
            )
            .await;
        assert_eq!(first_code(&reply), 0, "{reply}");
        assert_eq!(from.friends().await, ["req_to"]);
        assert_eq!(to.friends().await, ["req_from"]);
        assert_eq!(from.pendencies().await["PendencyItem"], json!([]));
        assert_eq!(to.pendencies().await["PendencyItem"], json!([]));

        // The answer put the requester in the list it named, with its remark.
        let specified = to
            .ok(
                "sns.friend_get_specified",
                json!({"To_Account": ["req_from"]}),
            )
            .await;
        let tags = &specified["InfoItem"][0]["SnsProfileItem"];
        let tag = |name: &str| {
            tags.as_array()
                .unwrap()
                .iter()
                .find(|t| t["Tag"] == name)
                .map(|t| t["Value"].clone())
        };
        assert_eq!(tag("Tag_SNS_IM_Remark"), Some(json!("From")), "{specified}");
        assert_eq!(
            tag("Tag_SNS_IM_Group"),
            Some(json!(["mates"])),
            "{specified}"
        );

        let asked = receiver.wait_for("Sns.CallbackPrevFriendAdd", 1).await;
        assert_eq!(asked[0].query["OptPlatform"], "Web");
        assert_eq!(asked[0].body["From_Account"], "req_from");
        let answered = receiver.wait_for("Sns.CallbackPrevFriendResponse", 1).await;
        assert_eq!(answered[0].query["OptPlatform"], "Web");
        let added = receiver.wait_for("Sns.CallbackFriendAdd", 1).await;
        assert_eq!(added[0].query["OptPlatform"], "Web");
        assert_eq!(added[0].body["ClientCmd"], "friend_response");
        assert_eq!(
            crate::friends::pairs(&added[0].body).len(),
            2,
            "both directions: {}",
            added[0].body
        );
    }
);

on_both_engines!(
    direct_adds_lists_and_withdrawn_requests,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["dir_me", "dir_any", "dir_other", "dir_confirm"]).await;
        allow_type(&server, "dir_any", "AllowType_Type_AllowAny").await;
        allow_type(&server, "dir_other", "AllowType_Type_AllowAny").await;
        let mut me = SdkClient::connect(&server, "dir_me").await;

        let reply = me
            .ok(
                "sns.friend_add",
                json!({"AddFriendItem": [{"To_Account": "dir_any", "AddSource": "AddSource_Type_Web"}],
                    "AddType": "Add_Type_Both"}),
            )
            .await;
        assert_eq!(first_code(&reply), 0, "AllowAny adds at once: {reply}");
        assert_eq!(me.friends().await, ["dir_any"]);
        let check = me
            .ok(
                "sns.friend_check",
                json!({"To_Account": ["dir_any", "dir_other"], "CheckType": "CheckResult_Type_Both"}),
            )
            .await;
        assert_eq!(
            check["InfoItem"][0]["Relation"], "CheckResult_Type_BothWay",
            "{check}"
        );
        assert_eq!(
            check["InfoItem"][1]["Relation"],
            "CheckResult_Type_NoRelation"
        );
        let added = receiver.wait_for("Sns.CallbackFriendAdd", 1).await;
        assert_eq!(added[0].query["OptPlatform"], "Web");
        assert_eq!(added[0].body["ClientCmd"], "friend_add");
        me.ok(
            "sns.friend_add",
            json!({"AddFriendItem": [{"To_Account": "dir_other", "AddSource": "AddSource_Type_Web"}]}),
        )
        .await;

        // Friend lists: create with a member, add one, rename, take one out, delete.
        let reply = me
            .ok(
                "sns.group_add",
                json!({"GroupName": ["work"], "To_Account": ["dir_any"]}),
            )
            .await;
        assert_eq!(first_code(&reply), 0, "{reply}");
        let reply = me
            .ok(
                "sns.group_update",
                json!({"GroupOldName": "work", "UpdateGroupItem": [
                    {"To_Account": "dir_other", "UpdateType": "Update_Type_Add"},
                    {"To_Account": "dir_confirm", "UpdateType": "Update_Type_Add"}]}),
            )
            .await;
        assert_eq!(reply["ResultItem"][0]["ResultCode"], 0, "{reply}");
        assert_eq!(reply["ResultItem"][0]["UpdateType"], "Update_Type_Add");
        assert_eq!(reply["ResultItem"][1]["ResultCode"], 32216, "not a friend");
        me.ok(
            "sns.group_update",
            json!({"GroupOldName": "work", "GroupNewName": "job"}),
        )
        .await;
        let reply = me
            .ok(
                "sns.group_update",
                json!({"GroupOldName": "job", "UpdateGroupItem": [
                    {"To_Account": "dir_any", "UpdateType": "Update_Type_Delete"}]}),
            )
            .await;
        assert_eq!(reply["ResultItem"][0]["ResultCode"], 0, "{reply}");
        let lists = me
            .ok(
                "sns.group_get",
                json!({"LastSequence": 0, "NeedFriend": "Need_Friend_Type_Yes"}),
            )
            .await;
        assert_eq!(
            lists["ResultItem"],
            json!([{"GroupName": "job", "FriendNumber": 1, "To_Account": ["dir_other"]}]),
            "{lists}"
        );
        let refused = me
            .user_call(
                "sns.group_update",
                json!({"GroupOldName": "work", "GroupNewName": "x"}),
            )
            .await;
        assert_eq!(
            refused["ErrorCode"], 30001,
            "the old name is gone: {refused}"
        );
        me.ok("sns.group_delete", json!({"GroupName": ["job"]}))
            .await;
        let lists = me.ok("sns.group_get", json!({"LastSequence": 0})).await;
        assert!(accounts(&lists["ResultItem"]).is_empty(), "{lists}");

        // A request is withdrawn with pendency_delete; the other side no longer sees it.
        let reply = me
            .ok(
                "sns.friend_add",
                json!({"AddFriendItem": [{"To_Account": "dir_confirm", "AddSource": "AddSource_Type_Web"}]}),
            )
            .await;
        assert_eq!(first_code(&reply), 30539);
        let reply = me
            .ok(
                "sns.pendency_delete",
                json!({"PendencyType": "Pendency_Type_ComeIn", "To_Account": ["dir_confirm"]}),
            )
            .await;
        assert_eq!(
            first_code(&reply),
            30614,
            "it was sent, not received: {reply}"
        );
        let reply = me
            .ok(
                "sns.pendency_delete",
                json!({"PendencyType": "Pendency_Type_SendOut", "To_Account": ["dir_confirm"]}),
            )
            .await;
        assert_eq!(first_code(&reply), 0, "{reply}");
        let mut confirm = SdkClient::connect(&server, "dir_confirm").await;
        assert_eq!(confirm.pendencies().await["PendencyItem"], json!([]));

        // Updating and deleting friends are the user's own.
        let reply = me
            .ok(
                "sns.friend_update",
                json!({"UpdateItem": [{"To_Account": "dir_any", "SnsItem": [{"Tag": "Tag_SNS_IM_Remark", "Value": "Any"}]}]}),
            )
            .await;
        assert_eq!(first_code(&reply), 0, "{reply}");
        let reply = me
            .ok(
                "sns.friend_delete",
                json!({"To_Account": ["dir_any"], "DeleteType": "Delete_Type_Both"}),
            )
            .await;
        assert_eq!(first_code(&reply), 0, "{reply}");
        assert_eq!(me.friends().await, ["dir_other"]);
        let deleted = receiver.wait_for("Sns.CallbackFriendDelete", 1).await;
        assert_eq!(deleted[0].query["OptPlatform"], "Web");
    }
);

on_both_engines!(
    the_blocklist_and_acting_for_others,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["bl_me", "bl_them", "bl_victim"]).await;
        let mut me = SdkClient::connect(&server, "bl_me").await;

        let reply = me
            .ok("sns.black_list_add", json!({"To_Account": ["bl_them"]}))
            .await;
        assert_eq!(first_code(&reply), 0, "{reply}");
        assert_eq!(me.blocklist().await, ["bl_them"]);
        let added = receiver.wait_for("Sns.CallbackBlackListAdd", 1).await;
        assert_eq!(added[0].query["OptPlatform"], "Web");
        // A blocklisted user cannot be sent a request.
        let reply = me
            .ok(
                "sns.friend_add",
                json!({"AddFriendItem": [{"To_Account": "bl_them", "AddSource": "AddSource_Type_Web"}]}),
            )
            .await;
        assert_eq!(first_code(&reply), 30515, "{reply}");
        me.ok("sns.black_list_delete", json!({"To_Account": ["bl_them"]}))
            .await;
        assert!(me.blocklist().await.is_empty());
        let removed = receiver.wait_for("Sns.CallbackBlackListDelete", 1).await;
        assert_eq!(removed[0].query["OptPlatform"], "Web");

        // Naming someone else as From_Account is refused, and changes nothing.
        for (servcmd, body) in [
            (
                "sns.friend_add",
                json!({"From_Account": "bl_victim", "AddFriendItem": [{"To_Account": "bl_them", "AddSource": "AddSource_Type_Web"}]}),
            ),
            (
                "sns.black_list_add",
                json!({"From_Account": "bl_victim", "To_Account": ["bl_them"]}),
            ),
            (
                "sns.pendency_get",
                json!({"From_Account": "bl_victim", "PendencyType": "Pendency_Type_Both"}),
            ),
            (
                "sns.group_update",
                json!({"From_Account": "bl_victim", "GroupOldName": "a", "GroupNewName": "b"}),
            ),
        ] {
            let reply = me.user_call(servcmd, body).await;
            assert_eq!(reply["ErrorCode"], 30001, "{servcmd}: {reply}");
        }
        let mut victim = SdkClient::connect(&server, "bl_victim").await;
        assert!(victim.blocklist().await.is_empty());
        assert_eq!(victim.pendencies().await["PendencyItem"], json!([]));

        // Marking requests read is the user's own: naming someone else is refused.
        let reply = me
            .user_call(
                "sns.pendency_report",
                json!({"From_Account": "bl_victim", "LatestPendencyTimeStamp": 1}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 30001, "{reply}");
    }
);
