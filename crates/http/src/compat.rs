//! Renders `docs/compatibility.md` from the route table and the webhook command table, so the
//! published list can never disagree with what the server does. A test fails when the file is
//! stale; `NATTER_BLESS=1 cargo test -p natter-http --test compatibility_doc` rewrites it.

use std::fmt::Write;

use natter_webhook::commands::{Kind, COMMANDS};

use crate::routes::ROUTES;

const DOC_BASE: &str = "https://www.tencentcloud.com/document/product/1047/";

pub fn compatibility_markdown() -> String {
    let mut out = String::new();
    let implemented = ROUTES.iter().filter(|a| a.handler.is_some()).count();
    let fired = COMMANDS.iter().filter(|c| c.fired).count();
    out.push_str("# Compatibility with Tencent Cloud Chat\n\n");
    out.push_str(
        "Generated from the server's own route and webhook tables (`crates/http/src/routes.rs`, \
`crates/webhook/src/commands.rs`); do not edit by hand. An API marked \"not yet\" answers \
`ErrorCode` 60009 with an `ErrorInfo` that says so; it never fakes a success.\n\n",
    );
    let _ = writeln!(
        out,
        "REST APIs implemented: **{implemented} of {}**. Webhooks fired: **{fired} of {}**.\n",
        ROUTES.len(),
        COMMANDS.len()
    );
    out.push_str("## REST API\n\n| API | Path | Tencent page | Default limit (calls/s) | Natter |\n|---|---|---|---|---|\n");
    for api in ROUTES {
        let _ = writeln!(
            out,
            "| {} | `v4/{}` | {} | {} | {} |",
            api.title,
            api.name(),
            doc_link(api.doc),
            api.default_limit,
            if api.handler.is_some() {
                "implemented"
            } else {
                "not yet"
            }
        );
    }
    out.push_str("\n## Webhooks\n\n| Webhook | CallbackCommand | Kind | Tencent page | Natter |\n|---|---|---|---|---|\n");
    for c in COMMANDS {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            c.title,
            c.command,
            match c.kind {
                Kind::Before => "before",
                Kind::After => "after",
            },
            doc_link(c.doc),
            if c.fired { "fired" } else { "not yet" }
        );
    }
    out
}

fn doc_link(doc: Option<u32>) -> String {
    match doc {
        Some(n) => format!("[1047/{n}]({DOC_BASE}{n})"),
        None => "—".into(),
    }
}

