//! Tencent Cloud Chat error codes used by Natter, named after what they mean.
//!
//! Numbers and meanings follow Tencent's "Error Codes" page (1047/34348) and each API's page.
//! Where Tencent does not say which code a condition gets, the choice is written down in
//! `docs/compatibility.md` ("Error-code mapping").

// REST framework (public) codes.
pub const HTTP_PARSE_ERROR: u32 = 60002;
pub const INVALID_JSON: u32 = 60003;
pub const BAD_ACCOUNT_OR_SIG: u32 = 60004;
pub const SDKAPPID_INVALID: u32 = 60006;
pub const REST_FREQUENCY_LIMIT: u32 = 60007;
pub const SERVICE_TIMEOUT: u32 = 60008;
pub const API_NOT_FOUND: u32 = 60009;
pub const ADMIN_REQUIRED: u32 = 60010;
pub const SDKAPPID_MISSING: u32 = 60012;
pub const ACCOUNT_NOT_STRING: u32 = 60015;
/// "Too many requests, retry later": also a connection refused at the connection caps.
pub const TOO_MANY_REQUESTS: u32 = 60018;
/// The app's plan does not include the feature (Tencent's "no package purchased, or it is not in
/// effect yet"): Natter's answer for translation and speech recognition with no engine configured.
pub const FEATURE_NOT_ENABLED: u32 = 60020;

// Cloud search (the Web SDK's `searchCloud*`): a search's parameters are not valid (the SDK
// names it `SearchParamsError`).
pub const SEARCH_INVALID_PARAM: u32 = 27003;

// Operations (`open_msg_svc/get_history`): no message file for the hour asked for (not over
// yet, or more than 7 days ago). Natter's reading of Tencent's page; see docs/architecture.md.
pub const HISTORY_NOT_AVAILABLE: u32 = 1004;

// Account and UserSig codes.
pub const USERSIG_EXPIRED: u32 = 70001;
pub const USERSIG_EMPTY: u32 = 70002;
pub const USERSIG_INVALID: u32 = 70003;
pub const USERSIG_MISMATCH: u32 = 70009;
pub const USERSIG_IDENTIFIER_MISMATCH: u32 = 70013;
pub const USERSIG_SDKAPPID_MISMATCH: u32 = 70014;
pub const USERSIG_KEY_NOT_FOUND: u32 = 70016;
pub const SDKAPPID_NOT_FOUND: u32 = 70020;
pub const ACCOUNT_NOT_FOUND: u32 = 70107;
pub const ACCOUNT_BATCH_TOO_LARGE: u32 = 70206;
pub const ACCOUNT_INVALID_PARAM: u32 = 70402;
pub const ACCOUNT_INTERNAL: u32 = 70500;

// Profile codes.
pub const PROFILE_INVALID_PARAM: u32 = 40001;
pub const PROFILE_NO_TARGET: u32 = 40002;
pub const PROFILE_ACCOUNT_NOT_FOUND: u32 = 40003;
pub const PROFILE_INTERNAL: u32 = 40006;
pub const PROFILE_TAG_NOT_FOUND: u32 = 40009;
pub const PROFILE_VALUE_TOO_LONG: u32 = 40601;
pub const PROFILE_BAD_VALUE: u32 = 40605;
pub const PROFILE_TYPE_MISMATCH: u32 = 40610;

// Conversation codes (`recentcontact`).
pub const CONVERSATION_ACCOUNT_NOT_FOUND: u32 = 50001;
pub const CONVERSATION_BAD_PARAM: u32 = 50002;
pub const CONVERSATION_INTERNAL: u32 = 50004;
pub const CONTACT_TOO_MANY_CONVERSATIONS: u32 = 51008;
pub const CONTACT_GROUP_NOT_FOUND: u32 = 51009;
pub const CONTACT_TOO_MANY_GROUPS: u32 = 51010;
pub const CONTACT_GROUP_NAME_INVALID: u32 = 51011;

