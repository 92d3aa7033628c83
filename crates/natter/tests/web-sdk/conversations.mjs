// Conversations and user status through Tencent's Web SDK, against Natter: A logs in on two
// instances (two devices) and B on one. B writes to A; on A's first device A pins, marks and
// then deletes the conversation, and A's second device follows each change through the SDK's
// own pushes (CONVERSATION_LIST_UPDATED). B subscribes to A's status and sees the custom status
// A sets (USER_STATUS_UPDATED), and reads it with getUserStatus. Run by tests/it/web_sdk.rs.
//
//   node conversations.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
//
// The report, stdout and stderr are as for two-users.mjs (see harness.mjs).
import {
  A,
  B,
  PROXY,
  SDKAppID,
  SDK_LOG,
  SIG_A,
  SIG_B,
  check,
  eventually,
  freshSDK,
  inbox,
  report,
  step,
  withTimeout,
} from './harness.mjs';

async function login(userID, userSig) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY });
  chat.setLogLevel(SDK_LOG);
  const E = TencentCloudChat.EVENT;
  const ready = new Promise((resolve) => chat.on(E.SDK_READY, resolve));
  const user = { userID, chat, E, TYPES: TencentCloudChat.TYPES, conversations: [], statuses: [] };
  chat.on(E.CONVERSATION_LIST_UPDATED, (ev) => {
    user.conversations = ev.data;
  });
  chat.on(E.USER_STATUS_UPDATED, (ev) => user.statuses.push(...ev.data));
  chat.on(E.ERROR, (ev) => console.error(`[${userID}] ERROR event`, ev.data));
  const res = await withTimeout(chat.login({ userID, userSig }), `${userID}: login()`);
  check(res.code === 0, `${userID}: login() resolves with code 0`, res.code);
  await withTimeout(ready, `${userID}: SDK_READY`);
  user.inbox = inbox(user);
  return user;
}

/// Waits until `user`'s last CONVERSATION_LIST_UPDATED list passes `test` on conversation `id`
/// (undefined when the list no longer has it).
function listShows(user, id, what, test) {
  return eventually(`${user.userID}: ${what}`, async () => {
    const conv = user.conversations.find((c) => c.conversationID === id);
    return {
      ok: test(conv),
      value: conv,
      seen: user.conversations.map((c) => ({ id: c.conversationID, isPinned: c.isPinned, markList: c.markList })),
    };
  });
}

async function main() {
  const conv = `C2C${B}`;
  const text = `for the pins, ${Date.now().toString(36)}`;
  let a;
  let a2;
  let b;
  await step('log in A twice and B', async () => {
    a = await login(A, SIG_A);
    a2 = await login(A, SIG_A);
    b = await login(B, SIG_B);
  });
  await step('B writes to A; both of A see the conversation', async () => {
    const msg = b.chat.createTextMessage({ to: A, conversationType: b.TYPES.CONV_C2C, payload: { text } });
    await withTimeout(b.chat.sendMessage(msg), `${B}: sendMessage`);
    for (const device of [a, a2]) {
      await device.inbox.next((m) => m.payload && m.payload.text === text, `${A}: the text`);
      await listShows(device, conv, `has ${conv}`, (c) => c !== undefined);
    }
  });
  await step('A pins it; the other device follows', async () => {
    const res = await withTimeout(a.chat.pinConversation({ conversationID: conv, isPinned: true }), 'pinConversation');
    check(res.data.conversationID === conv, 'pinConversation answers the conversation', res.data);
    await listShows(a2, conv, `${conv} pinned`, (c) => c && c.isPinned === true);
  });
  await step('A marks it as starred; the other device follows', async () => {
    const star = a.TYPES.CONV_MARK_TYPE_STAR;
    const res = await withTimeout(
      a.chat.markConversation({ conversationIDList: [conv], markType: star, enableMark: true }),
      'markConversation',
    );
    check(res.data.successConversationIDList.includes(conv), 'markConversation succeeds', res.data);
    await listShows(a2, conv, `${conv} starred`, (c) => c && c.markList.includes(star));
    return { markType: star };
  });
  await step('A unpins it; the other device follows', async () => {
    await withTimeout(a.chat.pinConversation({ conversationID: conv, isPinned: false }), 'pinConversation');
    await listShows(a2, conv, `${conv} not pinned`, (c) => c && c.isPinned === false);
  });
  await step("B subscribes to A's status and sees A's custom status", async () => {
    const sub = await withTimeout(b.chat.subscribeUserStatus({ userIDList: [A] }), 'subscribeUserStatus');
    check(sub.data.failureUserList.length === 0, 'subscribeUserStatus has no failures', sub.data);
    const set = await withTimeout(a.chat.setSelfStatus({ customStatus: 'in a meeting' }), 'setSelfStatus');
    check(set.data.customStatus === 'in a meeting', 'setSelfStatus answers the status', set.data);
    await eventually(`${B}: USER_STATUS_UPDATED for ${A}`, async () => {
      const got = b.statuses.find((s) => s.userID === A && s.customStatus === 'in a meeting');
      return { ok: got !== undefined, value: got, seen: b.statuses };
    });
    const res = await withTimeout(b.chat.getUserStatus({ userIDList: [A] }), 'getUserStatus');
    const status = res.data.successUserList.find((s) => s.userID === A);
    check(status && status.statusType === b.TYPES.USER_STATUS_ONLINE, `${A} is online`, res.data);
    check(status.customStatus === 'in a meeting', `getUserStatus has ${A}'s custom status`, res.data);
    return { status };
  });
  await step('A deletes it; the other device drops it', async () => {
    const res = await withTimeout(a.chat.deleteConversation(conv), 'deleteConversation');
    check(res.data.conversationID === conv, 'deleteConversation answers the conversation', res.data);
    await listShows(a2, conv, `${conv} gone`, (c) => c === undefined);
  });
  report(true);
}

main().catch((e) => report(false, e));
