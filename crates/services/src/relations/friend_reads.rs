//! Reading friends: `friend_check`, `friend_get` and `friend_get_list`, with the shapes they
//! answer.

use std::collections::HashMap;

use natter_core::{codes, ApiResult, AppSettings};
use natter_store::PeerRelations;
use serde_json::Value;

use super::fields::{self, FriendTag, STANDARD_GET_TAGS};
use super::{batch, invalid, peers_scope, RelationService, FRIEND_PAGE, MAX_BATCH, MAX_GET_LIST};
use crate::{internal, profile_fields};

/// `CheckResult_Type_Single` or `CheckResult_Type_Both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckMode {
    Single,
    Both,
}

impl CheckMode {
    pub fn parse(value: &str, prefix: &str) -> Option<Self> {
        match value.strip_prefix(prefix)? {
            "Single" => Some(Self::Single),
            "Both" => Some(Self::Both),
            _ => None,
        }
    }
}

/// One `InfoItem` of `friend_check` (and `BlackListCheckItem` of `black_list_check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRelation {
    pub to: String,
    pub relation: &'static str,
}

/// One page of `friend_get`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FriendPage {
    pub friends: Vec<(String, Vec<(String, Value)>)>,
    pub standard_sequence: u64,
    pub custom_sequence: u64,
    pub friend_num: u64,
    pub complete: bool,
    pub next_start_index: u64,
}

/// One `InfoItem` of `friend_get_list`: the tags asked for, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct SnsProfile {
    pub to: String,
    pub items: Option<Vec<(String, Value)>>,
    pub code: u32,
    pub info: String,
}

impl RelationService {
    /// `friend_check`: the relation with each account, looked at one way or both.
    pub async fn check_friends(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        mode: CheckMode,
    ) -> ApiResult<Vec<FriendRelation>> {
        const NAMES: [&str; 4] = [
            "CheckResult_Type_BothWay",
            "CheckResult_Type_AWithB",
            "CheckResult_Type_BWithA",
            "CheckResult_Type_NoRelation",
        ];
        self.check_relations(app, from, to, mode, NAMES, |peer| {
            (peer.friend.is_some(), peer.reverse_friend)
        })
        .await
    }

    /// The relation with each account, named by `names` (both ways, A with B, B with A, none)
    /// from what `sides` reads off the snapshot (A has B, B has A). `Single` looks at A only.
    pub(super) async fn check_relations(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        mode: CheckMode,
        names: [&'static str; 4],
        sides: fn(&PeerRelations) -> (bool, bool),
    ) -> ApiResult<Vec<FriendRelation>> {
        batch("To_Account", &to, MAX_BATCH)?;
        let rel = self.snapshot(app, &from, peers_scope(to.clone())).await?;
        Ok(to
            .into_iter()
            .map(|to| {
                let relation = match (mode, sides(&rel.peers[&to])) {
                    (CheckMode::Both, (true, true)) => names[0],
                    (_, (true, _)) => names[1],
                    (CheckMode::Both, (false, true)) => names[2],
                    _ => names[3],
                };
                FriendRelation { to, relation }
            })
            .collect())
    }

    /// `friend_get`: one page of friends with all their data. A sequence the caller already has
    /// (non-zero and equal to the current one) leaves that kind of data out.
    pub async fn get_friends(
        &self,
        app: &AppSettings,
        from: String,
        start_index: u64,
        standard_sequence: u64,
        custom_sequence: u64,
    ) -> ApiResult<FriendPage> {
        self.ensure_owner(app, &from).await?;
        let page = self
            .store
            .friends_page(app.sdkappid, from, start_index, FRIEND_PAGE)
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        let seq = page.sequences;
        let with_standard = standard_sequence == 0 || standard_sequence != seq.friends;
        let with_custom = custom_sequence == 0 || custom_sequence != seq.custom;
        let end = start_index + page.items.len() as u64;
        let complete = end >= page.total;
        Ok(FriendPage {
            friends: page
                .items
                .into_iter()
                .map(|friend| {
                    let mut values = Vec::new();
                    if with_standard {
                        for tag in &STANDARD_GET_TAGS {
                            if let Some(v) = tag.value(&friend) {
                                values.push((standard_name(tag).to_owned(), v));
                            }
                        }
                    }
                    if with_custom {
                        values.extend(friend.custom.iter().cloned());
                    }
                    (friend.peer, values)
                })
                .collect(),
            standard_sequence: seq.friends,
            custom_sequence: seq.custom,
            friend_num: page.total,
            complete,
            next_start_index: if complete { 0 } else { end },
        })
    }

    /// `friend_get_list`: the asked profile and friend tags of each friend, in `TagList` order.
    pub async fn friend_profiles(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        tags: Vec<String>,
    ) -> ApiResult<Vec<SnsProfile>> {
        batch("To_Account", &to, MAX_GET_LIST)?;
        if tags.is_empty() {
            return Err(invalid("TagList is empty"));
        }
        enum Wanted {
            Profile(String),
            Friend(FriendTag),
        }
        let mut wanted = Vec::with_capacity(tags.len());
        for tag in &tags {
            if let Some(t) = FriendTag::parse(app, tag) {
                wanted.push(Wanted::Friend(t));
            } else if profile_fields::is_known(app, tag) {
                wanted.push(Wanted::Profile(tag.clone()));
            } else {
                return Err(invalid(format!("tag {tag} does not exist")));
            }
        }
        let rel = self.snapshot(app, &from, peers_scope(to.clone())).await?;
        let profile_tags: Vec<String> = wanted
            .iter()
            .filter_map(|w| match w {
                Wanted::Profile(t) => Some(t.clone()),
                Wanted::Friend(_) => None,
            })
            .collect();
        let friends: Vec<String> = to
            .iter()
            .filter(|t| rel.peers[*t].friend.is_some())
            .cloned()
            .collect();
        let profiles = if profile_tags.is_empty() || friends.is_empty() {
            HashMap::new()
        } else {
            self.store
                .get_profiles(app.sdkappid, friends, profile_tags)
                .await
                .map_err(internal(codes::SNS_INTERNAL))?
        };
        Ok(to
            .into_iter()
            .map(|to| {
                let Some(friend) = &rel.peers[&to].friend else {
                    return SnsProfile {
                        info: format!("{to} is not a friend of {from}"),
                        to,
                        items: None,
                        code: codes::SNS_INVALID_PARAM,
                    };
                };
                let stored = profiles.get(&to);
                let items = wanted
                    .iter()
                    .zip(&tags)
                    .filter_map(|(w, tag)| {
                        let value = match w {
                            Wanted::Friend(t) => t.value(friend),
                            Wanted::Profile(t) => stored
                                .and_then(|s| s.iter().find(|v| &v.tag == t))
                                .map(|v| v.value.clone()),
                        };
                        value.map(|v| (tag.clone(), v))
                    })
                    .collect();
                SnsProfile {
                    to,
                    items: Some(items),
                    code: 0,
                    info: String::new(),
                }
            })
            .collect())
    }
}

/// The `Tag_SNS_IM_*` name of a standard tag (custom tags carry their own).
fn standard_name(tag: &FriendTag) -> &'static str {
    match tag {
        FriendTag::Group => fields::GROUP,
        FriendTag::Remark => fields::REMARK,
        FriendTag::AddSource => fields::ADD_SOURCE,
        FriendTag::AddWording => fields::ADD_WORDING,
        FriendTag::AddTime => fields::ADD_TIME,
        FriendTag::Custom(_) => "",
    }
}
