//! AVChatRooms over the REST API: bans, and clients joining and quitting.

use serde_json::{json, Value};

use crate::client::Client;
use crate::groups::*;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;

on_both_engines!(
    live_groups_ban_and_clients_join_and_quit,
    |server: TestServer| async move {
        const BAN: &str = "group_open_http_svc/ban_group_member";
        const UNBAN: &str = "group_open_http_svc/unban_group_member";
        const BANNED: &str = "group_open_http_svc/get_group_ban_member";
        const JOIN: &str = "Group.CallbackAfterNewMemberJoin";
        const EXIT: &str = "Group.CallbackAfterMemberExit";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann", "bob", "cat"]).await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live",
                "Owner_Account": "boss"}),
            )
            .await;
        let mut ann = Client::login(&server, "ann", "Android").await;
        let mut bob = Client::login(&server, "bob", "Android").await;
        ann.ok("join_group", json!({"GroupId": "live"})).await;
        bob.ok("join_group", json!({"GroupId": "live"})).await;
        let joined = receiver.wait_for(JOIN, 2).await;
        assert_eq!(joined[0].body["JoinType"], "Apply");
        assert_eq!(joined[0].body["Operator_Account"], "ann");
        assert_eq!(
            joined[0].body["NewMemberList"],
            json!([{"Member_Account": "ann"}])
        );
        assert_eq!(joined[0].query["OptPlatform"], "Android");
        assert_eq!(joined[0].query["ClientIP"], "127.0.0.1");
        let again = ann.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(again["ErrorCode"], 10013);

        // Banning puts members out and keeps them out.
        server
            .ok(
                BAN,
                json!({"GroupId": "live", "Members_Account": ["ann", "cat"], "Duration": 100,
                    "Description": "spam"}),
            )
            .await;
        let kicked = receiver.wait_for(EXIT, 1).await;
        assert_eq!(kicked[0].body["ExitType"], "Kicked");
        assert_eq!(
            kicked[0].body["ExitMemberList"],
            json!([{"Member_Account": "ann"}])
        );
        let page = server
            .ok(BANNED, json!({"GroupId": "live", "Offset": 0, "Limit": 1}))
            .await;
        assert_eq!(page["BannedAccountList"].as_array().unwrap().len(), 1);
        assert_eq!(page["BannedAccountList"][0]["Member_Account"], "ann");
        let until = page["BannedAccountList"][0]["BannedUntil"]
            .as_i64()
            .unwrap();
        assert!(until > 1_600_000_000, "{page}");
        assert_eq!(page["NextOffset"], 1);
        let rest = server
            .ok(BANNED, json!({"GroupId": "live", "Offset": 1, "Limit": 1}))
            .await;
        assert_eq!(rest["BannedAccountList"][0]["Member_Account"], "cat");
        assert_eq!(rest["NextOffset"], 0);
        let banned = ann.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(banned["ErrorCode"], 10007);
        server
            .ok(
                UNBAN,
                json!({"GroupId": "live", "Members_Account": ["ann", "bob"]}),
            )
            .await;
        ann.ok("join_group", json!({"GroupId": "live"})).await;
        let left = server
            .ok(BANNED, json!({"GroupId": "live", "Offset": 0}))
            .await;
        assert_eq!(
            left["BannedAccountList"],
            json!([{"Member_Account": "cat", "BannedUntil": until}])
        );

        // Refusals.
        public_group(&server, "pub", "boss", &["ann"]).await;
        let ban = |group: &str, accounts: Value, duration: u32| json!({"GroupId": group, "Members_Account": accounts, "Duration": duration});
        server
            .fails(BAN, ban("pub", json!(["ann"]), 10), 10007)
            .await;
        server
            .fails(BANNED, json!({"GroupId": "pub", "Offset": 0}), 10007)
            .await;
        let many: Vec<String> = (0..21).map(|i| format!("u{i}")).collect();
        server.fails(BAN, ban("live", json!(many), 10), 10004).await;
        server
            .fails(BAN, ban("live", json!(["ann"]), 0), 10004)
            .await;
        server
            .fails(BAN, ban("live", json!(["boss"]), 10), 10004)
            .await;
        server
            .fails(BAN, ban("live", json!(["ghost"]), 10), 10019)
            .await;
        server
            .fails(BAN, ban("nope", json!(["ann"]), 10), 10010)
            .await;
        server
            .fails(
                BANNED,
                json!({"GroupId": "live", "Offset": 0, "Limit": 101}),
                10004,
            )
            .await;

        // Leaving: members may, owners only of Work groups.
        let mut boss = Client::login(&server, "boss", "Android").await;
        let mut cat = Client::login(&server, "cat", "Android").await;
        bob.ok("quit_group", json!({"GroupId": "live"})).await;
        let quit = receiver.wait_for(EXIT, 2).await;
        assert_eq!(quit[1].body["ExitType"], "Quit");
        assert_eq!(quit[1].body["Operator_Account"], "bob");
        assert_eq!(
            boss.request("quit_group", json!({"GroupId": "live"})).await["ErrorCode"],
            10009
        );
        assert_eq!(
            bob.request("quit_group", json!({"GroupId": "live"})).await["ErrorCode"],
            10007
        );
        server
            .ok(
                CREATE,
                json!({"Type": "Private", "Name": "w", "GroupId": "work",
                "Owner_Account": "boss", "MemberList": [{"Member_Account": "ann"}]}),
            )
            .await;
        assert_eq!(
            bob.request("join_group", json!({"GroupId": "work"})).await["ErrorCode"],
            10007
        );
        boss.ok("quit_group", json!({"GroupId": "work"})).await;
        let info = server.ok(INFO, json!({"GroupIdList": ["work"]})).await;
        assert_eq!(info["GroupInfo"][0]["Owner_Account"], "");
        assert_eq!(info["GroupInfo"][0]["MemberNum"], 1);

        // Public groups: at once with FreeAccess (not past the cap), after approval with
        // NeedPermission (the default), never with DisableApply.
        assert_eq!(
            bob.ok("join_group", json!({"GroupId": "pub"})).await["Pending"],
            1
        );
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "shut", "GroupId": "shut",
                "Owner_Account": "boss", "ApplyJoinOption": "DisableApply"}),
            )
            .await;
        assert_eq!(
            bob.request("join_group", json!({"GroupId": "shut"})).await["ErrorCode"],
            10007
        );
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "open", "GroupId": "open",
                "Owner_Account": "boss", "ApplyJoinOption": "FreeAccess", "MaxMemberCount": 2}),
            )
            .await;
        bob.ok("join_group", json!({"GroupId": "open"})).await;
        receiver.wait_for("Group.CallbackAfterGroupFull", 1).await;
        assert_eq!(
            cat.request("join_group", json!({"GroupId": "open"})).await["ErrorCode"],
            10014
        );
    }
);
