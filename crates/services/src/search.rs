//! Cloud search (the Web SDK's `searchCloudMessages`, `searchCloudUsers`, `searchCloudGroups`,
//! `searchCloudGroupMembers`; Tencent sells it as the cloud search plugin). The user searches:
//!
//! - messages of their own conversations (what their history shows: see
//!   `natter_store::search::MessageSearch`), by keywords, senders, element types, time and one
//!   conversation; in all conversations the results are conversations (the number of matches
//!   in each, the message itself when there is one), in one conversation they are messages;
//! - accounts, by an exact UserID or part of the nickname, gender and birthday;
//! - groups, by an exact GroupId or part of the name (no AVChatRooms; work groups only the
//!   user's own);
//! - members of their groups (not AVChatRooms), by an exact UserID or part of the nickname or
//!   name card.
//!
//! Tencent's limits: at most 5 keywords (and 5 senders); pages of 1 to 100 (by default 100
//! messages, 20 of the others). A bad parameter is 27003. Pages go on with the reply's cursor,
//! a position (not an offset): what arrives between pages does not shift them.

use std::collections::HashMap;
use std::sync::Arc;

use natter_core::group::GroupType;
use natter_core::{codes, ApiError, ApiResult, AppSettings};
pub use natter_store::search::{FoundGroup, FoundMember, FoundMessage, Keywords};
use natter_store::search::{
    GroupSearch, MemberSearch, MessageSearch, SearchScope, UserSearch, SEARCHABLE_TYPES,
};
pub use natter_store::GroupMessage;
use natter_store::{ProfileValue, Store};

use crate::{internal, profile_fields};

/// Most keywords, and most senders, one search names.
pub const MAX_KEYWORDS: usize = 5;
/// The largest page.
pub const MAX_COUNT: u64 = 100;
/// A page of messages when the request names no size; of users, groups or members.
pub const DEFAULT_MESSAGE_COUNT: u64 = 100;
pub const DEFAULT_COUNT: u64 = 20;

fn invalid(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::SEARCH_INVALID_PARAM, info)
}

/// What every search names: its keywords, how they combine, its page.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub keywords: Vec<String>,
    pub match_all: bool,
    /// 0: the default page.
    pub count: u64,
    /// Empty: the first page.
    pub cursor: String,
}

impl Common {
    fn keywords(&self, required: bool) -> ApiResult<Keywords> {
        if self.keywords.len() > MAX_KEYWORDS {
            return Err(invalid(format!(
                "{} keywords; at most {MAX_KEYWORDS}",
                self.keywords.len()
            )));
        }
        if self.keywords.iter().any(String::is_empty) {
            return Err(invalid("a keyword is empty"));
        }
        if required && self.keywords.is_empty() {
            return Err(invalid("Keywords must name 1 to 5 keywords"));
        }
        Ok(Keywords {
            words: self.keywords.clone(),
            all: self.match_all,
        })
    }

    fn count(&self, default: u64) -> ApiResult<usize> {
        match self.count {
            0 => Ok(default as usize),
            n if n <= MAX_COUNT => Ok(n as usize),
            n => Err(invalid(format!("Count {n}; 1 to {MAX_COUNT}"))),
        }
    }

    /// The cursor as the JSON value it was written as; `None` on the first page.
    fn position<T: serde::de::DeserializeOwned>(&self) -> ApiResult<Option<T>> {
        if self.cursor.is_empty() {
            return Ok(None);
        }
        serde_json::from_str(&self.cursor)
            .map(Some)
            .map_err(|_| invalid("Cursor is not one this search returned"))
    }
}

/// A page: its items, how many there are in all, the cursor of the next page ("" at the end).
#[derive(Debug, Clone, Default)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub cursor: String,
}

/// The page of `sorted` after `after` (by `key`, in the list's order), of `count` items.
fn page<T, K: serde::Serialize + Ord>(
    sorted: Vec<T>,
    key: impl Fn(&T) -> K,
    after: Option<K>,
    count: usize,
) -> Page<T> {
    let total = sorted.len() as u64;
    let mut rest: Vec<T> = match after {
        Some(after) => sorted.into_iter().filter(|t| key(t) > after).collect(),
        None => sorted,
    };
    let more = rest.len() > count;
    rest.truncate(count);
    let cursor = match rest.last() {
        Some(last) if more => serde_json::to_string(&key(last)).expect("a key is JSON"),
        _ => String::new(),
    };
    Page {
        items: rest,
        total,
        cursor,
    }
}

