// Message extensions and pinned group messages through Tencent's Web SDK against Natter:
// one-to-one and group messages sent with `isSupportExtension`, whose extensions one user sets
// and deletes and the other sees through the SDK's events and reads back; the group message
// pinned and unpinned by the owner, seen by the member. Run by tests/it/web_sdk_message_extras.rs;
// arguments, env and the one-line JSON report on stdout as in two-users.mjs:
//
//   node message-extras.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import {
  A,
  B,
  SIG_A,
  SIG_B,
  check,
  eventually,
  loginWatching,
  report,
  step,
  watchedEvent,
} from './harness.mjs';

const KINDS = ['MESSAGE_EXTENSIONS_UPDATED', 'MESSAGE_EXTENSIONS_DELETED', 'GROUP_LIST_UPDATED', 'PINNED_GROUP_MESSAGE_UPDATED'];

const login = (userID, userSig) => loginWatching(userID, userSig, KINDS);
const event = watchedEvent;

function received(user, text) {
  return eventually(`${user.userID}: the message "${text}"`, () => {
    const got = user.messages.find((m) => m.payload && m.payload.text === text);
    return { ok: got !== undefined, value: got, seen: user.messages.length };
  });
}

/// As a map, the `extensions` the SDK answers or reports.
const asMap = (list) => Object.fromEntries(list.map((e) => [e.key, e.value]));

/// A sends `text` to `to`; B receives it; each side sets and deletes extensions the other sees.
async function exchange(a, b, to, conversationType, text) {
  const message = a.chat.createTextMessage({ to, conversationType, payload: { text }, isSupportExtension: true });
  const sent = await a.chat.sendMessage(message);
  const mine = sent.data.message;
  const theirs = await received(b, text);
  check(theirs.isSupportExtension === true, 'the received message takes extensions', theirs);
  check(theirs.ID === mine.ID, 'both ends know the message by one ID', { mine: mine.ID, theirs: theirs.ID });

  // Extensions are a purchased feature: the SDK refuses them (3122) until it has Natter's
  // purchase bits, which it asks for after the login.
  for (const [u, m] of [[a, mine], [b, theirs]]) {
    await eventually(`${u.userID}: the SDK may use message extensions`, async () => {
      const res = await u.chat.getMessageExtensions(m).catch((e) => e);
      return { ok: res.code === 0, value: res, seen: res };
    });
  }
  const set = await a.chat.setMessageExtensions(mine, [{ key: 'votes', value: '1' }, { key: 'mood', value: 'happy' }]);
  check(set.data.extensions.every((e) => e.code === 0), 'A sets two keys', set.data);
  const seen = await event(b, 'MESSAGE_EXTENSIONS_UPDATED', (d) => d.messageID === theirs.ID, 'MESSAGE_EXTENSIONS_UPDATED');
  check(asMap(seen.extensions).votes === '1' && asMap(seen.extensions).mood === 'happy', 'B sees both keys', seen);

  const read = await b.chat.getMessageExtensions(theirs);
  check(asMap(read.data.extensions).votes === '1', 'B reads them back', read.data);

  const changed = await b.chat.setMessageExtensions(theirs, [{ key: 'votes', value: '2' }]);
  check(changed.data.extensions[0].code === 0, 'B changes one', changed.data);
  await event(a, 'MESSAGE_EXTENSIONS_UPDATED', (d) => d.messageID === mine.ID && asMap(d.extensions).votes === '2', 'A sees votes 2');

  await b.chat.deleteMessageExtensions(theirs, ['mood']);
  const gone = await event(a, 'MESSAGE_EXTENSIONS_DELETED', (d) => d.messageID === mine.ID, 'MESSAGE_EXTENSIONS_DELETED');
  check(gone.keyList.includes('mood'), 'A hears mood deleted', gone);
  const after = await a.chat.getMessageExtensions(mine);
  check(JSON.stringify(asMap(after.data.extensions)) === JSON.stringify({ votes: '2' }), 'A reads votes 2 alone', after.data);

  // A fresh SDK of B never read the message's extensions: it sends Seq 0 for `votes`, written
  // since, so that key is left alone (23001) and answered with its value now, which the SDK
  // keeps; the same write then goes through.
  const fresh = await login(B, SIG_B);
  const list = await fresh.chat.getMessageList({ conversationID: theirs.conversationID });
  const copy = list.data.messageList.find((m) => m.ID === theirs.ID);
  check(copy !== undefined, 'a fresh SDK of B has the message', list.data.messageList.map((m) => m.ID));
  const stale = await eventually(`${B}: a fresh SDK may use message extensions`, async () => {
    const res = await fresh.chat.setMessageExtensions(copy, [{ key: 'votes', value: '3' }]).catch((e) => e);
    return { ok: res.code !== 3122, value: res, seen: res };
  });
  const conflict = stale.data.extensions[0];
  check(conflict.code === 23001 && conflict.value === '2', 'a key written since is left alone, with its value now', stale.data);
  const again = await fresh.chat.setMessageExtensions(copy, [{ key: 'votes', value: '2' }]);
  check(again.data.extensions[0].code === 0, 'the write goes through from the version now known', again.data);
  await fresh.chat.logout();
  return { mine, theirs, extensions: asMap(after.data.extensions), conflict };
}

