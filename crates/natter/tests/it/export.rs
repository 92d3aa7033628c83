//! Export and import of apps (`natter export`/`import`, `serve --import`, `--export-on-exit`) and
//! snapshots (`/_natter/snapshots`): the state moves whole, and every read answers the same.

use std::io::Read;
use std::path::Path;

use natter_store::dump::ImportOptions;
use serde_json::{json, Value};

use crate::harness::{Engine, TestServer, APP, OTHER_APP};
use crate::on_both_engines;

fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

/// Fills the default app through the REST API: accounts with profiles, friends and a
/// blocklist, a group with members and messages (one recalled), one-to-one messages both ways
/// with a read position, a conversation mark; and an account of the other app.
async fn fill(server: &TestServer) {
    let users = ["ann", "bob", "cid", "dee"];
    let items: Vec<Value> = users.iter().map(|u| json!(u)).collect();
    server
        .ok(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": items}),
        )
        .await;
    server
        .ok(
            "profile/portrait_set",
            json!({"From_Account": "ann", "ProfileItem": [
                {"Tag": "Tag_Profile_IM_Nick", "Value": "Ann ☃"},
                {"Tag": "Tag_Profile_Custom_Hobby", "Value": "chess"}]}),
        )
        .await;
    server
        .ok(
            "sns/friend_add",
            json!({"From_Account": "ann", "AddFriendItem": [
                {"To_Account": "bob", "AddSource": "AddSource_Type_Test", "Remark": "B"},
                {"To_Account": "cid", "AddSource": "AddSource_Type_Test"}]}),
        )
        .await;
    server
        .ok(
            "sns/black_list_add",
            json!({"From_Account": "dee", "To_Account": ["ann"]}),
        )
        .await;
    server
        .ok(
            "group_open_http_svc/create_group",
            json!({"Owner_Account": "ann", "Type": "Public", "Name": "Club", "GroupId": "club",
                   "ApplyJoinOption": "FreeAccess",
                   "MemberList": [{"Member_Account": "bob"}, {"Member_Account": "cid"}]}),
        )
        .await;
    for (i, from) in ["ann", "bob", "cid", "ann"].iter().enumerate() {
        server
            .ok(
                "group_open_http_svc/send_group_msg",
                json!({"GroupId": "club", "From_Account": from, "Random": 100 + i,
                       "MsgBody": text(&format!("g{i}"))}),
            )
            .await;
    }
    server
        .ok(
            "group_open_http_svc/group_msg_recall",
            json!({"GroupId": "club", "MsgSeqList": [{"MsgSeq": 2}]}),
        )
        .await;
    for (i, (from, to)) in [
        ("ann", "bob"),
        ("bob", "ann"),
        ("ann", "bob"),
        ("cid", "ann"),
    ]
    .iter()
    .enumerate()
    {
        server
            .ok(
                "openim/sendmsg",
                json!({"From_Account": from, "To_Account": to, "MsgRandom": 10 + i,
                       "SupportMessageExtension": 1, "MsgBody": text(&format!("c{i}"))}),
            )
            .await;
    }
    server
        .ok(
            "openim/admin_set_msg_read",
            json!({"Report_Account": "bob", "Peer_Account": "ann"}),
        )
        .await;
    server
        .ok(
            "recentcontact/mark_contact",
            json!({"From_Account": "ann", "MarkItem": [{"OptType": 1, "ContactItem":
                   {"Type": 1, "To_Account": "bob"}, "SetMark": [1]}]}),
        )
        .await;
    server
        .call_with_query(
            "im_open_login_svc/account_import",
            &server.admin_query_for(OTHER_APP),
            json!({"UserID": "other_one"}).to_string(),
        )
        .await;
}

