// An AVChatRoom watched without an account through Tencent's Web SDK against Natter: A (logged
// in) joins the room and talks in it, and an SDK instance that never logs in joins it
// (`joinGroup` before login: the noauth join) and receives A's messages through the SDK's long
// polling; when B disbands the room, A and the viewer are both told (a group system notice,
// operationType 5); a group of another type refuses a viewer without login. Run by
// tests/it/web_sdk_live.rs with ROOM (an AVChatRoom of B's) and PUBLIC (a Public group) in the
// env; arguments and the one-line JSON report on stdout as in two-users.mjs:
//
//   node live.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import {
  A,
  B,
  PROXY,
  SDKAppID,
  SDK_LOG,
  SIG_A,
  SIG_B,
  check,
  freshSDK,
  inbox,
  loginWatching,
  report,
  step,
  uplink,
} from './harness.mjs';

const ROOM = process.env.ROOM;
const PUBLIC = process.env.PUBLIC;

/// An SDK instance that is never logged in.
function viewerSDK() {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY });
  chat.setLogLevel(SDK_LOG);
  return { userID: 'viewer', chat, E: TencentCloudChat.EVENT, TYPES: TencentCloudChat.TYPES };
}

async function say(a, text) {
  const message = a.chat.createTextMessage({ to: ROOM, conversationType: a.TYPES.CONV_GROUP, payload: { text } });
  const res = await a.chat.sendMessage(message);
  check(res.code === 0, `A sends ${text}`, res.code);
  return res.data.message;
}

const polls = () => uplink.filter((f) => f.servcmd === 'group_open_long_polling_http_noauth_svc.get_msg');

async function main() {
  check(ROOM && PUBLIC, 'ROOM and PUBLIC are set');
  const a = await loginWatching(A, SIG_A, []);
  const heard = inbox(a);
  const viewer = viewerSDK();
  const seen = inbox(viewer);

  await step('A joins the room logged in (its messages come as pushes: no polling)', async () => {
    const res = await a.chat.joinGroup({ groupID: ROOM });
    check(res.code === 0, 'joinGroup resolves', res);
    return { status: res.data.status };
  });

  await step('a viewer who never logged in joins the AVChatRoom', async () => {
    const res = await viewer.chat.joinGroup({ groupID: ROOM });
    check(res.code === 0, 'joinGroup resolves', res);
    const joins = uplink.filter((f) => f.servcmd === 'group_open_http_noauth_svc.apply_join_group');
    check(joins.length === 1, 'through the noauth join', joins);
    return { status: res.data.status };
  });

  await step("the viewer receives A's message by long polling", async () => {
    const sent = await say(a, 'hello viewers');
    const got = await seen.next((m) => m.payload && m.payload.text === 'hello viewers', 'the message');
    check(got.ID === sent.ID, 'the same message ID as the sender has', { got: got.ID, sent: sent.ID });
    check(got.conversationID === `GROUP${ROOM}` && got.from === A, "in the room's conversation, from A", got);
    check(polls().length >= 1, 'the SDK polled without login', polls().length);
    return { sequence: got.sequence, polls: polls().length };
  });

  await step('several messages arrive once each, in order', async () => {
    const texts = ['one', 'two', 'three'];
    for (const t of texts) await say(a, t);
    await seen.next((m) => m.payload && m.payload.text === 'three', 'the last one');
    const logged = uplink.filter((f) => f.servcmd === 'group_open_long_polling_http_svc.get_msg');
    check(logged.length === 0, 'A, logged in, never polled', logged);
    const got = seen.got.map((m) => m.payload && m.payload.text).filter((t) => texts.includes(t));
    check(JSON.stringify(got) === JSON.stringify(texts), 'each once, in order', got);
    return { got };
  });

  await step('the owner disbands the room: the member and the viewer are told', async () => {
    const b = await loginWatching(B, SIG_B, []);
    const res = await b.chat.dismissGroup(ROOM);
    check(res.code === 0, 'dismissGroup resolves', res);
    const dismissed = (m) =>
      m.type === a.TYPES.MSG_GRP_SYS_NOTICE && m.payload && m.payload.operationType === 5 &&
      m.payload.groupProfile && m.payload.groupProfile.groupID === ROOM;
    const member = await heard.next(dismissed, 'A: the room-dismissed notice');
    const watcher = await seen.next(dismissed, 'the viewer: the room-dismissed notice (polled)');
    const again = await viewer.chat.joinGroup({ groupID: ROOM }).catch((e) => e);
    check(again.code !== 0, 'the room is gone for a viewer too', again);
    await b.chat.logout();
    return { member: member.payload.operationType, viewer: watcher.payload.operationType, rejoin: again.code };
  });

  await step('a group of another type refuses a viewer without login', async () => {
    const res = await viewer.chat.joinGroup({ groupID: PUBLIC }).catch((e) => e);
    check(res.code !== 0, 'joinGroup fails', res);
    return { code: res.code };
  });
}

main().then(
  () => report(true),
  (e) => report(false, e),
);
