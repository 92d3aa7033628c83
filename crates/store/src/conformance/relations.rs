//! Conformance checks for the relationship chain: snapshots, edits, pages, and clean-up.

use std::sync::Arc;

use serde_json::json;

use super::outbox::{claim_all, drain, event};
use super::{ids, import};
use crate::{
    BlockedAccount, Friend, FriendRequest, ProfileValue, RelationChange, RelationPlan,
    RelationScope, RelationSequences, SequenceKind, Store,
};

fn friend(peer: &str, groups: &[&str]) -> Friend {
    Friend {
        peer: peer.into(),
        remark: format!("about {peer}"),
        groups: ids(groups),
        add_source: "AddSource_Type_Test".into(),
        add_wording: "hi".into(),
        add_time: 1_700_000_000,
        remark_time: 0,
        custom: vec![
            ("Tag_SNS_Custom_X".into(), json!("v")),
            ("Tag_SNS_Custom_N".into(), json!(3)),
        ],
    }
}

fn put(owner: &str, f: Friend) -> RelationChange {
    RelationChange::PutFriend {
        owner: owner.into(),
        friend: f,
    }
}

fn bump(owner: &str, kind: SequenceKind) -> RelationChange {
    RelationChange::Bump {
        owner: owner.into(),
        kind,
    }
}

async fn apply(store: &dyn Store, app: u64, owner: &str, changes: Vec<RelationChange>) {
    store
        .edit_relations(
            app,
            owner.into(),
            RelationScope::Owner,
            1,
            Box::new(move |_| RelationPlan {
                changes,
                ..RelationPlan::default()
            }),
        )
        .await
        .unwrap();
}

async fn setup_accounts(store: &dyn Store, app: u64, users: &[&str]) {
    store
        .import_accounts(app, users.iter().map(|u| import(u, vec![])).collect(), 1)
        .await
        .unwrap();
}

pub async fn snapshots_see_both_directions(store: &dyn Store) {
    let app = 1_400_000_130;
    setup_accounts(store, app, &["a", "b", "c"]).await;
    store
        .set_profile(
            app,
            "b".into(),
            vec![ProfileValue::new(
                "Tag_Profile_IM_AllowType",
                "AllowType_Type_AllowAny",
            )],
            1,
            vec![],
        )
        .await
        .unwrap();
    apply(
        store,
        app,
        "a",
        vec![
            put("a", friend("b", &["team"])),
            put("b", friend("a", &[])),
            put("c", friend("a", &[])),
            RelationChange::PutBlock {
                owner: "c".into(),
                peer: "a".into(),
                at: 5,
            },
            RelationChange::PutRequest(FriendRequest {
                requester: "a".into(),
                target: "c".into(),
                add_type: "Add_Type_Both".into(),
                created: 9,
                ..FriendRequest::default()
            }),
            RelationChange::PutList {
                owner: "a".into(),
                name: "team".into(),
            },
            RelationChange::PutList {
                owner: "a".into(),
                name: "later".into(),
            },
            bump("a", SequenceKind::Friends),
            bump("a", SequenceKind::Friends),
            bump("a", SequenceKind::Lists),
        ],
    )
    .await;
    let rel = store
        .relations(
            app,
            "a".into(),
            RelationScope::PeersAndCounts(ids(&["b", "c", "ghost", "b"])),
        )
        .await
        .unwrap();
    assert!(rel.owner_exists);
    assert_eq!(rel.friend_count, 1);
    assert_eq!(rel.blocklist_count, 0);
    assert_eq!(
        rel.lists,
        ["team", "later"],
        "lists keep their creation order"
    );
    assert_eq!(
        rel.sequences,
        RelationSequences {
            friends: 2,
            custom: 0,
            lists: 1,
            blocklist: 0
        }
    );
    let b = &rel.peers["b"];
    assert!(b.exists && b.reverse_friend);
    assert_eq!(
        b.friend.as_ref(),
        Some(&friend("b", &["team"])),
        "rows round-trip"
    );
    assert_eq!(b.allow_type.as_deref(), Some("AllowType_Type_AllowAny"));
    assert_eq!(b.friend_count, 1);
    let c = &rel.peers["c"];
    assert!(c.friend.is_none() && c.reverse_friend && c.blocked_by_peer);
    assert_eq!(c.blocked_at, None);
    assert_eq!(c.request_to_peer.as_ref().map(|r| r.created), Some(9));
    assert!(c.request_from_peer.is_none());
    assert!(!rel.peers["ghost"].exists);
    assert_eq!(rel.peers.len(), 3);
    // The other side of the same rows.
    let from_c = store
        .relations(app, "c".into(), RelationScope::Peers(ids(&["a"])))
        .await
        .unwrap();
    let a = &from_c.peers["a"];
    assert_eq!(a.friend_count, 0, "counts are loaded only when asked for");
    assert_eq!(a.blocked_at, Some(5));
    assert!(a.request_from_peer.is_some() && a.friend.is_some() && !a.reverse_friend);
    let all = store
        .relations(app, "a".into(), RelationScope::AllFriends)
        .await
        .unwrap();
    assert_eq!(all.friend_order, ["b"]);
    let missing = store
        .relations(app, "nobody".into(), RelationScope::Owner)
        .await
        .unwrap();
    assert!(!missing.owner_exists);
}