/// The replies of a fixed set of read APIs (the reply's own time fields left as they are: the
/// stored times must move too).
async fn reads(server: &TestServer) -> Vec<Value> {
    let calls = [
        (
            "profile/portrait_get",
            json!({"To_Account": ["ann", "bob", "cid", "dee"], "TagList":
                   ["Tag_Profile_IM_Nick", "Tag_Profile_Custom_Hobby"]}),
        ),
        (
            "sns/friend_get",
            json!({"From_Account": "ann", "StartIndex": 0}),
        ),
        (
            "sns/friend_get",
            json!({"From_Account": "bob", "StartIndex": 0}),
        ),
        (
            "sns/black_list_get",
            json!({"From_Account": "dee", "StartIndex": 0, "MaxLimited": 10, "LastSequence": 0}),
        ),
        (
            "group_open_http_svc/get_group_info",
            json!({"GroupIdList": ["club"]}),
        ),
        (
            "group_open_http_svc/get_group_member_info",
            json!({"GroupId": "club", "Limit": 100}),
        ),
        (
            "group_open_http_svc/get_joined_group_list",
            json!({"Member_Account": "bob", "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum", "MsgSeq"]}}),
        ),
        (
            "group_open_http_svc/group_msg_get_simple",
            json!({"GroupId": "club", "ReqMsgNumber": 20}),
        ),
        (
            "openim/admin_getroammsg",
            json!({"Operator_Account": "ann", "Peer_Account": "bob", "MaxCnt": 100,
                   "MinTime": 0, "MaxTime": 4_000_000_000u64}),
        ),
        (
            "recentcontact/get_list",
            json!({"From_Account": "ann", "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0,
                   "TopStartIndex": 0, "AssistFlags": 15}),
        ),
        (
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": "ann", "Peer_Account": ["bob", "cid"]}),
        ),
        (
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": "bob", "Peer_Account": ["ann"]}),
        ),
    ];
    let mut out = Vec::new();
    for (api, body) in calls {
        let reply = server.ok(api, body).await;
        out.push(json!({ "api": api, "reply": reply }));
    }
    out
}

/// An export's records after its header (which names the engine and the time).
fn records(path: &Path) -> Vec<Value> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn header(path: &Path) -> Value {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

async fn export(server: &TestServer, path: &Path) -> u64 {
    natter::transfer::export_to(
        server.services().store.clone(),
        vec![APP, OTHER_APP],
        path,
        None,
    )
    .await
    .unwrap()
}

/// SQLite → file → PostgreSQL (`serve --import`) → file → SQLite (an import into a running
/// server): the files hold the same rows and every read answers the same at each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_postgres),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
)]
async fn state_moves_between_engines_and_reads_the_same() {
    let files = tempfile::tempdir().unwrap();
    let (first, second) = (
        files.path().join("one.ndjson.gz"),
        files.path().join("two.ndjson.gz"),
    );
    let source = TestServer::start(Engine::Sqlite).await;
    fill(&source).await;
    let before = reads(&source).await;
    let rows = export(&source, &first).await;
    assert!(rows > 30, "{rows} rows");
    assert_eq!(header(&first)["engine"], "sqlite");
    assert_eq!(header(&first)["version"], 1);
    assert_eq!(header(&first)["apps"], json!([APP, OTHER_APP]));

    let path = first.clone();
    let cluster = TestServer::start_with(Engine::Postgres, move |config| {
        config.import = Some(path);
    })
    .await;
    assert_eq!(
        reads(&cluster).await,
        before,
        "PostgreSQL answers as SQLite did"
    );
    export(&cluster, &second).await;
    assert_eq!(header(&second)["engine"], "postgres");
    assert!(
        records(&first) == records(&second),
        "the same rows, ids and times"
    );

    // Back into a running SQLite server, whose apps hold only their admin accounts.
    let back = TestServer::start(Engine::Sqlite).await;
    let done = natter::transfer::import_from(
        back.services().store.clone(),
        &back.config,
        &second,
        &[],
        false,
        None,
    )
    .await
    .unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(reads(&back).await, before, "SQLite answers as before");
    let third = files.path().join("three.ndjson.gz");
    export(&back, &third).await;
    assert!(records(&first) == records(&third));
    // Sequences go on where they were: the next group message is 5, the next C2C send works.
    let sent = back
        .ok(
            "group_open_http_svc/send_group_msg",
            json!({"GroupId": "club", "From_Account": "bob", "Random": 999, "MsgBody": text("after")}),
        )
        .await;
    assert_eq!(sent["MsgSeq"], 5, "{sent}");
    let sent = cluster
        .ok(
            "group_open_http_svc/send_group_msg",
            json!({"GroupId": "club", "From_Account": "bob", "Random": 999, "MsgBody": text("after")}),
        )
        .await;
    assert_eq!(sent["MsgSeq"], 5, "{sent}");
    cluster
        .ok(
            "openim/sendmsg",
            json!({"From_Account": "dee", "To_Account": "cid", "MsgRandom": 1, "MsgBody": text("new")}),
        )
        .await;
}

