// Group messages as one member sees them, through Tencent's Web SDK against Natter: B deletes
// one of A's group messages for itself (deleteMessage: gone from B's history on a new login, kept
// by A); A asks which members read a message (callExperimentalAPI('getGroupReceiptsByUsers'));
// B sets an extension on a message of a community topic, which A sees and reads back; and A
// answers a join request from its system notice, after which the SDK deletes the notice
// (openim.deletemsg). Run by tests/it/web_sdk_group_own.rs; arguments and the one-line JSON
// report on stdout as in two-users.mjs:
//
//   node group-own.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import {
  A,
  B,
  SIG_A,
  SIG_B,
  check,
  eventually,
  loginWatching,
  report,
  requests,
  started,
  step,
  watchedEvent,
  withTimeout,
} from './harness.mjs';

const KINDS = ['MESSAGE_EXTENSIONS_UPDATED', 'GROUP_LIST_UPDATED'];
const login = (userID, userSig) => loginWatching(userID, userSig, KINDS);

function received(user, text) {
  return eventually(`${user.userID}: the message "${text}"`, () => {
    const got = user.messages.find((m) => m.payload && m.payload.text === text);
    return { ok: got !== undefined, value: got, seen: user.messages.length };
  });
}

async function send(user, to, text, options = {}) {
  const message = user.chat.createTextMessage({ to, conversationType: user.TYPES.CONV_GROUP, payload: { text }, ...options });
  const res = await withTimeout(user.chat.sendMessage(message), `${user.userID}: sendMessage`);
  return res.data.message;
}

/// The texts of `user`'s history of the group, as the server gives it to a fresh page.
async function historyTexts(user, groupID) {
  const res = await withTimeout(user.chat.getMessageList({ conversationID: `GROUP${groupID}` }), `${user.userID}: getMessageList`);
  return res.data.messageList.filter((m) => m.payload && m.payload.text !== undefined).map((m) => m.payload.text);
}

async function main() {
  const stamp = Date.now().toString(36);
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);

  let groupID;
  await step('A creates a Public group with B in it', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_PUBLIC, name: 'own', memberList: [{ userID: B }] });
    groupID = res.data.group.groupID;
    await watchedEvent(b, 'GROUP_LIST_UPDATED', (list) => list.some((g) => g.groupID === groupID), 'the group in its list');
    return { groupID };
  });

  const keep = `keep ${stamp}`;
  const gone = `delete me ${stamp}`;
  let kept;
  await step('B deletes one of A\'s group messages for itself; A keeps it', async () => {
    kept = await send(a, groupID, keep, { needReadReceipt: true });
    await send(a, groupID, gone);
    const theirs = await received(b, gone);
    await received(b, keep);
    await withTimeout(b.chat.deleteMessage([theirs]), `${B}: deleteMessage`);
    const fresh = await login(B, SIG_B);
    const texts = await historyTexts(fresh, groupID);
    check(texts.includes(keep) && !texts.includes(gone), `${B}: a new login's history has the kept message alone`, texts);
    const owner = await login(A, SIG_A);
    const ownerTexts = await historyTexts(owner, groupID);
    check(ownerTexts.includes(keep) && ownerTexts.includes(gone), `${A}: keeps both`, ownerTexts);
    await fresh.chat.logout();
    await owner.chat.logout();
    return { texts, ownerTexts, deletedSequence: theirs.sequence };
  });

  await step('A asks which of its members read a message (getGroupReceiptsByUsers)', async () => {
    await withTimeout(b.chat.setMessageRead({ conversationID: `GROUP${groupID}` }), `${B}: setMessageRead`);
    const res = await withTimeout(
      a.chat.callExperimentalAPI('getGroupReceiptsByUsers', { groupID, dataList: [{ sequence: kept.sequence, userIDList: [B, A] }] }),
      `${A}: getGroupReceiptsByUsers`,
    );
    const list = res.data.dataList;
    check(Array.isArray(list) && list.length === 1, 'one member read it (the sender never counts)', res.data);
    return { sequence: kept.sequence, dataList: list };
  });

  let communityID;
  let topicID;
  await step('A creates a community with a topic, B in it', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_COMMUNITY, name: 'town', isSupportTopic: true, memberList: [{ userID: B }] });
    communityID = res.data.group.groupID;
    const created = await a.chat.createTopicInCommunity({ groupID: communityID, topicName: 'votes' });
    topicID = created.data.topicID;
    return { communityID, topicID };
  });

  await step('topic: B sets an extension on A\'s message; A sees it and reads it back', async () => {
    const text = `vote ${stamp}`;
    const mine = await send(a, topicID, text, { isSupportExtension: true });
    const theirs = await received(b, text);
    check(theirs.isSupportExtension === true && theirs.to === topicID, 'the topic message takes extensions', { to: theirs.to, ext: theirs.isSupportExtension });
    // Extensions are a purchased feature: the SDK refuses them (3122) until it has Natter's
    // purchase bits, which it asks for after the login.
    await eventually(`${B}: the SDK may use message extensions`, async () => {
      const r = await b.chat.getMessageExtensions(theirs).catch((e) => e);
      return { ok: r.code === 0, value: r, seen: r };
    });
    const set = await b.chat.setMessageExtensions(theirs, [{ key: B, value: 'yes' }]);
    check(set.data.extensions.every((e) => e.code === 0), 'B sets its vote', set.data);
    const seen = await watchedEvent(a, 'MESSAGE_EXTENSIONS_UPDATED', (d) => d.messageID === mine.ID, 'MESSAGE_EXTENSIONS_UPDATED');
    check(seen.extensions.some((e) => e.key === B && e.value === 'yes'), 'A sees the vote', seen);
    const read = await a.chat.getMessageExtensions(mine);
    const values = Object.fromEntries(read.data.extensions.map((e) => [e.key, e.value]));
    check(values[B] === 'yes', 'A reads it back', read.data);
    return { extensions: values };
  });

  await step('A answers a join request from its notice; the SDK deletes the notice', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_PUBLIC, name: 'asked', joinOption: a.TYPES.JOIN_OPTIONS_NEED_PERMISSION });
    const askedID = res.data.group.groupID;
    await b.chat.joinGroup({ groupID: askedID, applyMessage: 'let me in' }).catch((e) => e);
    const notice = await eventually(`${A}: the join request notice`, () => {
      const found = a.messages.find((m) => m.type === a.TYPES.MSG_GRP_SYS_NOTICE && m.payload.operationType === 1
        && m.payload.groupProfile.groupID === askedID);
      return { ok: found !== undefined, value: found, seen: a.messages.map((m) => m.type) };
    });
    const since = Date.now() - started;
    await withTimeout(a.chat.handleGroupApplication({ handleAction: 'Agree', message: notice }), `${A}: handleGroupApplication`);
    await eventually(`${A}: openim.deletemsg sent and the notice gone from the system conversation`, async () => {
      const sent = requests(A, 'openim.deletemsg', since).length;
      const list = await a.chat.getMessageList({ conversationID: '@TIM#SYSTEM' });
      const left = list.data.messageList.filter((m) => m.ID === notice.ID).length;
      return { ok: sent > 0 && left === 0, value: true, seen: { sent, left } };
    });
    return { groupID: askedID };
  });

  report(true);
}

main().catch((e) => report(false, e));