pub async fn edits_write_everything_or_nothing(store: &dyn Store) {
    let app = 1_400_000_131;
    drain(store, 1_000_000).await;
    setup_accounts(store, app, &["a", "b"]).await;
    let refused = store
        .edit_relations(
            app,
            "a".into(),
            RelationScope::Peers(ids(&["b"])),
            1,
            Box::new(|rel| {
                assert!(rel.peers["b"].exists);
                RelationPlan {
                    changes: vec![put("a", friend("b", &[])), bump("a", SequenceKind::Friends)],
                    outbox: vec![event("Sns.CallbackFriendAdd", "sns:a", "refused")],
                    results: vec![],
                    refusal: Some((30001, "no".into())),
                }
            }),
        )
        .await
        .unwrap();
    assert_eq!(refused.refusal, Some((30001, "no".into())));
    assert!(!refused.wrote_outbox);
    let rel = store
        .relations(app, "a".into(), RelationScope::Peers(ids(&["b"])))
        .await
        .unwrap();
    assert!(
        rel.peers["b"].friend.is_none(),
        "a refused plan writes nothing"
    );
    assert_eq!(rel.sequences.friends, 0);
    assert!(claim_all(store, 1_000_000).await.is_empty());

    let done = store
        .edit_relations(
            app,
            "a".into(),
            RelationScope::Peers(ids(&["b"])),
            1,
            Box::new(|_| RelationPlan {
                changes: vec![
                    put("a", friend("b", &[])),
                    bump("a", SequenceKind::Friends),
                    bump("a", SequenceKind::Custom),
                ],
                outbox: vec![event("Sns.CallbackFriendAdd", "sns:a", "added")],
                results: vec![crate::ItemResult {
                    item: "b".into(),
                    code: 0,
                    info: String::new(),
                }],
                refusal: None,
            }),
        )
        .await
        .unwrap();
    assert!(done.wrote_outbox);
    assert_eq!(done.sequences.friends, 1);
    assert_eq!(done.sequences.custom, 1);
    assert_eq!(done.results.len(), 1);
    assert_eq!(
        claim_all(store, 1_000_000).await,
        vec![(app, "added".to_owned())]
    );
    drain(store, 10_000_000).await;

    // Upserts replace a row; deletes remove it.
    let mut changed = friend("b", &["x"]);
    changed.remark = "new".into();
    apply(store, app, "a", vec![put("a", changed.clone())]).await;
    let rel = store
        .relations(app, "a".into(), RelationScope::Peers(ids(&["b"])))
        .await
        .unwrap();
    assert_eq!(rel.peers["b"].friend.as_ref(), Some(&changed));
    apply(
        store,
        app,
        "a",
        vec![
            RelationChange::DeleteFriend {
                owner: "a".into(),
                peer: "b".into(),
            },
            RelationChange::PutList {
                owner: "a".into(),
                name: "x".into(),
            },
            RelationChange::DeleteList {
                owner: "a".into(),
                name: "x".into(),
            },
        ],
    )
    .await;
    let rel = store
        .relations(app, "a".into(), RelationScope::Peers(ids(&["b"])))
        .await
        .unwrap();
    assert!(rel.peers["b"].friend.is_none());
    assert!(rel.lists.is_empty());
}

pub async fn pages_walk_by_user_id(store: &dyn Store) {
    let app = 1_400_000_132;
    let peers: Vec<String> = (0..7).map(|i| format!("p{i}")).collect();
    let mut changes: Vec<RelationChange> = peers
        .iter()
        .rev()
        .map(|p| put("o", friend(p, &[])))
        .collect();
    for (i, p) in peers.iter().enumerate() {
        changes.push(RelationChange::PutBlock {
            owner: "o".into(),
            peer: p.clone(),
            at: 100 + i as i64,
        });
    }
    changes.push(bump("o", SequenceKind::Blocklist));
    apply(store, app, "o", changes).await;
    let first = store.friends_page(app, "o".into(), 0, 3).await.unwrap();
    assert_eq!(first.total, 7);
    let names: Vec<&str> = first.items.iter().map(|f| f.peer.as_str()).collect();
    assert_eq!(names, ["p0", "p1", "p2"]);
    assert_eq!(first.items[0], friend("p0", &[]));
    let last = store.friends_page(app, "o".into(), 6, 3).await.unwrap();
    assert_eq!(last.items.len(), 1);
    let blocks = store.blocklist_page(app, "o".into(), 5, 10).await.unwrap();
    assert_eq!(
        blocks.items,
        [
            BlockedAccount {
                peer: "p5".into(),
                at: 105
            },
            BlockedAccount {
                peer: "p6".into(),
                at: 106
            }
        ]
    );
    assert_eq!(blocks.total, 7);
    assert_eq!(blocks.sequences.blocklist, 1);
}