on_both_engines!(
    imports_refuse_what_they_cannot_take_whole,
    |server: TestServer| async move {
        let files = tempfile::tempdir().unwrap();
        let path = files.path().join("app.ndjson.gz");
        fill(&server).await;
        export(&server, &path).await;
        let store = server.services().store.clone();
        // The apps hold data: refused, naming the way out, and nothing changed.
        let err =
            natter::transfer::import_from(store.clone(), &server.config, &path, &[], false, None)
                .await
                .unwrap_err();
        assert!(format!("{err:#}").contains("--replace"), "{err:#}");
        // An app the file does not hold.
        let err =
            natter::transfer::import_from(store.clone(), &server.config, &path, &[42], false, None)
                .await
                .unwrap_err();
        assert!(format!("{err:#}").contains("holds no app 42"), "{err:#}");
        // A newer format.
        let newer = files.path().join("newer.ndjson.gz");
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&newer).unwrap(),
            flate2::Compression::fast(),
        );
        std::io::Write::write_all(
        &mut gz,
        b"{\"format\":\"natter-export\",\"version\":99,\"engine\":\"sqlite\",\"natter\":\"9.0.0\",\"created_ms\":1,\"apps\":[1400000000]}\n",
    )
    .unwrap();
        gz.finish().unwrap();
        let err =
            natter::transfer::import_from(store.clone(), &server.config, &newer, &[], true, None)
                .await
                .unwrap_err();
        assert!(format!("{err:#}").contains("format version 99"), "{err:#}");
        // A cut file: its apps before the cut may be in, the one cut is not.
        let cut = files.path().join("cut.ndjson.gz");
        let mut lines = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut lines)
            .unwrap();
        let keep: Vec<&str> = lines.lines().take(30).collect();
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&cut).unwrap(),
            flate2::Compression::fast(),
        );
        std::io::Write::write_all(&mut gz, (keep.join("\n") + "\n").as_bytes()).unwrap();
        gz.finish().unwrap();
        let before = reads(&server).await;
        let err =
            natter::transfer::import_from(store.clone(), &server.config, &cut, &[APP], true, None)
                .await
                .unwrap_err();
        assert!(format!("{err:#}").contains("cut short"), "{err:#}");
        assert_eq!(reads(&server).await, before, "a cut import changes nothing");
        // With --replace the app takes the file whole, and what came after the export goes.
        server
            .ok(
                "im_open_login_svc/account_import",
                json!({"UserID": "late"}),
            )
            .await;
        natter::transfer::import_from(store.clone(), &server.config, &path, &[APP], true, None)
            .await
            .unwrap();
        let check = server
            .ok(
                "im_open_login_svc/account_check",
                json!({"CheckItem": [{"UserID": "late"}, {"UserID": "ann"}]}),
            )
            .await;
        assert_eq!(
            check["ResultItem"][0]["AccountStatus"], "NotImported",
            "{check}"
        );
        assert_eq!(
            check["ResultItem"][1]["AccountStatus"], "Imported",
            "{check}"
        );
        let _ = ImportOptions::default();
    }
);