// One-to-one message codes.
pub const C2C_CALLBACK_DENIED: u32 = 20006;
/// A client's recall past the app's recall time limit (`recall_window_secs`).
pub const C2C_RECALL_TOO_LATE: u32 = 20016;
pub const C2C_MSG_NOT_FOUND: u32 = 20022;
pub const C2C_ALREADY_RECALLED: u32 = 20023;
/// An edit based on an older `MsgVersion` than the stored one: the code the Web SDK turns
/// into MSG_MODIFY_CONFLICT (2480), one-to-one and group messages alike.
pub const MSG_MODIFY_CONFLICT: u32 = 20027;
// Message reactions (one-to-one and group messages alike).
/// The message has the most different reactions it may have (10).
pub const REACTION_COUNT_LIMIT: u32 = 23005;
/// The reaction has the most users it may have (100).
pub const REACTION_USER_COUNT_LIMIT: u32 = 23006;
/// The user has this reaction on the message already.
pub const REACTION_ALREADY_CONTAINS_USER: u32 = 23007;
/// The user has no such reaction on the message.
pub const REACTION_NOT_EXISTS: u32 = 23008;
pub const C2C_BAD_PARAM: u32 = 90001;
pub const C2C_BAD_MESSAGE: u32 = 90002;
pub const C2C_TO_ACCOUNT_INVALID: u32 = 90003;
pub const C2C_MSG_RANDOM_INVALID: u32 = 90005;
pub const C2C_MSG_TIMESTAMP_INVALID: u32 = 90006;
pub const C2C_FROM_ACCOUNT_INVALID: u32 = 90008;
pub const C2C_MSGBODY_NOT_ARRAY: u32 = 90007;
pub const C2C_BATCH_TOO_MANY: u32 = 90011;
pub const C2C_TO_NOT_REGISTERED: u32 = 90012;
pub const C2C_MSG_LIFE_TIME_TOO_LONG: u32 = 90026;
pub const C2C_BATCH_NOT_ARRAY: u32 = 90028;
pub const C2C_BATCH_EMPTY: u32 = 90029;
pub const C2C_SYNC_FROM_OLD_SYSTEM_INVALID: u32 = 90030;
pub const C2C_SYNC_OTHER_MACHINE_INVALID: u32 = 90031;
pub const C2C_MSG_LIFE_TIME_INVALID: u32 = 90044;
pub const C2C_INVALID_MSG_KEY: u32 = 90054;
pub const C2C_INTERNAL: u32 = 90994;
/// Also the framework's answer to a request body over the size limit.
pub const BODY_TOO_LONG: u32 = 93000;

// Relationship chain codes (`sns`): "Relationship Chain Management" and each API's page.
pub const SNS_INVALID_PARAM: u32 = 30001;
pub const SNS_ACCOUNT_NOT_FOUND: u32 = 30003;
pub const SNS_INTERNAL: u32 = 30006;
/// Also what a friend request gets when the app's before-callback failed and its policy denies.
pub const SNS_TIMEOUT: u32 = 30007;
pub const SNS_FRIEND_LIMIT: u32 = 30010;
pub const SNS_LIST_LIMIT: u32 = 30011;
pub const SNS_BLOCKLIST_LIMIT: u32 = 30013;
pub const SNS_PEER_FRIEND_LIMIT: u32 = 30014;
pub const SNS_PEER_IN_YOUR_BLOCKLIST: u32 = 30515;
pub const SNS_PEER_DENIES_ALL: u32 = 30516;
pub const SNS_YOU_ARE_IN_PEER_BLOCKLIST: u32 = 30525;
/// Not a failure: the request waits for the peer's confirmation.
pub const SNS_REQUEST_PENDING: u32 = 30539;
pub const SNS_NO_SUCH_REQUEST: u32 = 30614;
pub const SNS_NOT_FRIENDS: u32 = 31704;
pub const SNS_LIST_MEMBER_NOT_FRIEND: u32 = 32216;

// One-to-one sends refused by the relationship chain (client sends only).
pub const C2C_IN_PEER_BLOCKLIST: u32 = 20007;
pub const C2C_NOT_FRIENDS: u32 = 20009;
pub const C2C_NOT_PEER_FRIEND: u32 = 20010;
pub const C2C_NOT_SELF_FRIEND: u32 = 20011;
/// The sender is under a global mute of one-to-one messages (`openconfigsvr/setnospeaking`).
pub const C2C_SENDER_MUTED: u32 = 20012;
/// Chatbots (`openim_robot_http_svc`): the app has its 20 chatbots already.
pub const ROBOT_LIMIT: u32 = 10008;

