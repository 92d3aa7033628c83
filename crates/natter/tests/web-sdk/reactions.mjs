// Message reactions through Tencent's Web SDK against Natter: on a one-to-one, a group and a
// community topic's message, each user adds and removes reactions, the other hears of it (MESSAGE_REACTIONS_UPDATED),
// lists them (getMessageReactions) and pages a reaction's users (getAllUserListOfMessageReaction);
// Tencent's codes for reacting twice (23007) and removing what one does not have (23008). Run by
// tests/it/web_sdk_reactions.rs; arguments, env and the one-line JSON report on stdout as in
// two-users.mjs:
//
//   node reactions.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
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

const KINDS = ['MESSAGE_REACTIONS_UPDATED', 'GROUP_LIST_UPDATED'];

const login = (userID, userSig) => loginWatching(userID, userSig, KINDS);

function received(user, text) {
  return eventually(`${user.userID}: the message "${text}"`, () => {
    const got = user.messages.find((m) => m.payload && m.payload.text === text);
    return { ok: got !== undefined, value: got, seen: user.messages.length };
  });
}

/// The reaction `id` of a MESSAGE_REACTIONS_UPDATED (or a listed message) as
/// `{count, users, mine}`, or undefined.
function reactionOf(data, id) {
  const r = (data.reactionList || []).find((x) => x.reactionID === id);
  return r && { count: r.totalUserCount, users: r.partialUserList.map((u) => u.userID), mine: r.reactedByMyself };
}

/// Waits for `user`'s MESSAGE_REACTIONS_UPDATED about `messageID` whose reaction `id` has the
/// users `users` (in order); returns that reaction.
function updated(user, messageID, id, users) {
  return watchedEvent(
    user,
    'MESSAGE_REACTIONS_UPDATED',
    (d) => d.messageID === messageID && ((reactionOf(d, id) || {}).users || []).join() === users.join(),
    `MESSAGE_REACTIONS_UPDATED: ${id} by ${users.join()}`,
  ).then((d) => reactionOf(d, id));
}

/// `user`'s error code for a call that should fail.
const codeOf = (promise) => promise.then(() => 0, (e) => e.code);

/// A sends `text` to `to`; both react, list, page and take back.
async function exchange(a, b, to, conversationType, text) {
  const sent = await a.chat.sendMessage(a.chat.createTextMessage({ to, conversationType, payload: { text } }));
  const mine = sent.data.message;
  const theirs = await received(b, text);
  check(theirs.ID === mine.ID, 'both ends know the message by one ID', { mine: mine.ID, theirs: theirs.ID });

  // Reactions are a purchased feature: the SDK refuses them (3122) until it has Natter's purchase
  // bits, which it asks for after the login.
  for (const [u, m] of [[a, mine], [b, theirs]]) {
    await eventually(`${u.userID}: the SDK may use message reactions`, async () => {
      const res = await u.chat.getMessageReactions({ messageList: [m], maxUserCountPerReaction: 10 }).catch((e) => e);
      return { ok: res.code === 0, value: res, seen: res };
    });
  }

  // B reacts; A hears of it.
  await b.chat.addMessageReaction(theirs, 'smile');
  const first = await updated(a, mine.ID, 'smile', [B]);
  check(first.count === 1 && first.mine === false, 'A sees B alone, not A', first);
  const twice = await codeOf(b.chat.addMessageReaction(theirs, 'smile'));

  // A reacts too; B hears of it, with A's name after its own.
  await a.chat.addMessageReaction(mine, 'smile');
  const second = await updated(b, theirs.ID, 'smile', [B, A]);
  check(second.count === 2 && second.mine === true, 'B sees both, itself among them', second);

  const listed = await a.chat.getMessageReactions({ messageList: [mine], maxUserCountPerReaction: 10 });
  const entry = listed.data.resultList[0];
  check(entry.messageID === mine.ID, 'the list names the message', entry);
  const smile = reactionOf(entry, 'smile');
  check(smile.count === 2 && smile.mine === true && smile.users.join() === `${B},${A}`, 'A lists smile: 2 users, its own', smile);

  // A reaction's users in the order they reacted. The SDK sends the page's start (nextSeq) for
  // group messages only, so one-to-one messages are read whole (at most 100 users, one page).
  if (conversationType === a.TYPES.CONV_GROUP) {
    const pageOne = await b.chat.getAllUserListOfMessageReaction({ message: theirs, reactionID: 'smile', nextSeq: 0, count: 1 });
    check(pageOne.data.userList.map((u) => u.userID).join() === B && pageOne.data.isCompleted === false, 'page 1: B', pageOne.data);
    const pageTwo = await b.chat.getAllUserListOfMessageReaction({ message: theirs, reactionID: 'smile', nextSeq: pageOne.data.nextSeq, count: 1 });
    check(pageTwo.data.userList.map((u) => u.userID).join() === A && pageTwo.data.isCompleted === true, 'page 2: A, the last', pageTwo.data);
  } else {
    const all = await b.chat.getAllUserListOfMessageReaction({ message: theirs, reactionID: 'smile', nextSeq: 0, count: 100 });
    check(all.data.userList.map((u) => u.userID).join() === `${B},${A}` && all.data.isCompleted === true, 'B, then A, the last', all.data);
  }

  // B takes its reaction back; A hears of it; a second time is refused.
  await b.chat.removeMessageReaction(theirs, 'smile');
  const after = await updated(a, mine.ID, 'smile', [A]);
  check(after.count === 1 && after.mine === true, 'A alone is left', after);
  const notThere = await codeOf(b.chat.removeMessageReaction(theirs, 'smile'));
  return { messageID: mine.ID, sequence: mine.sequence, twice, notThere };
}

async function main() {
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);

  await step('one-to-one: both react, list, page and take back', () =>
    exchange(a, b, B, a.TYPES.CONV_C2C, 'react to me'),
  );

  let groupID;
  await step('A creates a Public group with B in it', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_PUBLIC, name: 'reactions', memberList: [{ userID: B }] });
    groupID = res.data.group.groupID;
    await watchedEvent(b, 'GROUP_LIST_UPDATED', (list) => list.some((g) => g.groupID === groupID), 'the group in its list');
    return { groupID };
  });

  await step('group: both react, list, page and take back', async () => ({
    groupID,
    ...(await exchange(a, b, groupID, a.TYPES.CONV_GROUP, 'react to the group')),
  }));

  let topicID;
  await step('A creates a community with a topic, B in it', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_COMMUNITY, name: 'town', isSupportTopic: true, memberList: [{ userID: B }] });
    const created = await a.chat.createTopicInCommunity({ groupID: res.data.group.groupID, topicName: 'votes' });
    topicID = created.data.topicID;
    return { groupID: res.data.group.groupID, topicID };
  });

  // A topic's message: the SDK's calls name the topic.
  await step('topic: both react, list, page and take back', async () => ({
    topicID,
    ...(await exchange(a, b, topicID, a.TYPES.CONV_GROUP, 'react to the topic')),
  }));

  report(true);
}

main().catch((e) => report(false, e));
