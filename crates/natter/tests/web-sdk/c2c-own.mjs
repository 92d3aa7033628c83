// One's own side of one-to-one conversations through Tencent's Web SDK against Natter: a read
// receipt the sender asked for (MESSAGE_READ_RECEIPT_RECEIVED), the notification setting per
// peer (setMessageRemindType) and for all messages (setAllReceiveMessageOpt), each followed by
// the user's other device and seen by a new login,
// deleting messages for oneself (deleteMessage: gone from the user's history, kept by the peer),
// a merged message too large to send whole (createMergerMessage, downloadMergerMessage),
// and the recall time limit (revokeMessage after it: 20016 one-to-one, 10031 in a group). Run
// by tests/it/web_sdk_c2c.rs; arguments and the one-line JSON report on stdout as in
// two-users.mjs, and CLOCK_URL (the server's /_natter/clock with an admin's UserSig), which
// the last step moves past the recall time limit.
//
//   node c2c-own.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import { A, B, PROXY, SDKAppID, SDK_LOG, SIG_A, SIG_B, check, eventually, extra, freshSDK, inbox, report, step, withTimeout } from './harness.mjs';

const CLOCK_URL = process.env.CLOCK_URL;

async function login(userID, userSig) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY });
  chat.setLogLevel(SDK_LOG);
  const E = TencentCloudChat.EVENT;
  const ready = new Promise((resolve) => chat.on(E.SDK_READY, resolve));
  const user = { userID, chat, E, TYPES: TencentCloudChat.TYPES, receipts: [], allOpts: [] };
  chat.on(E.ALL_RECEIVE_MESSAGE_OPT_UPDATED, (ev) => user.allOpts.push(ev.data));
  chat.on(E.MESSAGE_READ_RECEIPT_RECEIVED, (ev) => user.receipts.push(...ev.data));
  chat.on(E.ERROR, (ev) => console.error(`[${userID}] ERROR event`, ev.data));
  user.inbox = inbox(user);
  const res = await withTimeout(chat.login({ userID, userSig }), `${userID}: login()`);
  check(res.code === 0, `${userID}: login() resolves with code 0`, res.code);
  await withTimeout(ready, `${userID}: SDK_READY`);
  return user;
}

async function send(from, to, text, options = {}) {
  const msg = from.chat.createTextMessage({ to, conversationType: from.TYPES.CONV_C2C, payload: { text }, ...options });
  const res = await withTimeout(from.chat.sendMessage(msg), `${from.userID}: sendMessage`);
  return res.data.message;
}

/// Waits until `user`'s conversation with `peer` shows `remindType` (the SDK's own copy, as
/// `getConversationProfile` reads it).
function remindTypeShows(user, peer, remindType) {
  return eventually(`${user.userID}: C2C${peer} has messageRemindType ${remindType}`, async () => {
    const res = await user.chat.getConversationProfile(`C2C${peer}`);
    const seen = res.data.conversation.messageRemindType;
    return { ok: seen === remindType, value: seen, seen };
  });
}

/// The texts of `user`'s history with `peer`, as the server gives it to a fresh page.
async function historyTexts(user, peer) {
  const res = await withTimeout(user.chat.getMessageList({ conversationID: `C2C${peer}` }), `${user.userID}: getMessageList`);
  return res.data.messageList.map((m) => m.payload && m.payload.text);
}

/// The error code an SDK call fails with (0 when it succeeds).
async function codeOf(promise, what) {
  try {
    await withTimeout(promise, what);
    return 0;
  } catch (e) {
    return e && e.code;
  }
}

