//! Conformance checks for cloud search (`crate::search`): both engines find the same rows.

use serde_json::json;

use super::groups::{apply, member, record};
use super::messages::{c2c, no_outbox};
use super::{ids, import};
use crate::search::{
    FoundMessageKey, GroupSearch, Keywords, MemberSearch, MessageSearch, SearchScope, UserSearch,
};
use crate::{GroupChange, GroupMessage, ProfileValue, Store};

fn any(words: &[&str]) -> Keywords {
    Keywords {
        words: ids(words),
        all: false,
    }
}

fn every(words: &[&str]) -> Keywords {
    Keywords {
        words: ids(words),
        all: true,
    }
}

fn text(t: &str) -> String {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}]).to_string()
}

fn group_msg(seq: u64, from: &str, time: i64, body: String) -> GroupMessage {
    GroupMessage {
        seq,
        random: seq as u32,
        from: from.into(),
        time,
        body,
        priority: 2,
        ..GroupMessage::default()
    }
}

async fn found(store: &dyn Store, app: u64, query: MessageSearch) -> Vec<FoundMessageKey> {
    let user = query.user.clone();
    store
        .search_messages(app, query)
        .await
        .unwrap()
        .iter()
        .map(|m| m.key(&user))
        .collect()
}

fn key(conversation: &str, seq: u64) -> FoundMessageKey {
    (conversation.to_owned(), seq)
}