fn request(requester: &str, target: &str, created: i64) -> FriendRequest {
    FriendRequest {
        requester: requester.into(),
        target: target.into(),
        add_source: "AddSource_Type_Test".into(),
        remark: format!("{target} from {requester}"),
        group_name: "mates".into(),
        add_wording: "hello".into(),
        add_type: "Add_Type_Both".into(),
        created,
    }
}

pub async fn pending_requests_list_both_directions(store: &dyn Store) {
    let app = 1_400_000_135;
    setup_accounts(store, app, &["me", "in1", "in2", "out", "other"]).await;
    apply(
        store,
        app,
        "me",
        vec![
            RelationChange::PutRequest(request("in1", "me", 10)),
            RelationChange::PutRequest(request("in2", "me", 30)),
            RelationChange::PutRequest(request("me", "out", 20)),
            RelationChange::PutRequest(request("in1", "other", 40)),
        ],
    )
    .await;
    let mine = store.friend_requests(app, "me".into()).await.unwrap();
    assert_eq!(
        mine,
        [
            request("in2", "me", 30),
            request("me", "out", 20),
            request("in1", "me", 10)
        ]
    );
    let theirs = store.friend_requests(app, "in1".into()).await.unwrap();
    let pairs: Vec<(&str, &str)> = theirs
        .iter()
        .map(|r| (r.requester.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(pairs, [("in1", "other"), ("in1", "me")]);
    apply(
        store,
        app,
        "me",
        vec![RelationChange::DeleteRequest {
            requester: "in2".into(),
            target: "me".into(),
        }],
    )
    .await;
    let mine = store.friend_requests(app, "me".into()).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert!(store
        .friend_requests(app, "nobody".into())
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .friend_requests(1_400_000_136, "me".into())
        .await
        .unwrap()
        .is_empty());
}

pub async fn deleting_an_account_removes_its_relations(store: &dyn Store) {
    let app = 1_400_000_133;
    setup_accounts(store, app, &["keep", "gone"]).await;
    apply(
        store,
        app,
        "keep",
        vec![
            put("keep", friend("gone", &[])),
            put("gone", friend("keep", &[])),
            RelationChange::PutBlock {
                owner: "gone".into(),
                peer: "keep".into(),
                at: 1,
            },
            RelationChange::PutList {
                owner: "gone".into(),
                name: "l".into(),
            },
        ],
    )
    .await;
    assert_eq!(
        store.delete_accounts(app, ids(&["gone"])).await.unwrap(),
        [true]
    );
    let rel = store
        .relations(app, "keep".into(), RelationScope::Peers(ids(&["gone"])))
        .await
        .unwrap();
    let gone = &rel.peers["gone"];
    assert!(!gone.exists && gone.friend.is_none() && !gone.reverse_friend && !gone.blocked_by_peer);
    assert_eq!(rel.sequences.friends, 1, "keep's friend list changed");
    let theirs = store
        .relations(app, "gone".into(), RelationScope::Owner)
        .await
        .unwrap();
    assert!(theirs.lists.is_empty() && theirs.friend_count == 0);
    store.reset_app(app).await.unwrap();
    let after_reset = store.friends_page(app, "keep".into(), 0, 10).await.unwrap();
    assert_eq!(after_reset.total, 0);
}

/// Edits of one owner run one after the other: each sees what the previous one wrote.
pub async fn concurrent_edits_see_each_other(store: Arc<dyn Store>) {
    let app = 1_400_000_134;
    setup_accounts(&*store, app, &["hub"]).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .edit_relations(
                        app,
                        "hub".into(),
                        RelationScope::Peers(vec![format!("x{i}")]),
                        1,
                        Box::new(move |rel| {
                            // Read-modify-write of the count: lost updates would show.
                            let n = rel.friend_count;
                            RelationPlan {
                                changes: vec![
                                    put("hub", friend(&format!("n{n:03}"), &[])),
                                    bump("hub", SequenceKind::Friends),
                                ],
                                ..RelationPlan::default()
                            }
                        }),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let page = store.friends_page(app, "hub".into(), 0, 100).await.unwrap();
    let names: Vec<String> = page.items.into_iter().map(|f| f.peer).collect();
    let expected: Vec<String> = (0..20).map(|n| format!("n{n:03}")).collect();
    assert_eq!(names, expected, "every edit saw the one before it");
    assert_eq!(page.sequences.friends, 20);
}