// Group codes (`group_open_http_svc`): the Error Codes page and each API's page.
pub const GROUP_INTERNAL: u32 = 10002;
pub const GROUP_INVALID_PARAM: u32 = 10004;
pub const GROUP_TOO_MANY_ACCOUNTS: u32 = 10005;
pub const GROUP_NO_PERMISSION: u32 = 10007;
/// The owner may not leave (every type but Private).
pub const GROUP_OWNER_CANNOT_QUIT: u32 = 10009;
pub const GROUP_NOT_FOUND: u32 = 10010;
/// A client join by someone who is already a member.
pub const GROUP_ALREADY_MEMBER: u32 = 10013;
pub const GROUP_FULL: u32 = 10014;
pub const GROUP_ID_INVALID: u32 = 10015;
/// The app's before-callback refused.
pub const GROUP_CALLBACK_DENIED: u32 = 10016;
pub const GROUP_SENDER_MUTED: u32 = 10017;
pub const GROUP_ACCOUNT_NOT_FOUND: u32 = 10019;
pub const GROUP_ID_TAKEN: u32 = 10021;
pub const GROUP_SEND_TOO_FAST: u32 = 10023;
pub const GROUP_MSG_NOT_FOUND: u32 = 10030;
/// A client's recall of a group message past the app's recall time limit.
pub const GROUP_RECALL_TOO_LATE: u32 = 10031;
pub const GROUP_MSG_NOT_RECALLABLE: u32 = 10032;
pub const GROUP_CANNOT_DELETE_MESSAGES: u32 = 10035;
pub const GROUP_ATTR_KEY_TOO_LONG: u32 = 10045;
pub const GROUP_ATTR_WRITES_TOO_FAST: u32 = 10049;
pub const GROUP_ATTR_NOT_FOUND: u32 = 10050;
/// A client's attribute write named a sequence older than the group's (the Web SDK's
/// `RaceConflict` check): someone wrote since; read them again.
pub const GROUP_ATTR_SEQ_CONFLICT: u32 = 10056;
/// A read-receipt query about a message that has no receipts.
pub const GROUP_NO_RECEIPT: u32 = 10062;
/// The group has its limit of pinned messages (ERR_SVR_GROUP_PINNED_MESSAGE_COUNT_LIMIT).
pub const GROUP_PINNED_LIMIT: u32 = 10070;
/// The message is pinned already (ERR_SVR_GROUP_MESSAGE_ALREADY_PINNED).
pub const GROUP_MSG_ALREADY_PINNED: u32 = 10071;

// Community topics (`million_group_open_http_svc`): the destroy_topic page's table.
/// The group is not a community with topics enabled.
pub const TOPIC_NOT_SUPPORTED: u32 = 11000;
/// The topic does not exist (destroy_topic: "already deleted").
pub const TOPIC_NOT_FOUND: u32 = 110003;

// Push to all users (`all_member_push`): the push pages' tables and the push error-code page.
pub const PUSH_BAD_PARAM: u32 = 90001;
pub const PUSH_MSG_RANDOM_INVALID: u32 = 90005;
/// More accounts in one call than the page allows (100).
pub const PUSH_TOO_MANY_ACCOUNTS: u32 = 90018;
/// A tag over 50 bytes.
pub const PUSH_TAG_TOO_LONG: u32 = 90020;
/// The same tag in `TagsAnd` and `TagsOr`.
pub const PUSH_TAG_REPEATED: u32 = 90022;
/// Pushes less than a second apart.
pub const PUSH_TOO_FREQUENT: u32 = 90024;
pub const PUSH_LIFE_TIME_INVALID: u32 = 90026;
/// Over 10 tags in a condition or in one user's add request.
pub const PUSH_TOO_MANY_TAGS: u32 = 90032;
pub const PUSH_ATTR_INVALID: u32 = 90033;
/// A condition with both tags and attributes.
pub const PUSH_TAGS_AND_ATTRS: u32 = 90039;
pub const PUSH_TAG_EMPTY: u32 = 90040;
/// The daily number of pushes (100) is used up.
pub const PUSH_DAILY_LIMIT: u32 = 90047;
pub const PUSH_INTERNAL: u32 = 91000;
