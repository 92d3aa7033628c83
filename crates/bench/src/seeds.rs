//! The data the REST scenarios read: a long conversation, a user with many friends, groups
//! with many members; each seeding returns the scenarios that load it.

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::wrk::Scenario;
use crate::{import_accounts, post, public_group};

/// Sends `count` messages between `hist0` and `hist1` (both directions) and returns the
/// position (MsgTime, MsgKey) of one of the first 100, to page from near the oldest.
pub(crate) async fn seed_conversation(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    count: usize,
) -> anyhow::Result<(i64, String)> {
    post(
        client,
        base,
        query,
        "im_open_login_svc/multiaccount_import",
        &json!({"Accounts": ["hist0", "hist1"]}),
    )
    .await?;
    let started = std::time::Instant::now();
    let workers = 32;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (client, base, query) = (client.clone(), base.to_owned(), query.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut early = None;
            for i in (worker..count).step_by(workers) {
                let (from, to) = if i % 2 == 0 { ("hist0", "hist1") } else { ("hist1", "hist0") };
                let body = json!({"From_Account": from, "To_Account": to, "MsgRandom": i, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("history {i}")}}]});
                let reply = post(&client, &base, &query, "openim/sendmsg", &body).await?;
                if i < 100 && early.is_none() {
                    early = Some((reply["MsgTime"].as_i64().unwrap_or(0), reply["MsgKey"].as_str().unwrap_or_default().to_owned()));
                }
            }
            Ok::<_, anyhow::Error>(early)
        }));
    }
    let mut early = None;
    for task in tasks {
        if let Some(found) = task.await?? {
            early.get_or_insert(found);
        }
    }
    eprintln!(
        "seeded {count} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    early.context("no early message")
}

/// Gives `hub` 3,000 friends (imported) and returns the friends scenarios: `friend_check` of
/// 1,000 accounts (half of them friends) and `friend_get` of a random one of its six pages.
pub(crate) async fn seed_friends(
    client: &reqwest::Client,
    base: &str,
    query: &str,
) -> anyhow::Result<Vec<Scenario>> {
    let ids: Vec<String> = (0..3500).map(|i| format!("fr{i:04}")).collect();
    let mut all = ids.clone();
    all.push("hub".into());
    import_accounts(client, base, query, &all).await?;
    for chunk in ids[..3000].chunks(1000) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|id| json!({"To_Account": id, "AddSource": "AddSource_Type_Bench", "Remark": format!("remark of {id}"), "GroupName": ["bench"]}))
            .collect();
        let reply = post(
            client,
            base,
            query,
            "sns/friend_import",
            &json!({"From_Account": "hub", "AddFriendItem": items}),
        )
        .await?;
        if reply.get("Fail_Account").is_some() {
            bail!("friend_import failed: {reply}");
        }
    }
    let check = json!({"From_Account": "hub", "To_Account": &ids[2500..3500], "CheckType": "CheckResult_Type_Both"});
    Ok(vec![
        Scenario {
            label: "`sns/friend_check` 1,000 accounts, user with 3,000 friends".into(),
            api: "sns/friend_check",
            body: format!("[[{check}]]"),
        },
        Scenario {
            label: "`sns/friend_get` one 500-friend page of 3,000".into(),
            api: "sns/friend_get",
            body: r#"'{"From_Account":"hub","StartIndex":' .. (math.random(0, 5) * 500) .. '}'"#
                .into(),
        },
    ])
}

/// Groups of 3, 600 and 6,000 members (all with `gowner`), and `joiner` in 1,000 groups; returns
/// the groups scenarios.
pub(crate) async fn seed_groups(
    client: &reqwest::Client,
    base: &str,
    query: &str,
) -> anyhow::Result<Vec<Scenario>> {
    let started = std::time::Instant::now();
    let members: Vec<String> = (0..6000).map(|i| format!("gm{i:04}")).collect();
    let mut all = members.clone();
    all.extend(["gowner".to_owned(), "joiner".to_owned()]);
    import_accounts(client, base, query, &all).await?;
    for (id, size) in [("g3", 3usize), ("g600", 600), ("g6000", 6000)] {
        public_group(client, base, query, id, "gowner", &members[..size - 1]).await?;
    }
    // A topic-enabled community with one topic, for sends into a topic.
    post(
        client,
        base,
        query,
        "group_open_http_svc/create_group",
        &json!({"Type": "Community", "Name": "c", "GroupId": "@TGS#_bench", "SupportTopic": 1,
            "Owner_Account": "gowner"}),
    )
    .await?;
    post(
        client,
        base,
        query,
        "million_group_open_http_svc/create_topic",
        &json!({"GroupId": "@TGS#_bench", "TopicId": "@TGS#_bench@TOPIC#_t", "TopicName": "t"}),
    )
    .await?;
    let workers = 16;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (client, base, query) = (client.clone(), base.to_owned(), query.to_owned());
        tasks.push(tokio::spawn(async move {
            for i in (worker..1000).step_by(workers) {
                post(
                    &client,
                    &base,
                    &query,
                    "group_open_http_svc/create_group",
                    &json!({"Type": "Public", "Name": format!("j{i}"), "GroupId": format!("j{i:04}"), "Owner_Account": "joiner"}),
                )
                .await?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    eprintln!("seeded groups in {:.1} s", started.elapsed().as_secs_f64());
    let send = |group: &str| Scenario {
        label: format!("`group_open_http_svc/send_group_msg` into {group}"),
        api: "group_open_http_svc/send_group_msg",
        body: format!(
            r#"'{{"GroupId":"{group}","From_Account":"gowner","Random":' .. n .. ',"MsgBody":[{{"MsgType":"TIMTextElem","MsgContent":{{"Text":"hello ' .. n .. '"}}}}]}}'"#
        ),
    };
    Ok(vec![
        send("g3"),
        send("g600"),
        send("g6000"),
        Scenario {
            label: "`group_open_http_svc/send_group_msg` into a community topic".into(),
            api: "group_open_http_svc/send_group_msg",
            body: r#"'{"GroupId":"@TGS#_bench","TopicId":"@TGS#_bench@TOPIC#_t","From_Account":"gowner","Random":' .. n .. ',"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello ' .. n .. '"}}]}'"#.into(),
        },
        Scenario {
            label: "`group_open_http_svc/get_group_member_info` one 500-member page of 6,000".into(),
            api: "group_open_http_svc/get_group_member_info",
            body: r#"'{"GroupId":"g6000","Limit":500,"Offset":' .. (math.random(0, 11) * 500) .. '}'"#.into(),
        },
        Scenario {
            label: "`group_open_http_svc/get_joined_group_list` user in 1,000 groups".into(),
            api: "group_open_http_svc/get_joined_group_list",
            body: r#"'{"Member_Account":"joiner","ResponseFilter":{"GroupBaseInfoFilter":["Name","Type"],"SelfInfoFilter":["Role","UnreadMsgNum"]}}'"#.into(),
        },
    ])
}