pub async fn messages_are_found_only_where_the_user_may_read(store: &dyn Store) {
    let app = 1_400_000_950;
    store
        .import_accounts(
            app,
            ["u", "p", "q", "o"].map(|u| import(u, vec![])).to_vec(),
            1,
        )
        .await
        .unwrap();
    let mut sends = vec![
        c2c("p", "u", 1, 1, 100),
        c2c("u", "p", 2, 2, 110),
        c2c("p", "q", 3, 3, 120), // not u's
        c2c("q", "u", 4, 4, 130),
        c2c("p", "u", 5, 5, 140), // recalled below
    ];
    sends[0].body = text("Hello 100% World");
    sends[1].body = text("hello_again");
    sends[2].body = text("hello from elsewhere");
    sends[3].body = json!([{"MsgType": "TIMCustomElem", "MsgContent": {"Data": "HELLO data", "Desc": "", "Ext": ""}}]).to_string();
    sends[4].body = text("hello recalled");
    for m in sends {
        store.send_c2c(app, m, no_outbox()).await.unwrap();
    }
    store
        .c2c_recall(app, "p".into(), "u".into(), (140, 5, 5), 1, no_outbox())
        .await
        .unwrap();
    let gid = "@TGS#search1";
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::PutGroup(Box::new(record(gid, "Public"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::PutMember(member("u", "Member", 100)),
            GroupChange::AddMessage(group_msg(1, "o", 105, text("hello group one"))),
            GroupChange::AddMessage(group_msg(2, "o", 115, text("hello group two"))),
            GroupChange::AddMessage(GroupMessage {
                recipients: ids(&["o"]),
                ..group_msg(3, "o", 125, text("hello only for o"))
            }),
            GroupChange::AddMessage(group_msg(4, "o", 135, json!([{"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1, "Data": "hello face"}}]).to_string())),
            GroupChange::AddMessage(group_msg(5, "u", 145, text("TIMTextElem Text"))),
        ],
    )
    .await;
    // The member deleted message 2 for themselves.
    store
        .hide_group_messages(app, (gid.into(), String::new(), "u".into()), vec![2])
        .await
        .unwrap();
    let search = |keywords: Keywords| MessageSearch {
        user: "u".into(),
        keywords,
        start_time: 0,
        end_time: i64::MAX,
        ..MessageSearch::default()
    };
    let group = |seq| key(&format!("GROUP{gid}"), seq);
    // Newest first; not p-q's, not the recalled one, not the deleted, directed or face ones.
    assert_eq!(
        found(store, app, search(any(&["hello"]))).await,
        vec![key("C2Cq", 4), key("C2Cp", 2), group(1), key("C2Cp", 1)]
    );
    // ASCII case is ignored; `%` and `_` are plain characters.
    assert_eq!(
        found(store, app, search(any(&["100%"]))).await,
        vec![key("C2Cp", 1)]
    );
    assert_eq!(
        found(store, app, search(any(&["o_a"]))).await,
        vec![key("C2Cp", 2)]
    );
    // Keys and types of the body's JSON are not its text.
    assert!(found(store, app, search(any(&["MsgContent"])))
        .await
        .is_empty());
    assert_eq!(
        found(store, app, search(any(&["timtextelem"]))).await,
        vec![group(5)]
    );
    // AND needs every keyword; OR one.
    assert_eq!(
        found(store, app, search(every(&["hello", "world"]))).await,
        vec![key("C2Cp", 1)]
    );
    assert_eq!(
        found(store, app, search(any(&["world", "data"]))).await,
        vec![key("C2Cq", 4), key("C2Cp", 1)]
    );
    // Senders, types, time and conversation.
    let by = MessageSearch {
        senders: ids(&["p", "o"]),
        ..search(Keywords::default())
    };
    assert_eq!(
        found(store, app, by.clone()).await,
        vec![group(1), key("C2Cp", 1)]
    );
    let typed = MessageSearch {
        types: ids(&["TIMCustomElem"]),
        ..search(Keywords::default())
    };
    assert_eq!(found(store, app, typed).await, vec![key("C2Cq", 4)]);
    let timed = MessageSearch {
        start_time: 105,
        end_time: 130,
        ..search(any(&["hello"]))
    };
    assert_eq!(
        found(store, app, timed).await,
        vec![key("C2Cq", 4), key("C2Cp", 2), group(1)]
    );
    let in_p = MessageSearch {
        scope: Some(SearchScope::Peer("p".into())),
        ..search(any(&["hello"]))
    };
    assert_eq!(
        found(store, app, in_p).await,
        vec![key("C2Cp", 2), key("C2Cp", 1)]
    );
    let in_group = MessageSearch {
        scope: Some(SearchScope::Group(gid.into())),
        ..search(any(&["hello"]))
    };
    assert_eq!(found(store, app, in_group).await, vec![group(1)]);
    // The owner sees the directed message and the one u deleted; q sees no group message.
    let owner = MessageSearch {
        user: "o".into(),
        ..search(any(&["hello"]))
    };
    assert_eq!(
        found(store, app, owner).await,
        vec![group(3), group(2), group(1)]
    );
    let q = MessageSearch {
        user: "q".into(),
        ..search(any(&["hello"]))
    };
    assert_eq!(
        found(store, app, q).await,
        vec![key("C2Cu", 4), key("C2Cp", 3)]
    );
    // A cleared history hides what was before the clear, for u only.
    store
        .clear_c2c_history(app, "u".into(), "p".into())
        .await
        .unwrap();
    store
        .clear_group_history(app, gid.into(), "u".into(), 1)
        .await
        .unwrap();
    assert_eq!(
        found(store, app, search(any(&["hello"]))).await,
        vec![key("C2Cq", 4)]
    );
    // Another app sees nothing.
    assert!(found(store, app + 1, search(any(&["hello"])))
        .await
        .is_empty());
}

fn nick(value: &str) -> ProfileValue {
    ProfileValue {
        tag: "Tag_Profile_IM_Nick".into(),
        value: json!(value),
    }
}

pub async fn users_and_groups_are_found_by_id_and_name(store: &dyn Store) {
    let app = 1_400_000_951;
    let gender = |g: &str| ProfileValue {
        tag: "Tag_Profile_IM_Gender".into(),
        value: json!(g),
    };
    let birthday = |b: u64| ProfileValue {
        tag: "Tag_Profile_IM_BirthDay".into(),
        value: json!(b),
    };
    store
        .import_accounts(
            app,
            vec![
                import(
                    "ann",
                    vec![
                        nick("Annie \"A\""),
                        gender("Gender_Type_Female"),
                        birthday(19900101),
                    ],
                ),
                import(
                    "bob",
                    vec![
                        nick("Bobby"),
                        gender("Gender_Type_Male"),
                        birthday(20000101),
                    ],
                ),
                import("anna", vec![]),
                import("Zed", vec![nick("ann's friend")]),
            ],
            1,
        )
        .await
        .unwrap();
    let users = |query: UserSearch| async move { store.search_users(app, query).await.unwrap() };
    let by = |keywords: Keywords| UserSearch {
        keywords,
        ..UserSearch::default()
    };
    // An exact UserID, or part of the nickname (ASCII case ignored); "anna" is no nickname.
    assert_eq!(users(by(any(&["ann"]))).await, ids(&["Zed", "ann"]));
    assert_eq!(users(by(any(&["ANNIE \"a"]))).await, ids(&["ann"]));
    assert_eq!(
        users(by(any(&["bob", "anna"]))).await,
        ids(&["anna", "bob"])
    );
    assert_eq!(users(by(every(&["bob", "bobby"]))).await, ids(&["bob"]));
    assert!(users(by(every(&["bob", "ann"]))).await.is_empty());
    let women = UserSearch {
        gender: Some("Gender_Type_Female".into()),
        ..by(any(&["ann", "bob"]))
    };
    assert_eq!(users(women).await, ids(&["ann"]));
    let born = UserSearch {
        birthday: Some((19950101, 20050101)),
        ..by(any(&["ann", "bob"]))
    };
    assert_eq!(users(born).await, ids(&["bob"]));

    for (gid, kind, name) in [
        ("g-public", "Public", "Chess Club"),
        ("g-work", "Private", "chess at work"),
        ("g-live", "AVChatRoom", "Chess live"),
        ("g-meet", "ChatRoom", "Meeting"),
    ] {
        let mut group = record(gid, kind);
        group.name = name.into();
        apply(
            store,
            app,
            gid,
            vec![
                GroupChange::PutGroup(Box::new(group)),
                GroupChange::PutMember(member("ann", "Owner", 100)),
            ],
        )
        .await;
    }
    let groups = |user: &str, keywords: Keywords, types: &[&str]| {
        let query = GroupSearch {
            user: user.into(),
            keywords,
            types: ids(types),
        };
        async move {
            store
                .search_groups(app, query)
                .await
                .unwrap()
                .into_iter()
                .map(|g| g.group_id)
                .collect::<Vec<_>>()
        }
    };
    // No AVChatRoom; a work group only for its members.
    assert_eq!(
        groups("ann", any(&["CHESS"]), &[]).await,
        ids(&["g-public", "g-work"])
    );
    assert_eq!(
        groups("bob", any(&["chess"]), &[]).await,
        ids(&["g-public"])
    );
    assert_eq!(
        groups("bob", any(&["g-meet", "club"]), &[]).await,
        ids(&["g-meet", "g-public"])
    );
    assert_eq!(
        groups("ann", any(&["chess", "meeting"]), &["Private", "ChatRoom"]).await,
        ids(&["g-meet", "g-work"])
    );
    assert!(groups("bob", any(&["g-live"]), &[]).await.is_empty());
    let found = store
        .search_groups(
            app,
            GroupSearch {
                user: "bob".into(),
                keywords: any(&["g-public"]),
                types: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(found[0].name, "Chess Club");
    assert_eq!(found[0].group_type, "Public");
    assert_eq!(found[0].owner, "o");
}

pub async fn members_are_found_in_the_users_groups(store: &dyn Store) {
    let app = 1_400_000_952;
    store
        .import_accounts(
            app,
            vec![
                import("me", vec![]),
                import("kim", vec![nick("Kimberly")]),
                import("lee", vec![nick("Lee")]),
            ],
            1,
        )
        .await
        .unwrap();
    let mut carded = member("lee", "Member", 100);
    carded.name_card = "Captain Kim".into();
    for (gid, kind, members) in [
        (
            "g1",
            "Public",
            vec![member("me", "Owner", 100), member("kim", "Member", 100)],
        ),
        ("g2", "Private", vec![member("me", "Member", 100), carded]),
        ("g3", "Public", vec![member("kim", "Owner", 100)]),
        (
            "g4",
            "AVChatRoom",
            vec![member("me", "Member", 100), member("kim", "Member", 100)],
        ),
    ] {
        let mut changes = vec![GroupChange::PutGroup(Box::new(record(gid, kind)))];
        changes.extend(members.into_iter().map(GroupChange::PutMember));
        apply(store, app, gid, changes).await;
    }
    let search = |keywords: Keywords, groups: &[&str], types: &[&str]| {
        let query = MemberSearch {
            user: "me".into(),
            keywords,
            group_ids: ids(groups),
            types: ids(types),
        };
        async move {
            store
                .search_group_members(app, query)
                .await
                .unwrap()
                .into_iter()
                .map(|m| (m.group_id, m.user_id, m.nick, m.name_card))
                .collect::<Vec<_>>()
        }
    };
    let row = |g: &str, u: &str, n: &str, c: &str| (g.into(), u.into(), n.into(), c.into());
    // By nickname or name card; not in g3 (not the user's) nor g4 (an AVChatRoom).
    assert_eq!(
        search(any(&["kim"]), &[], &[]).await,
        vec![
            row("g1", "kim", "Kimberly", ""),
            row("g2", "lee", "Lee", "Captain Kim")
        ]
    );
    assert_eq!(
        search(any(&["kim"]), &["g2", "g3"], &[]).await,
        vec![row("g2", "lee", "Lee", "Captain Kim")]
    );
    assert_eq!(
        search(any(&["kim"]), &[], &["Public"]).await,
        vec![row("g1", "kim", "Kimberly", "")]
    );
    assert_eq!(
        search(every(&["captain", "lee"]), &[], &[]).await,
        vec![row("g2", "lee", "Lee", "Captain Kim")]
    );
    assert_eq!(
        search(any(&["me"]), &[], &[]).await,
        vec![row("g1", "me", "", ""), row("g2", "me", "", "")]
    );
}