on_both_engines!(
    snapshots_save_and_restore_an_app,
    |server: TestServer| async move {
        use reqwest::Method;
        fill(&server).await;
        let before = reads(&server).await;
        let saved = server
            .control(Method::POST, "/_natter/snapshots/save", None)
            .await;
        assert_eq!(saved["ErrorCode"], 60003, "a name is needed: {saved}");
        let query = server.admin_query();
        let post = |path: &str, name: &str| {
            server
                .client
                .post(format!("{}{path}?{query}&name={name}", server.base))
                .send()
        };
        let saved: Value = post("/_natter/snapshots/save", "seed")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(saved["ActionStatus"], "OK", "{saved}");
        assert!(saved["rows"].as_u64().unwrap() > 20, "{saved}");
        let bad: Value = post("/_natter/snapshots/save", "no/slash")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(bad["ErrorCode"], 60003, "{bad}");
        // Change things: new messages, a deleted account, a left group.
        server
        .ok(
            "openim/sendmsg",
            json!({"From_Account": "bob", "To_Account": "ann", "MsgRandom": 77, "MsgBody": text("later")}),
        )
        .await;
        server
            .ok(
                "im_open_login_svc/account_delete",
                json!({"DeleteItem": [{"UserID": "cid"}]}),
            )
            .await;
        assert_ne!(reads(&server).await, before);
        let restored: Value = post("/_natter/snapshots/restore", "seed")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(restored["ActionStatus"], "OK", "{restored}");
        assert_eq!(restored["rows"], saved["rows"], "{restored}");
        assert_eq!(
            reads(&server).await,
            before,
            "the state of the snapshot, read for read"
        );
        // Again, from the same seed.
        server
            .ok(
                "im_open_login_svc/account_delete",
                json!({"DeleteItem": [{"UserID": "ann"}]}),
            )
            .await;
        post("/_natter/snapshots/restore", "seed").await.unwrap();
        assert_eq!(reads(&server).await, before);
        // A reset keeps snapshots; the other app does not see them.
        server.control(Method::POST, "/_natter/reset", None).await;
        let list = server
            .control(Method::GET, "/_natter/snapshots", None)
            .await;
        assert_eq!(list["snapshots"][0]["name"], "seed", "{list}");
        let other: Value = server
            .client
            .get(format!(
                "{}/_natter/snapshots?{}",
                server.base,
                server.admin_query_for(OTHER_APP)
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(other["snapshots"], json!([]), "{other}");
        let missing: Value = post("/_natter/snapshots/restore", "nope")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(missing["ErrorCode"], 60003, "{missing}");
        assert!(
            missing["ErrorInfo"]
                .as_str()
                .unwrap()
                .contains("no snapshot"),
            "{missing}"
        );
        let deleted: Value = post("/_natter/snapshots/delete", "seed")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(deleted["deleted"], true, "{deleted}");
        // Without an admin UserSig: refused.
        let anonymous: Value = server
            .client
            .get(format!("{}/_natter/snapshots", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(anonymous["ErrorCode"], 60012, "{anonymous}");
    }
);

/// The binary: `--export-on-exit` on SIGTERM, `natter export`, `natter import` (refusing a full
/// app, then `--replace`), and `serve --import`, all on data directories of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_exports_imports_and_seeds() {
    use crate::binary::{call, serve, terminate, BIN};
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let key = ["--secret-key", "export-test-key"];
    let (d1, on_exit, exported) = (at("d1"), at("exit.ndjson.gz"), at("cli.ndjson.gz"));
    let (child, banner) = serve(
        &[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &d1,
            "--export-on-exit",
            &on_exit,
            key[0],
            key[1],
        ],
        &[],
    )
    .await;
    let client = reqwest::Client::new();
    let made = call(
        &client,
        &banner,
        "im_open_login_svc/account_import",
        json!({"UserID": "carol"}),
    )
    .await;
    assert_eq!(made["ErrorCode"], 0, "{made}");
    assert!(terminate(child).await.success());
    assert_eq!(header(Path::new(&on_exit))["apps"], json!([APP]));
    let cli = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .env_remove("NATTER_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = cli(&["export", &exported, "--data-dir", &d1, key[0], key[1]]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(records(Path::new(&exported)) == records(Path::new(&on_exit)));
    let d2 = at("d2");
    let out = cli(&["import", &exported, "--data-dir", &d2, key[0], key[1]]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["import", &exported, "--data-dir", &d2, key[0], key[1]]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("not empty") && said.contains("--replace"),
        "{said}"
    );
    let out = cli(&[
        "import",
        &exported,
        "--replace",
        "--data-dir",
        &d2,
        key[0],
        key[1],
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&[
        "import",
        &at("missing.gz"),
        "--data-dir",
        &d2,
        key[0],
        key[1],
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.gz"));
    // A seeded start: the account is there.
    let d3 = at("d3");
    let (child, banner) = serve(
        &[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &d3,
            "--import",
            &on_exit,
            key[0],
            key[1],
        ],
        &[],
    )
    .await;
    let check = call(
        &client,
        &banner,
        "im_open_login_svc/account_check",
        json!({"CheckItem": [{"UserID": "carol"}]}),
    )
    .await;
    assert_eq!(
        check["ResultItem"][0]["AccountStatus"], "Imported",
        "{check}"
    );
    assert!(terminate(child).await.success());
}