async function main() {
  const stamp = Date.now().toString(36);
  let a;
  let a2;
  let b;
  await step('log in A twice and B', async () => {
    a = await login(A, SIG_A);
    a2 = await login(A, SIG_A);
    b = await login(B, SIG_B);
  });

  await step("B reads A's message that asked for a receipt; A's SDK hears of it", async () => {
    const text = `receipt please ${stamp}`;
    const sent = await send(a, B, text, { needReadReceipt: true });
    const got = await b.inbox.next((m) => m.payload && m.payload.text === text, `${B}: the text`);
    check(got.needReadReceipt === true, `${B}: the message asks for a receipt`, got.needReadReceipt);
    await withTimeout(b.chat.sendMessageReadReceipt([got]), `${B}: sendMessageReadReceipt`);
    const receipt = await eventually(`${A}: MESSAGE_READ_RECEIPT_RECEIVED for ${sent.ID}`, async () => {
      const r = a.receipts.find((x) => x.messageID === sent.ID);
      return { ok: r !== undefined, value: r, seen: a.receipts };
    });
    check(receipt.userID === B && receipt.isPeerRead === true, 'the receipt names B and says read', receipt);
    return { receipt };
  });

  await step("A stops notifications of B's messages; A's other device and a new login show it", async () => {
    const quiet = a.TYPES.MSG_REMIND_ACPT_NOT_NOTE;
    const res = await withTimeout(a.chat.setMessageRemindType({ userIDList: [B], messageRemindType: quiet }), 'setMessageRemindType');
    check(res.data.successUserIDList.some((u) => u.userID === B), 'setMessageRemindType succeeds for B', res.data);
    await remindTypeShows(a2, B, quiet);
    const a3 = await login(A, SIG_A);
    await remindTypeShows(a3, B, quiet);
    return { remindType: quiet };
  });

  await step("A sets do not disturb for all messages; A's other device and a new login see it", async () => {
    const quiet = a.TYPES.MSG_REMIND_ACPT_NOT_NOTE;
    await withTimeout(
      a.chat.setAllReceiveMessageOpt({ messageRemindType: quiet, startHour: 22, startMinute: 0, startSecond: 0, duration: 8 * 3600 }),
      'setAllReceiveMessageOpt',
    );
    const pushed = await eventually(`${A}: ALL_RECEIVE_MESSAGE_OPT_UPDATED`, async () => {
      const got = a2.allOpts.find((o) => o.messageRemindType === quiet);
      return { ok: got !== undefined, value: got, seen: a2.allOpts };
    });
    check(pushed.endTime - pushed.startTime === 8 * 3600 && pushed.isRepeated === true, 'the other device has the span', pushed);
    const fresh = await login(A, SIG_A);
    const res = await withTimeout(fresh.chat.getAllReceiveMessageOpt(), 'getAllReceiveMessageOpt');
    check(res.data.messageRemindType === quiet && res.data.startTime === pushed.startTime, 'a new login reads it', res.data);
    return { setting: res.data };
  });

  await step('A deletes two messages of the conversation for itself; B keeps them', async () => {
    const mine = await send(a, B, `delete mine ${stamp}`);
    const keep = await send(a, B, `keep ${stamp}`);
    const theirs = await send(b, A, `delete theirs ${stamp}`);
    const theirsAtA = await a.inbox.next((m) => m.ID === theirs.ID, `${A}: B's text`);
    await withTimeout(a.chat.deleteMessage([mine, theirsAtA]), `${A}: deleteMessage`);
    const fresh = await login(A, SIG_A);
    const texts = await historyTexts(fresh, B);
    check(texts.includes(keep.payload.text), `${A}: the kept message is still in the history`, texts);
    check(!texts.includes(mine.payload.text) && !texts.includes(theirs.payload.text), `${A}: the deleted ones are gone`, texts);
    const peer = await login(B, SIG_B);
    const peerTexts = await historyTexts(peer, A);
    for (const m of [mine, keep, theirs]) check(peerTexts.includes(m.payload.text), `${B}: keeps ${m.payload.text}`, peerTexts);
    extra.deleted = [mine.payload.text, theirs.payload.text];
    extra.kept = keep.payload.text;
    return { texts, peerTexts };
  });

  await step('A merges 12 long messages into one; B downloads them', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `${i} ${stamp} ${'x'.repeat(1000)}`);
    const sent = [];
    for (const text of texts) sent.push(await send(a, B, text));
    const merger = a.chat.createMergerMessage({
      to: B,
      conversationType: a.TYPES.CONV_C2C,
      payload: { messageList: sent, title: 'Chat history', abstractList: ['A: 0', 'A: 1'], compatibleText: 'merged' },
    });
    await withTimeout(a.chat.sendMessage(merger), `${A}: sendMessage(merger)`);
    const got = await b.inbox.next((m) => m.type === b.TYPES.MSG_MERGER && m.payload.title === 'Chat history', `${B}: the merged message`);
    check(got.payload.downloadKey, `${B}: the merged message is to be downloaded`, got.payload);
    const res = await withTimeout(b.chat.downloadMergerMessage(got), `${B}: downloadMergerMessage`);
    const list = res.payload.messageList;
    // The SDK gives each merged message its body as `messageBody` ([{type, payload}]).
    const downloaded = list.map((m) => (m.messageBody && m.messageBody[0] && m.messageBody[0].payload.text) || (m.payload && m.payload.text));
    check(JSON.stringify(downloaded) === JSON.stringify(texts), `${B}: the 12 texts, in order`, { first: list[0], texts: downloaded.map((t) => t && t.slice(0, 12)) });
    return { count: downloaded.length };
  });

  await step('past the recall time limit a recall fails: 20016 one-to-one, 10031 in a group', async () => {
    check(CLOCK_URL, 'CLOCK_URL is set');
    const early = await send(a, B, `recall in time ${stamp}`);
    const late = await send(a, B, `recall too late ${stamp}`);
    const created = await withTimeout(a.chat.createGroup({ type: a.TYPES.GRP_WORK, name: `recall ${stamp}`, memberList: [{ userID: B }] }), 'createGroup');
    const groupID = created.data.group.groupID;
    const groupMsg = a.chat.createTextMessage({ to: groupID, conversationType: a.TYPES.CONV_GROUP, payload: { text: `group ${stamp}` } });
    const sentInGroup = (await withTimeout(a.chat.sendMessage(groupMsg), 'sendMessage(group)')).data.message;
    check((await codeOf(a.chat.revokeMessage(early), 'revokeMessage in time')) === 0, 'a recall within the limit succeeds');
    const moved = await fetch(CLOCK_URL, { method: 'POST', body: JSON.stringify({ Action: 'advance', Ms: 121000 }) });
    check(moved.ok, 'the clock moved', moved.status);
    const c2c = await codeOf(a.chat.revokeMessage(late), 'revokeMessage late');
    const group = await codeOf(a.chat.revokeMessage(sentInGroup), 'revokeMessage(group) late');
    check(c2c === 20016, 'a late one-to-one recall fails with 20016', c2c);
    check(group === 10031, 'a late group recall fails with 10031', group);
    extra.lateText = late.payload.text;
    return { c2c, group };
  });
  report(true);
}

main().catch((e) => report(false, e));