/// A message search's filters besides the common ones.
#[derive(Debug, Clone, Default)]
pub struct MessageFilters {
    pub senders: Vec<String>,
    pub types: Vec<String>,
    /// The one-to-one conversation with this user, or this group's; neither: all.
    pub peer: Option<String>,
    pub group: Option<String>,
    /// Unix seconds; 0: unbounded.
    pub start_time: i64,
    pub end_time: i64,
}

/// A user search's filters besides the common ones.
#[derive(Debug, Clone, Default)]
pub struct UserFilters {
    /// `Gender_Type_Male` or `Gender_Type_Female`; `None` or empty: any.
    pub gender: Option<String>,
    /// `Tag_Profile_IM_BirthDay` from and to (inclusive); one alone leaves the other open.
    pub birth_start: Option<u64>,
    pub birth_end: Option<u64>,
}

/// One conversation's matches.
#[derive(Debug, Clone)]
pub struct ConversationHits {
    /// The SDK's conversation ID: `C2C<peer>` or `GROUP<GroupId>`.
    pub conversation_id: String,
    /// How many messages matched (in one conversation: on this page).
    pub count: usize,
    /// Newest first: in one conversation, the page's messages; in all, the one message of a
    /// conversation with one match (none otherwise, as Tencent does).
    pub messages: Vec<FoundMessage>,
}

/// Where a message page sorts an item: newest first, then by conversation.
type MessagePosition = (std::cmp::Reverse<i64>, std::cmp::Reverse<u64>, String);

#[derive(Clone)]
pub struct SearchService {
    store: Arc<dyn Store>,
}