async function main() {
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);

  await step('one-to-one: extensions set, changed and deleted on both ends', async () => {
    const { mine, extensions, conflict } = await exchange(a, b, B, a.TYPES.CONV_C2C, 'extend me');
    return { messageID: mine.ID, extensions, conflict };
  });

  let groupID;
  await step('A creates a Public group with B in it', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_PUBLIC, name: 'ext', memberList: [{ userID: B }] });
    groupID = res.data.group.groupID;
    await event(b, 'GROUP_LIST_UPDATED', (list) => list.some((g) => g.groupID === groupID), 'the group in its list');
    return { groupID };
  });

  let sent;
  await step('group: extensions set, changed and deleted on both ends', async () => {
    sent = await exchange(a, b, groupID, a.TYPES.CONV_GROUP, 'extend the group');
    return { groupID, messageID: sent.mine.ID, sequence: sent.mine.sequence, extensions: sent.extensions, conflict: sent.conflict };
  });

  await step('group: the owner pins the message and unpins it; the member follows', async () => {
    const { mine, theirs } = sent;
    await a.chat.pinGroupMessage({ groupID, message: mine, isPinned: true });
    const pinned = await event(b, 'PINNED_GROUP_MESSAGE_UPDATED', (d) => d.isPinned === true, 'PINNED_GROUP_MESSAGE_UPDATED pinned');
    check(pinned.groupID === groupID && pinned.message.ID === theirs.ID, 'the event names the group and the message', { groupID: pinned.groupID, ID: pinned.message && pinned.message.ID });
    check(pinned.operatorInfo.userID === A, 'A pinned it', pinned.operatorInfo);
    const list = await b.chat.getPinnedGroupMessageList(groupID);
    check(list.data.messageList.length === 1 && list.data.messageList[0].ID === theirs.ID, 'B lists the pinned message', list.data.messageList.map((m) => m.ID));
    const refused = await b.chat.pinGroupMessage({ groupID, message: theirs, isPinned: false }).catch((e) => e);
    check(refused.code !== 0 && refused.code !== undefined, 'a member may not unpin', refused);
    await a.chat.pinGroupMessage({ groupID, message: mine, isPinned: false });
    await event(b, 'PINNED_GROUP_MESSAGE_UPDATED', (d) => d.isPinned === false, 'PINNED_GROUP_MESSAGE_UPDATED unpinned');
    const none = await b.chat.getPinnedGroupMessageList(groupID);
    check(none.data.messageList.length === 0, 'nothing is pinned', none.data.messageList.length);
    return { refusedWith: refused.code };
  });

  report(true);
}

main().catch((e) => report(false, e));
