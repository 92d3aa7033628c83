// Group data through Tencent's Web SDK against Natter: custom group attributes, group counters
// and community topics, each changed by one user and seen by the other through the SDK's
// events. Run by tests/it/web_sdk.rs; arguments, env and the one-line JSON report on stdout as
// in two-users.mjs:
//
//   node group-data.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import {
  A,
  B,
  SIG_A,
  SIG_B,
  check,
  eventually,
  loginWatching,
  report,
  show,
  step,
  watchedEvent,
} from './harness.mjs';

const KINDS = ['GROUP_ATTRIBUTES_UPDATED', 'GROUP_COUNTER_UPDATED', 'GROUP_LIST_UPDATED', 'TOPIC_CREATED', 'TOPIC_UPDATED', 'TOPIC_DELETED'];
const login = (userID, userSig) => loginWatching(userID, userSig, KINDS);
const event = watchedEvent;

async function main() {
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);
  let groupID;

  await step('A creates a Public group with B in it', async () => {
    const res = await a.chat.createGroup({ type: a.TYPES.GRP_PUBLIC, name: 'data', memberList: [{ userID: B }] });
    groupID = res.data.group.groupID;
    await event(b, 'GROUP_LIST_UPDATED', (list) => list.some((g) => g.groupID === groupID), 'the group in its list');
    return { groupID };
  });

  await step('attributes: A initializes, B sees them', async () => {
    // B reads first, so that it keeps a copy the pushes update.
    const before = await b.chat.getGroupAttributes({ groupID, keyList: [] });
    check(Object.keys(before.data.groupAttributes).length === 0, 'no attributes yet', before.data);
    await a.chat.initGroupAttributes({ groupID, groupAttributes: { seat1: 'alice' } });
    const seen = await event(b, 'GROUP_ATTRIBUTES_UPDATED', (d) => d.groupAttributes.seat1 === 'alice', 'GROUP_ATTRIBUTES_UPDATED with seat1');
    check(seen.groupID === groupID, 'the event names the group', seen);
    await event(a, 'GROUP_ATTRIBUTES_UPDATED', (d) => d.groupAttributes.seat1 === 'alice', 'its own GROUP_ATTRIBUTES_UPDATED');
  });

  await step('attributes: B sets one, A deletes one', async () => {
    await b.chat.setGroupAttributes({ groupID, groupAttributes: { seat2: 'bob' } });
    await event(a, 'GROUP_ATTRIBUTES_UPDATED', (d) => d.groupAttributes.seat2 === 'bob', 'GROUP_ATTRIBUTES_UPDATED with seat2');
    await a.chat.deleteGroupAttributes({ groupID, keyList: ['seat1'] });
    const gone = await event(b, 'GROUP_ATTRIBUTES_UPDATED', (d) => d.deletedKeyList.includes('seat1'), 'seat1 deleted');
    check(gone.groupAttributes.seat2 === 'bob' && !('seat1' in gone.groupAttributes), 'seat2 is left', gone);
    const now = await b.chat.getGroupAttributes({ groupID, keyList: [] });
    check(show(now.data.groupAttributes) === show({ seat2: 'bob' }), 'getGroupAttributes gives seat2 alone', now.data);
  });

  await step('counters: A sets, B increases, both hear of it', async () => {
    // Counters are a purchased feature: the SDK refuses them (3122) until it has Natter's
    // purchase bits, which it asks for after the login.
    for (const u of [a, b]) {
      await eventually(`${u.userID}: the SDK may use group counters`, async () => {
        const res = await u.chat.getGroupCounters({ groupID, keyList: [] }).catch((e) => e);
        return { ok: res.code === 0, value: res, seen: res };
      });
    }
    const set = await a.chat.setGroupCounters({ groupID, counters: { likes: 5 } });
    check(set.data.counters.likes === 5, 'setGroupCounters resolves with the value', set.data);
    for (const u of [a, b]) {
      await event(u, 'GROUP_COUNTER_UPDATED', (d) => d.groupID === groupID && d.key === 'likes' && d.value === 5, 'GROUP_COUNTER_UPDATED likes 5');
    }
    const up = await b.chat.increaseGroupCounter({ groupID, key: 'likes', value: 2 });
    check(up.data.counters.likes === 7, 'increaseGroupCounter resolves with 7', up.data);
    await event(a, 'GROUP_COUNTER_UPDATED', (d) => d.key === 'likes' && d.value === 7, 'GROUP_COUNTER_UPDATED likes 7');
    const got = await b.chat.getGroupCounters({ groupID, keyList: ['likes'] });
    check(got.data.counters.likes === 7, 'getGroupCounters gives 7', got.data);
  });

  let communityID;
  let topicID;
  await step('topics: A creates a community and a topic, B sees it', async () => {
    const res = await a.chat.createGroup({
      type: a.TYPES.GRP_COMMUNITY,
      name: 'town',
      isSupportTopic: true,
      memberList: [{ userID: B }],
    });
    communityID = res.data.group.groupID;
    // B learns of it from the server: Natter pushes nothing to members a group is created with.
    const communities = await b.chat.getJoinedCommunityList();
    check(communities.data.groupList.some((g) => g.groupID === communityID), 'getJoinedCommunityList has it', communities.data);
    const created = await a.chat.createTopicInCommunity({ groupID: communityID, topicName: 'news' });
    topicID = created.data.topicID;
    const seen = await event(b, 'TOPIC_CREATED', (d) => d.topicID === topicID, 'TOPIC_CREATED');
    check(seen.groupID === communityID, 'TOPIC_CREATED names the community', seen);
    const list = await b.chat.getTopicList({ groupID: communityID, topicIDList: [] });
    const topic = list.data.successTopicList.find((t) => t.topicID === topicID);
    check(topic && topic.topicName === 'news', 'getTopicList has the topic', list.data);
    return { communityID, topicID };
  });

  await step('topics: a message in the topic, a change, the deletion', async () => {
    const message = a.chat.createTextMessage({ to: topicID, conversationType: a.TYPES.CONV_GROUP, payload: { text: 'in the topic' } });
    await a.chat.sendMessage(message);
    await eventually('B: the topic message', () => {
      const got = b.messages.find((m) => m.payload && m.payload.text === 'in the topic');
      return { ok: got !== undefined, value: got, seen: b.messages.map((m) => ({ to: m.to, type: m.type })) };
    });
    const got = b.messages.find((m) => m.payload && m.payload.text === 'in the topic');
    check(got.to === topicID, 'the message is filed under the topic', { to: got.to, conversationID: got.conversationID });
    await a.chat.updateTopicProfile({ groupID: communityID, topicID, topicName: 'news2' });
    await event(b, 'TOPIC_UPDATED', (d) => d.topic.topicID === topicID && d.topic.topicName === 'news2', 'TOPIC_UPDATED');
    const deleted = await a.chat.deleteTopicFromCommunity({ groupID: communityID, topicIDList: [topicID] });
    check(deleted.data.successTopicList.length === 1, 'the topic is deleted', deleted.data);
    await event(b, 'TOPIC_DELETED', (d) => d.topicIDList.includes(topicID), 'TOPIC_DELETED');
  });

  report(true);
}

main().catch((e) => report(false, e));