impl SearchService {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// `user`'s messages that match: a page of conversations (all of them searched) or of one
    /// conversation's messages (`total` counts conversations or messages accordingly).
    pub async fn messages(
        &self,
        app: &AppSettings,
        user: &str,
        common: Common,
        filters: MessageFilters,
    ) -> ApiResult<Page<ConversationHits>> {
        let keywords = common.keywords(false)?;
        let count = common.count(DEFAULT_MESSAGE_COUNT)?;
        if keywords.words.is_empty() && filters.senders.is_empty() && filters.types.is_empty() {
            return Err(invalid(
                "name keywords, senders (SendUserIDList) or message types (MsgTypeList)",
            ));
        }
        if filters.senders.len() > MAX_KEYWORDS {
            return Err(invalid(format!(
                "{} senders; at most {MAX_KEYWORDS}",
                filters.senders.len()
            )));
        }
        if let Some(bad) = filters
            .types
            .iter()
            .find(|t| !SEARCHABLE_TYPES.contains(&t.as_str()))
        {
            return Err(invalid(format!(
                "{bad} is not a message type one can search"
            )));
        }
        let scope = match (filters.peer, filters.group) {
            (Some(_), Some(_)) => {
                return Err(invalid("name PeerAccount or GroupID, not both"));
            }
            (Some(peer), None) => Some(SearchScope::Peer(peer)),
            (None, Some(group)) => Some(SearchScope::Group(group)),
            (None, None) => None,
        };
        let end_time = if filters.end_time > 0 {
            filters.end_time
        } else {
            i64::MAX
        };
        if filters.start_time < 0 || filters.start_time > end_time {
            return Err(invalid("StartTime is after EndTime"));
        }
        let after: Option<(i64, u64, String)> = common.position()?;
        let position = |t: i64, s: u64, c: String| -> MessagePosition {
            (std::cmp::Reverse(t), std::cmp::Reverse(s), c)
        };
        let after = after.map(|(t, s, c)| position(t, s, c));
        let one_conversation = scope.is_some();
        let found = self
            .store
            .search_messages(
                app.sdkappid,
                MessageSearch {
                    user: user.to_owned(),
                    keywords,
                    senders: filters.senders,
                    types: filters.types,
                    scope,
                    start_time: filters.start_time,
                    end_time,
                },
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        let key = |m: &FoundMessage| position(m.time(), m.seq(), m.conversation_id(user));
        let mut found = found;
        found.sort_by_cached_key(key);
        if one_conversation {
            let Page {
                items,
                total,
                cursor,
            } = page(found, key, after, count);
            let items = match items.first() {
                Some(first) => vec![ConversationHits {
                    conversation_id: first.conversation_id(user),
                    count: items.len(),
                    messages: items,
                }],
                None => Vec::new(),
            };
            return Ok(Page {
                items,
                total,
                cursor,
            });
        }
        // Conversations, by their newest match (`found` is newest first).
        let mut order: Vec<(MessagePosition, String)> = Vec::new();
        let mut by_conversation: HashMap<String, Vec<FoundMessage>> = HashMap::new();
        for m in found {
            let id = m.conversation_id(user);
            if !by_conversation.contains_key(&id) {
                order.push((key(&m), id.clone()));
            }
            by_conversation.entry(id).or_default().push(m);
        }
        order.sort();
        let Page {
            items,
            total,
            cursor,
        } = page(order, |(k, _)| k.clone(), after, count);
        let items = items
            .into_iter()
            .map(|(_, id)| {
                let messages = by_conversation.remove(&id).unwrap_or_default();
                ConversationHits {
                    conversation_id: id,
                    count: messages.len(),
                    messages: if messages.len() == 1 {
                        messages
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        Ok(Page {
            items,
            total,
            cursor,
        })
    }

    /// Accounts that match, with their profiles (every standard and custom field set).
    pub async fn users(
        &self,
        app: &AppSettings,
        common: Common,
        filters: UserFilters,
    ) -> ApiResult<Page<(String, Vec<ProfileValue>)>> {
        let keywords = common.keywords(true)?;
        let count = common.count(DEFAULT_COUNT)?;
        let gender = filters.gender.filter(|g| !g.is_empty());
        if let Some(g) = &gender {
            if g != "Gender_Type_Male" && g != "Gender_Type_Female" {
                return Err(invalid(format!(
                    "UserGenderType {g}: Gender_Type_Male or Gender_Type_Female"
                )));
            }
        }
        let birthday = match (filters.birth_start, filters.birth_end) {
            (None, None) => None,
            (from, to) => Some((from.unwrap_or(0), to.unwrap_or(u64::from(u32::MAX)))),
        };
        if birthday.is_some_and(|(from, to)| from > to) {
            return Err(invalid("UserBirthStart is after UserBirthEnd"));
        }
        let after: Option<String> = common.position()?;
        let found = self
            .store
            .search_users(
                app.sdkappid,
                UserSearch {
                    keywords,
                    gender,
                    birthday,
                },
            )
            .await
            .map_err(internal(codes::PROFILE_INTERNAL))?;
        let Page {
            items,
            total,
            cursor,
        } = page(found, String::clone, after, count);
        let tags = profile_fields::all_tags(app);
        let mut profiles = if items.is_empty() {
            HashMap::new()
        } else {
            self.store
                .get_profiles(app.sdkappid, items.clone(), tags.clone())
                .await
                .map_err(internal(codes::PROFILE_INTERNAL))?
        };
        let items = items
            .into_iter()
            .map(|id| {
                let stored = profiles.remove(&id).unwrap_or_default();
                let profile = tags
                    .iter()
                    .filter_map(|t| stored.iter().find(|v| &v.tag == t).cloned())
                    .collect();
                (id, profile)
            })
            .collect();
        Ok(Page {
            items,
            total,
            cursor,
        })
    }

    /// Groups `user` may find that match.
    pub async fn groups(
        &self,
        app: &AppSettings,
        user: &str,
        common: Common,
        types: Vec<String>,
    ) -> ApiResult<Page<FoundGroup>> {
        let keywords = common.keywords(true)?;
        let count = common.count(DEFAULT_COUNT)?;
        let types = group_types(types)?;
        let after: Option<String> = common.position()?;
        let found = self
            .store
            .search_groups(
                app.sdkappid,
                GroupSearch {
                    user: user.to_owned(),
                    keywords,
                    types,
                },
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        Ok(page(found, |g| g.group_id.clone(), after, count))
    }

    /// Members of `user`'s groups (of `group_ids` when given) that match.
    pub async fn members(
        &self,
        app: &AppSettings,
        user: &str,
        common: Common,
        group_ids: Vec<String>,
        types: Vec<String>,
    ) -> ApiResult<Page<FoundMember>> {
        let keywords = common.keywords(true)?;
        let count = common.count(DEFAULT_COUNT)?;
        let types = group_types(types)?;
        let after: Option<(String, String)> = common.position()?;
        let found = self
            .store
            .search_group_members(
                app.sdkappid,
                MemberSearch {
                    user: user.to_owned(),
                    keywords,
                    group_ids,
                    types,
                },
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        Ok(page(
            found,
            |m| (m.group_id.clone(), m.user_id.clone()),
            after,
            count,
        ))
    }
}

/// The group types a search names, as stored (`Work` is `Private`, …); AVChatRooms are never
/// searched, so naming one is refused.
fn group_types(types: Vec<String>) -> ApiResult<Vec<String>> {
    types
        .iter()
        .map(|t| match GroupType::parse(t) {
            Some(GroupType::AvChatRoom) | None => {
                Err(invalid(format!("{t} is not a group type one can search")))
            }
            Some(kind) => Ok(kind.name().to_owned()),
        })
        .collect()
}