/// Renders `docs/client-sdk.md`: how to point Tencent's Web SDK at Natter, and which of its
/// commands Natter serves, from the `/binfo` command table.
pub fn client_sdk_markdown() -> String {
    use crate::binfo::commands::Serving;
    use crate::binfo::table::COMMANDS;

    let served = COMMANDS
        .iter()
        .filter(|c| c.serving.handler().is_some())
        .count();
    let pushes = COMMANDS
        .iter()
        .filter(|c| matches!(c.serving, Serving::Push))
        .count();
    let unsent = COMMANDS
        .iter()
        .filter(|c| matches!(c.serving, Serving::UnsentPush))
        .count();
    let not_in_proxy_mode = COMMANDS
        .iter()
        .filter(|c| matches!(c.serving, Serving::NotInProxyMode))
        .count();
    let mut out = String::new();
    out.push_str(
        "# Tencent's Web SDK against Natter\n\n\
Generated from the `/binfo` command table (`crates/http/src/binfo/table.rs`); do not edit by \
hand.\n\n\
An app built on Tencent's Web SDK (`@tencentcloud/chat`) talks to Natter when it is created with \
the SDK's documented `proxyServer` option, and nothing else changes:\n\n\
```js\n\
const chat = TencentCloudChat.create({ SDKAppID: 1400000000, proxyServer: 'ws://127.0.0.1:8080' });\n\
await chat.login({ userID: 'alice', userSig });   // a UserSig made with Natter's secret key\n\
```\n\n\
Do not set `testEnv`: it overrides `proxyServer`. In Node the SDK needs a global `WebSocket` \
(`globalThis.WebSocket = require('ws')`). The SDK opens one WebSocket at `/binfo`; Natter checks \
the UserSig as the REST API does, and what the user does fires the same webhooks, with `Web` as \
`OptPlatform`.\n\n\
Tested with `@tencentcloud/chat` 3.6.6, in Node and in Debian's Chromium (`crates/natter/tests/it/web_sdk.rs`). In a browser, serve the app from an address the browser counts as local when Natter is on the loopback address: Chromium's local-network checks refuse a public page's connection to a local one.\n\n\
## What works, and what does not yet\n\n\
- Login with a UserSig; the SDK's re-login after a reconnect with the `A2Key` Natter gave (any node \
accepts it; it expires with the UserSig). `State.StateChange` reports the logins and logouts.\n\
- Start-up sync: the user's profile, blocklist, friends and friend lists, conversation list (with \
each one-to-one conversation's last message and unread count), joined groups and conversation \
groups.\n\
- One-to-one messages: send, receive (pushed, with the same message id on both ends), history \
(`getMessageList`), read reports and peer read times; reading a conversation tells the peer's \
SDK, which marks the messages read (`isPeerRead`) and says MESSAGE_READ_BY_PEER, and the \
reader's other devices, which clear the conversation's unread count. Group messages: send into a group the user \
is in; group messages are pushed to members.\n\
- Groups: create (the user is the owner), search by ID, profile (with the user's own membership), \
join (straight in, or a request the owner or an admin handles), quit, disband, profile changes, \
member list, invite, kick, member changes (name card, roles, mutes), owner change, history \
(`getMessageList`) and read reports. Who may do what follows Tencent's client permissions per \
group type and role (docs/architecture.md, \"Client permissions\"); a refusal is 10007 (10004 \
where the REST API answers so). Changes are pushed to the members as the SDK's group tips \
(member joined or invited, quit, kicked, made or no longer admin, group profile or owner \
changed: a \
TIMGroupTipElem message in the group's conversation, MESSAGE_RECEIVED, and the SDK's copy of the \
group updated); a member who is kicked, quits on another device, or whose group is disbanded \
gets the SDK's group system notice, on which it drops the group and its conversation \
(GROUP_LIST_UPDATED). AVChatRooms get no tips. The join requests the user may answer \
(`getGroupApplicationList`, `get_pendency`), with the group's name and the applicant's nickname; \
a new one reaches the owner and admins as a group system notice (`operationType` 1), and the \
answer reaches the applicant (2 agreed, the SDK loads the group; 3 refused).\n\
- Invitations (`addGroupMember`) follow the group's `InviteJoinOption`: `FreeAccess` (the \
default) adds at once; `NeedPermission` adds at once when the owner or an admin invites, and \
otherwise the invitation waits (`Result` 3, in none of the SDK's lists) for the owner or an \
admin: it is in their `getGroupApplicationList` (`applicationType` 2, `applicant` the inviter, \
`userID` the invitee) and reaches them as a system notice (`operationType` 1 naming the \
invitee, so `handleGroupApplication` answers it from the notice or from the list, through \
`handle_invite_join_permission_group` or `handle_apply_join_group`); agreed, the invitee joins \
(`Group.CallbackAfterNewMemberJoin` with `Invited`) and their SDK gets the invited notice \
(`operationType` 7) and loads the group. `DisableInvite` refuses client invitations (10007). \
The REST API's `add_group_member` adds at once whatever the option says. Natter keeps no \
invitation waiting for the invitee's own consent (`applicationType` 1, which the SDK answers \
with `handle_invite_join_group` through `callExperimentalAPI('handleGroupInvitation')`): \
`InviteJoinOption` names the owner and admins as approvers, so that command is not served.\n\
- Custom group attributes (`initGroupAttributes`, `setGroupAttributes`, `deleteGroupAttributes`, \
`getGroupAttributes`) and group counters (`setGroupCounters`, `increaseGroupCounter`, \
`decreaseGroupCounter`, `getGroupCounters`): any member writes and reads them, with the REST \
API's limits, codes and webhooks. Every change, from the SDK or the REST API, is pushed to the \
members online: the SDK says GROUP_ATTRIBUTES_UPDATED (for a member who has read the attributes \
once) and GROUP_COUNTER_UPDATED (to the writer too). The SDK's race check holds: an attribute \
write after someone else's is refused with 10056 until the SDK reads them again.\n\
- Communities and topics: the SDK sends every group command of a community under \
`million_group_open_http_svc`, which Natter serves as the usual command; `getJoinedCommunityList`, \
and topics created, changed and deleted by the community's owner and admins \
(`createTopicInCommunity`, `updateTopicProfile`, `deleteTopicFromCommunity`) and read by \
members (`getTopicList`), pushed to the members (TOPIC_CREATED, TOPIC_UPDATED, TOPIC_DELETED); \
topic messages are sent, pushed, filed under their topic and read back like group messages.\n\
- AVChatRooms: the online count (`getGroupOnlineMemberCount`) and online members \
(`getGroupMemberList`, with or without a mark) for members; marks \
(`markGroupMemberList`) and bans (`deleteGroupMember` with a duration) by the owner and admins. \
Logged-in members get the room's messages as pushes: their join's reply flags the room as an \
AVChatRoom (`HugeGroupFlag`, without which the SDK does not keep the room and refuses to send \
to it) and carries no `LongPollingKey`, so the SDK does not poll. Viewers without an account: \
`joinGroup` before `login` (the SDK's noauth join, `group_open_http_noauth_svc.apply_join_group`) \
is served on a `/binfo` socket that never logged in, for AVChatRooms that exist (10010 \
otherwise; other group types 10007, the SDK's login is needed there); its reply's \
`LongPollingKey` starts the SDK's long polling (`group_open_long_polling_http_noauth_svc.get_msg`), \
each poll held until messages come or 10 s pass (the SDK asks for 90 s but gives up on a request \
after 15 s), beside the socket's other requests, and answered with the messages after the \
SDK's cursor (`Key`, `NextSeq`): none lost or repeated between polls, broadcasts \
(`send_broadcast_msg`) as the SDK's broadcasts. A socket without login serves only those two and \
the keep-alives; everything else still answers 60004 until `login`. A viewer is no member: not \
counted online, never in member lists, no callbacks (Tencent's name an account), cannot send. \
It may log in later on the same socket and keep polling. When the room is disbanded, its \
members are pushed and its viewers polled the group system notice of it (`operationType` 5), on \
which the SDK drops the room and stops polling. A logged-in member's `get_msg` \
(`group_open_long_polling_http_svc`) is served too, and `get_huge_group_msg` answers a \
member the room's last 20 messages kept on the node since someone first followed the room there \
(the SDK asks only when an app starts polling itself with \
`callExperimentalAPI('startMessageLongPolling')`). In a cluster every node takes the rooms' \
messages from NATS, so a poll held on one node is released by a send on another (docs/architecture.md, \"AVChatRoom long polling\"). Tested with the real SDK \
(`live.mjs`). Member profiles \
(`getGroupMemberProfile`) in every group type.\n\
- Profile changes (`updateMyProfile`).\n\
- Friends: requests (`addFriend`: the target's `AllowType` decides whether it adds at once, waits \
for an answer (30539, which the SDK reports as waiting) or is refused), the requests waiting in \
and out with the other user's nickname and avatar (`getFriendApplicationList`), accepting, \
refusing and deleting them, removing, updating, checking and reading friends, friend lists \
(create, delete, rename, add and remove friends) and the blocklist. A user changes only their \
own relations (any other `From_Account` gets 30001); requests and answers pass the app's \
before-callbacks, and every change fires the REST API's webhooks with `Web` as `OptPlatform`. \
Relationship changes are pushed to the users they touch (the other side, and the user's other \
devices): friends added and deleted (FRIEND_LIST_UPDATED), requests made, answered or deleted \
(FRIEND_APPLICATION_LIST_UPDATED) and the blocklist (BLACKLIST_UPDATED). \
`setFriendApplicationRead` marks the requests to the user read up to a time; \
`getFriendApplicationList`'s unread count is the requests that came after it.\n\
- Catch-up (`openim.getmsg`): after a reconnect or a new login the SDK gets the one-to-one \
messages that arrived (or that the user sent from other devices) since its last sync, once, with \
the conversations' unread counts. A first sync starts from now (the past is in the conversation \
list and history).\n\
- Delivery through broken connections: message pushes ask for the SDK's ack; one not acknowledged \
within 3 s is sent again (the SDK drops a copy of a message it has), and a connection that \
acknowledges nothing after two resends is closed, so the SDK reconnects and catches up. A request \
the SDK sends again on its new socket before logging in again (a message whose reply the old \
socket lost) is served after the login, and a message sent twice (same sender, recipient, \
`MsgSeq`, `MsgRandom` and time) is stored and pushed once; the SDK instance that sent it gets no \
copy. Every tenth one-to-one message or so, a push asks the SDK to sync (`Flag` 1), so that the \
catch-up after a reconnect fits one page (the SDK reports only the last page's messages as \
received). Tested by cutting the SDKs' sockets \
at random moments during a conversation (`web_sdk::talk_through_cut_sockets`).\n\
- Recall and edit of one's own one-to-one messages (`revokeMessage`, `modifyMessage`): the peer \
and the user's other devices get MESSAGE_REVOKED and MESSAGE_MODIFIED; the recall fires \
`C2C.CallbackAfterMsgWithDraw` with `OptPlatform` Web. A recall comes within the app's recall \
time limit (`recall_window_secs`, Tencent's 2 minutes by default; later: 20016); the REST API's \
`admin_msgwithdraw` has none.\n\
- One's own side of one-to-one conversations (`web_sdk_c2c::own_side`): read receipts \
(`sendMessageReadReceipt` on a message sent with `needReadReceipt`: the sender's SDK marks it \
read by the peer and says MESSAGE_READ_RECEIPT_RECEIVED; no purchase bit gates it in 3.6.6; \
`needReadReceipt` reaches the receiver in the push, not from history, so a receipt is sent for \
messages received live); deleting messages for oneself (`deleteMessage`: they leave the user's \
history, catch-up and unread count on every device at its next sync, and \
`admin_getroammsg` with the user as operator; the peer keeps them; the SDK has no push for it); \
the notification setting per peer (`setMessageRemindType` with `userIDList`: kept per user, \
shown as the conversation's `messageRemindType` in the conversation list, and followed at once \
by the user's other devices) and for all messages (`setAllReceiveMessageOpt`, \
`getAllReceiveMessageOpt`: kept per user; the other devices say \
ALL_RECEIVE_MESSAGE_OPT_UPDATED). Natter sends no offline pushes, so these settings change no \
delivery: messages of a peer set to \"do not receive\" are still pushed online, and \
`sendmsg`'s `SendMsgControl: WithMuteNotifications` changes nothing either.\n\
- Merged messages (`createMergerMessage`, `downloadMergerMessage`): one past the SDK's 11 KB is \
saved first (`im_long_msg.save_relay_json_msg`, at most 300 messages, kept as a file of the app \
under a random key) and sent with its key; the receiver's SDK downloads the messages by it \
(`get_relay_json_msg`). Smaller ones travel whole in the message.\n\
- Group messages after they are sent: recall (`revokeMessage`: one's own, and as owner or \
admin anyone's; others 10007), edit (`modifyMessage`: one's own), read receipts \
(`sendMessageReadReceipt`, `getMessageReadReceiptList`, `getGroupMessageReadMemberList`). The \
other members' SDKs get MESSAGE_REVOKED (a group system notice listing the messages, \
`GroupWithdrawInfoArray`, with the recaller) and MESSAGE_MODIFIED (`GroupMsgModNotifys`), and \
the sender of a message that asked for receipts MESSAGE_READ_RECEIPT_RECEIVED (a group system \
notice with `GroupMsgReceiptList`); history shows a recalled message as recalled \
(`IsPlaceMsg` 2; its body is not served again: an empty text \
stands in, as the SDK drops a message without elements). The recall fires `Group.CallbackAfterRecallMsg` and a receipt \
`Group.CallbackAfterReadReceipt`, with `OptPlatform` Web; an edit fires none (Tencent has none). \
Recalls from the REST API reach the SDKs the same way. A recall past the app's recall time \
limit fails with 10031 (the REST API's `group_msg_recall` has none). Edits, one-to-one and \
group, are versioned (migration 34): each adds one to the message's `MsgVersion`, which history \
and MESSAGE_MODIFIED carry; an edit from a copy older than the stored message is refused with \
20027, which the SDK reports as MSG_MODIFY_CONFLICT (2480) with the message as it now is (the \
refusal carries it), so the app may show it and edit again (tested with the real SDK: \
`two-users.mjs` edits a stale copy). The REST API's edits name no version: they always apply, \
and move the version on. After a reconnect the SDK asks \
for the recalls it missed in the groups whose history it does not pull again \
(`batch_get_group_notify`): Natter lists the group's messages recalled in the time asked for, \
with the recaller, so the SDK marks its copies recalled (MESSAGE_REVOKED; tested by cutting an \
SDK's socket while a message is recalled); recalls made before Natter kept their time \
(migration 29) are not listed. The SDK's experimental `getGroupReceiptsByUsers` \
(`callExperimentalAPI`, `get_group_msg_receipts_by_users`): for members, which of the named \
members read each named message that asked for receipts; the SDK hands the reply's \
`MsgReadList` to the app as it comes, and nothing in it fixes the items' shape beyond the names \
it maps (`Read_Account`, `Read_Time`), so Natter answers one item per message and member who \
read it, `{MsgSeq, Read_Account}` (the app gets `{sequence, userID}`), and no `Read_Time`: \
Natter keeps each member's read position, not when it was reached. Deleting group and topic \
messages for oneself (`deleteMessage`, `delete_group_ramble_msg_by_seq`, up to 30 at a time; \
10035 in an AVChatRoom, 10007 for a non-member): they leave the user's history \
(`getMessageList`, `group_msg_get` over `/binfo` and `/ws`, which lists them in \
`InvisibleMsgSeq` and fills its page with older messages) on every device at its next pull; \
the other members and the REST API keep them, and, as Tencent says, the deletion is not \
pushed to the user's other devices (the SDK has no push for it). Kept per member (migration \
33); they go with their group or topic. Tested with the real SDK \
(`web_sdk_group_own`: a deletion, `getGroupReceiptsByUsers`, a topic message's extension and a \
notice deleted after `handleGroupApplication`).\n\
- Pinned group messages (`pinGroupMessage`, `getPinnedGroupMessageList`): the owner and admins \
pin up to 10 messages of a group or topic (10070 past that, 10071 when pinned already) and unpin \
them; anyone else is refused with 10007; the members online hear of it \
(PINNED_GROUP_MESSAGE_UPDATED, with who did it).\n\
- Message extensions (`setMessageExtensions`, `getMessageExtensions`, \
`deleteMessageExtensions`) on one-to-one and group messages sent with `isSupportExtension`: \
the REST API's `openim_msg_ext_http_svc` commands with its limits and codes, on the user's own \
conversations and as a group member, on a community topic's messages too (the REST API, \
which names no topic, keeps to work, public and meeting groups). Every change, from the SDK or \
the REST API, reaches the other side and the user's other devices (MESSAGE_EXTENSIONS_UPDATED, \
MESSAGE_EXTENSIONS_DELETED). The `Seq` the SDK sends with each key it sets or deletes (the \
version of the key it knows, 0 for none) is compared, as Tencent does for its clients: a key \
written since is left alone and answered with 23001 and its value and `Seq` now, which the SDK \
keeps, so the app may write it again; the other keys of the call are written (one new version; \
none when every key conflicted, and then no push). Tested with the real SDK: a fresh SDK writes \
a key it never read, one-to-one and in a group (`message-extras.mjs`). The REST API's writes, an \
administrator's, are not compared: the last one wins.\n\
- Message reactions (`addMessageReaction`, `removeMessageReaction`, `getMessageReactions`, \
`getAllUserListOfMessageReaction`) on one-to-one messages of the user's own conversations and on \
the group messages a member sees (not AVChatRooms), a community topic's messages too (the \
SDK's calls name the topic: 11000 for a group without topics, 110003 for no such topic; kept \
under the topic, they go with it), with \
Tencent's limits and codes: 10 reactions per message (23005), 100 users per reaction (23006), \
reacting twice (23007), removing a reaction one does not have (23008); a reaction ID is 1 to 100 \
bytes. `getMessageReactions` reads up to 20 messages, each reaction with its first 0 to 10 users \
(more is read as 10) and whether the user has it; a message that does not exist comes back \
with no reactions. `getAllUserListOfMessageReaction` pages a reaction's users in the order they \
reacted, up to 100 a page (the pinned SDK sends the page's start, `nextSeq`, for group messages \
only: its one-to-one calls read from the first user, which with the default `count` of 100 is \
every user). Every change reaches the other side or the members, and the user's \
other devices (MESSAGE_REACTIONS_UPDATED, with the reaction's count and first 10 users). A \
recalled message takes no change. Tested with the real SDK on a one-to-one, a group and a topic \
message (`reactions.mjs`).\n\
- Kicks: REST `im_open_login_svc/kick` logs the user's SDKs out with KICKED_OUT \
(`REST_API_Kick`), and their old UserSig and A2Key no longer log in. `StatSvc.KickOther` is \
not a kick of one's other devices, and no SDK call sends it: it is a push, on which the SDK \
logs in again on its open socket (`wslogin`) and syncs its conversation list, group \
sequences and topics again, for a server that lost the login of a socket still open. Natter \
keeps a connection's login for as long as its socket is open (a cluster node cut off from the \
others puts its connections back itself), so it never sends it; one's other devices are \
logged out by the login settings below or by the REST kick.\n\
- Group system notices: the SDK deletes them from its system conversation \
(`openim.deletemsg`: `deleteConversation('@TIM#SYSTEM')`, a join request answered with \
`handleGroupApplication({message})`, requests handled elsewhere); Natter pushes notices and \
keeps none (a new login finds waiting requests with `get_pendency`), so the deletion holds \
at once and the SDK drops its copies. A message that is not a group system notice is \
refused (90001).\n\
- Follows (`web_sdk_follows::follows`): `followUser`, `unfollowUser`, `getMyFollowersList`, \
`getMyFollowingList`, `getMutualFollowersList`, `getUserFollowInfo` and `checkFollowType` (the \
purchase bits switch the feature on). A follow is one-sided and needs no answer; two users who \
follow each other are mutual. Tencent's limits: 20 users per follow, unfollow or count request \
and 100 per check (30001 past them), at most 5,000 follows per user (30010 for each one past \
it; fans are unlimited); following oneself (30001) or an unknown account (30003) fails for \
that user only. The lists run newest first, a page of `WantNum` users (the SDK asks for 500; at \
most 1,000) with each one's profile fields and follow time, and `nextCursor` for the next page. \
A change reaches the user followed (MY_FOLLOWERS_LIST_UPDATED, and \
MUTUAL_FOLLOWERS_LIST_UPDATED when the two follow each other, or did until then) and the \
follower's other devices (MY_FOLLOWING_LIST_UPDATED), naming the other user. Deleting an \
account removes its follows. Not yet: the REST API's `v4/follow/*` and the `Follow.*` callbacks.\n\
- Cloud search (`web_sdk_search::search`): `searchCloudMessages`, `searchCloudUsers`, \
`searchCloudGroups`, `searchCloudGroupMembers` (purchase bit 40; the pinned SDK sends them \
whatever the bit). Messages are searched in the user's own conversations only: one-to-one \
messages they have not deleted or cleared, and the messages of the groups they are a member of \
(not AVChatRooms or communities) after their clear, without those they deleted for themselves \
and directed messages to others; never recalled ones. Keywords (at most 5, `and` or `or`) are \
looked for in the elements' texts (text, custom data, description and extension, file name, \
merged title), with senders (at most 5), message types, a time range and one conversation; \
over all conversations a result is a conversation with its number of matches (and the message \
when there is one), in one conversation the messages, newest first. Users are found by an exact \
UserID or part of the nickname (and gender, birthday), groups by an exact GroupId or part of the \
name (not AVChatRooms; work groups only by their members), members of the user's groups by an \
exact UserID or part of the nickname or name card. Keywords ignore the case of ASCII letters \
only. Pages of 1 to 100 (`count`; 100 messages or 20 others by default) go on with `cursor`, a \
position, so new matches do not shift the next page; `totalCount` counts them all. A bad \
parameter is 27003 (the SDK's `SearchParamsError`).\n\
- Image, file, sound and video messages: register Tencent's upload plugin as the SDK's docs \
say (`chat.registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin })`, npm `tim-upload-plugin`). \
The SDK asks Natter for a pre-signed upload URL (`im_cos_msg.pre_sig`, or `simple_sig` when \
`fileUploadProxy` or `fileDownloadProxy` is set), `PUT`s the file to Natter \
(`/_natter/files/<SDKAppID>/<id>`, signed for that user, that kind and 15 minutes, good for one \
upload) and sends the download URL in the message; anyone with the URL downloads the file, as \
with COS. The URLs are on the address the SDK reached Natter at (behind a proxy, \
`X-Forwarded-Proto` and `X-Forwarded-Host` count); with `fileUploadProxy: 'http://host:port'` \
the SDK replaces their `https://host` part with it, and `fileDownloadProxy` (by default the same) \
does so for the URLs it shows (the SDK writes `https://` into file and video messages whatever \
Natter's scheme, so with plain HTTP receivers need `fileDownloadProxy`, or `fileUploadProxy`, set \
to Natter's address). Tested in Node (`fileUploadProxy`: an image and a file sent, received \
and downloaded byte for byte) and in Chromium (`proxyServer` alone: an image the receiver's page \
shows, a video). The SDK sends sounds only from mini programs and React Native. Tencent's size \
limits: 20 MB for images and sounds, 100 MB for \
files and videos. Files are kept in the data directory (SQLite) or in the database \
(PostgreSQL, so every node serves them). Not yet: resized thumbnails (the thumbnail and \
large image are the original).\n\
- Video covers: where Natter finds Debian's `ffmpeg` (on `PATH`, or the option `ffmpeg`), the \
pre-signature of a video upload carries a snapshot URL, so the SDK asks for a cover after the \
upload (`im_cos_msg.video_cover`); Natter takes a frame (half a second in, or the first), keeps \
it as a JPEG in the same file store as the upload and answers its URL, which the SDK puts into \
the video message as its snapshot with its size; a video has one cover (asked again, the same \
URL). Only the uploader gets a cover of a video \
(60003 for another user's, another app's or an unknown file); a file ffmpeg cannot read gets \
70500 and the SDK sends the video without a cover. Without ffmpeg no snapshot URL is offered: \
video messages have no cover (a cover asked for anyway: 60020). Tested in Chromium \
(`a_video_sent_from_a_browser_gets_a_cover`: the receiver's page shows the cover at the \
video's size).\n\
- Never sent through `proxyServer`, so not available: `im_cos_sign_svr.cos`, which the SDK \
asks only when it uploads with Tencent's COS SDK (the `cos-js-sdk` or `cos-wx-sdk` plugin \
instead of `tim-upload-plugin`) straight to Tencent's COS buckets, which Natter cannot be; and \
`im_cos_msg.get_final_ip`, which the SDK asks only when an image upload's reply names the \
upload's IP (`uploadIP`), which Natter's never does. Register `tim-upload-plugin` for \
uploads to Natter (above).\n\
- Translation and speech to text (`binfo_language`): Natter does neither itself; it hands \
`translateText` to a LibreTranslate server (`translate_url`: `POST <url>/translate`, the texts \
as `q`, in order, the SDK's language codes as they are) and `convertVoiceToText` to an \
OpenAI-compatible transcription server (`transcribe_url`: `POST <url>/v1/audio/transcriptions`, \
as whisper.cpp's server, faster-whisper-server and LocalAI take it), the sound read from \
Natter's own file store (the message's URL must be a Natter file URL of the app, 60003 \
otherwise; the SDK itself asks that the URL name a format such as `.mp3`, so a sound's \
download URL ends in its file name's extension); the SDK's engine type (`16k_en`, `16k_zh`, `16k_ja`, `16k_yue`) is sent \
as the language, none for the mixed `16k_zh-PY`. With no engine configured both answer 60020 \
(Tencent's code for a feature the app's plan lacks), never a made-up text. An engine that \
fails gives 70500 with its reason, one that does not answer within `engine_timeout` (12 s: the SDK gives up on a request after 15 s) \
60008. A refusal is in the answer's `CmdErrorCode`, which the SDK reads as the call's \
outcome: `translateText` fails with that code and text, `convertVoiceToText` with \
VOICE_TO_TEXT_FAIL. Tested with the real SDK in Node (`web_sdk_language`: two texts translated, \
an engine's failure, and a received sound message converted to text). At most 100 texts and 20,000 \
characters per translation call (60003).\n\
- Local profanity filter: register Tencent's plugin as its docs say \
(`chat.registerPlugin({ 'tim-profanity-filter-plugin': TIMProfanityFilterPlugin })`, npm \
`tim-profanity-filter-plugin`); the SDK then downloads the app's lexicon \
(`im_msg_audit_mgr.get_local_words`), the `[[app.local_words]]` of Natter's configuration \
(none by default), and checks the user's text and custom messages, and profile texts, against \
it before sending: a word with a `replacement` is replaced, one without stops the message (the \
SDK's PROFANITY_FOUND); `regex = true` makes it a regular expression. The words travel as the \
plugin reads them (AES-256-CBC under a key the answer carries), 100 per page; an SDK that \
holds the current version gets nothing again and asks for changes hourly, and a word taken \
out of the lexicon stays in an SDK until it logs in again (the plugin only adds). The \
filter is the sender's SDK's own: the REST API and SDKs without the plugin are not checked. \
Tested in Node with the plugin (`web_sdk_language::local_words_through_the_web_sdk_and_its_plugin`: \
a blocked word refused, a replaced one received replaced).\n\
- Login settings as in Tencent's console (`login_policy`, `web_instances` per app): \
`unlimited` (the default), `single` or `per_platform`; a login past the limit pushes the older \
device out with the SDK's KICKED_OUT (`KickType` 1 for another Web instance, 2 for another \
device) and its `State.StateChange` names the devices it kicked (`KickedDevice`). In a cluster \
the user's connections on every node count.\n\
- Conversations: pin and unpin (`pinConversation`), delete one or several (with or without \
their history: `deleteConversation`), clear a one-to-one history (`clearHistoryMessage`; the \
peer keeps theirs), read everything (`setAllMessageRead`), marks (`markConversation`) and \
conversation groups (create, delete, rename, add and remove conversations). The rules are the \
REST API's (`recentcontact/*`, the same limits and codes); each change reaches the user's other \
devices as the SDK's conversation push (CONVERSATION_LIST_UPDATED, \
CONVERSATION_GROUP_LIST_UPDATED, CONVERSATION_IN_GROUP_UPDATED), and so do changes made through \
the REST API. Clearing a group conversation's history (`clearHistoryMessage`, \
`recentcontact.clear_msg` with `Type` 2) is for the user alone: their history \
(`getMessageList`, `group_msg_get`) then starts after the group's last message at that \
moment; the other members and the REST API keep every message (10007 for a non-member or an \
AVChatRoom, 10010 for no such group).\n\
- User status (`setSelfStatus`, `getUserStatus`, `subscribeUserStatus`, \
`unsubscribeUserStatus`): a user is online (1) while connected, else not logged in (3); a \
custom status (at most 100 bytes) lasts until cleared or until the user's last connection \
ends; subscribers and the user's own devices get USER_STATUS_UPDATED on every change. In a \
cluster both are the whole cluster's: a custom status set on one node is read on every node and \
ends with the user's last connection on any node (a dead node's users lose theirs when it is \
declared dead), and every node pushes each change to the subscribers and devices it holds. A \
subscription is kept by the node of the connection that made it and ends with the \
subscriber's last connection there (a client subscribes again when it reconnects, to whichever \
node). The app's \
foreground and background reports are accepted (they only matter for offline push, which \
Natter does not send; setting a vendor push token, `ws_stat_settoken`, is not served).\n\
- Purchase bits: AVChatRoom member lists (bit 6), user status (bit 7), conversation marks \
(bit 9), conversation groups (bit 10), AVChatRoom bans (bit 11), message extensions (bit 13), group counters (bit 15), message \
reactions (bit 48), follows (bit 52) and cloud search (bit 40) are on; every other optional feature is off, so the SDK refuses it (3122) without asking.\n\
- Not served, by decision: what Natter does not do (offline push to devices, invitations \
waiting for the invitee), each marked \"not served\" below with its reason; and not yet: the \
commands marked \"not yet\" below, if any.\n\n",
    );
    let _ = writeln!(
        out,
        "Commands served: **{served} of {}** the SDK can send through `proxyServer`; \
{not_in_proxy_mode} more it sends only when it talks to Tencent's own hosts, {pushes} are pushes \
Natter sends, and {unsent} a push Natter has no use for. A command marked \"not yet\", \"not \
served\" or \"not available\" is answered at once with `ErrorCode` 60009 and the reason in \
`ErrorInfo`, so the SDK call that needed it fails once (no retry, no wait).\n",
        COMMANDS.len() - pushes - unsent - not_in_proxy_mode
    );
    out.push_str("| Command (`head.servcmd`) | Natter |\n|---|---|\n");
    for command in COMMANDS {
        let status = match command.serving {
            Serving::Served(_) | Serving::Slow(_) => "served",
            Serving::NotYet => "not yet",
            Serving::Push => "push (Natter → SDK)",
            Serving::UnsentPush => "push Natter does not send (see above)",
            Serving::NotInProxyMode => "not available: never sent in proxy mode (see above)",
            Serving::NotServed(reason) => {
                let _ = writeln!(out, "| `{}` | not served: {reason} |", command.name);
                continue;
            }
        };
        let _ = writeln!(out, "| `{}` | {status} |", command.name);
    }
    out
}
