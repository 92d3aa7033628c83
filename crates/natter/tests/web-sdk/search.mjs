// Cloud search through Tencent's Web SDK against Natter: A writes to B and to a group they share,
// then each SDK method of the cloud search plugin finds what its user may see (and B does not
// find A's one-to-one message with nobody else). Run by tests/it/web_sdk_search.rs; arguments,
// env and the one-line JSON report on stdout as in two-users.mjs:
//
//   node search.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import { A, B, SIG_A, SIG_B, check, loginWatching, report, step } from './harness.mjs';

const texts = (list) => list.map((m) => m.payload.text);

async function main() {
  const a = await loginWatching(A, SIG_A, []);
  const b = await loginWatching(B, SIG_B, []);
  const T = a.TYPES;
  let groupID = '';

  await step('A writes to B and to a group with B', async () => {
    await a.chat.updateMyProfile({ nick: 'Searchable Ann' });
    const send = (to, conversationType, text) =>
      a.chat.sendMessage(a.chat.createTextMessage({ to, conversationType, payload: { text } }));
    await send(B, T.CONV_C2C, 'hello B, first');
    await send(B, T.CONV_C2C, 'hello B, second');
    const created = await a.chat.createGroup({ type: T.GRP_PUBLIC, name: 'Search club', memberList: [{ userID: B }] });
    groupID = created.data.group.groupID;
    await send(groupID, T.CONV_GROUP, 'hello group');
    return { groupID };
  });

  await step('searchCloudMessages: all conversations, then one', async () => {
    const all = await a.chat.searchCloudMessages({ keywordList: ['HELLO'] });
    const byId = Object.fromEntries(all.data.searchResultList.map((r) => [r.conversationID, r]));
    check(all.data.totalCount === 2, 'two conversations match', all.data);
    check(byId[`C2C${B}`].messageCount === 2, 'two messages with B', byId);
    check(texts(byId[`GROUP${groupID}`].messageList).join() === 'hello group', "the group's one message", byId);
    const withB = await a.chat.searchCloudMessages({ keywordList: ['hello'], conversationID: `C2C${B}`, count: 1 });
    const page = withB.data.searchResultList[0];
    check(texts(page.messageList).join() === 'hello B, second', 'newest first', page);
    check(page.messageList[0].from === A && page.messageList[0].flow === 'out', 'sent by A', page.messageList[0]);
    const next = await a.chat.searchCloudMessages({
      keywordList: ['hello'], conversationID: `C2C${B}`, count: 1, cursor: withB.data.cursor,
    });
    check(texts(next.data.searchResultList[0].messageList).join() === 'hello B, first', 'then the older one', next.data);
    check(next.data.cursor === '', 'no more pages', next.data.cursor);
    // The SDK's createGroup also sent its own "group_create" custom message, which matches too.
    const inGroup = await b.chat.searchCloudMessages({ keywordList: ['group'], conversationID: `GROUP${groupID}` });
    const list = inGroup.data.searchResultList[0].messageList;
    check(list.length === 2 && list[0].from === A && list[0].payload.text === 'hello group', 'B finds the group message, newest first', list);
    check(list[1].type === T.MSG_CUSTOM, "then the SDK's own creation message", list[1]);
    const bySender = await b.chat.searchCloudMessages({ senderUserIDList: [A], messageTypeList: [T.MSG_TEXT] });
    return { total: all.data.totalCount, bySender: bySender.data.totalCount };
  });

  await step('searchCloudUsers, searchCloudGroups, searchCloudGroupMembers', async () => {
    const users = await b.chat.searchCloudUsers({ keywordList: ['searchable'] });
    const ann = users.data.searchResultList[0];
    check(ann.userID === A && ann.nick === 'Searchable Ann', 'A by nickname', users.data);
    const groups = await b.chat.searchCloudGroups({ keywordList: ['search club'] });
    const club = groups.data.searchResultList[0];
    check(club.groupID === groupID && club.name === 'Search club' && club.type === T.GRP_PUBLIC, 'the club', club);
    const members = await b.chat.searchCloudGroupMembers({ keywordList: ['searchable'] });
    const entry = members.data.searchResultList[0];
    check(entry.groupInfo.groupID === groupID, "the club's member", entry);
    check(entry.memberList[0].userID === A && entry.memberList[0].nick === 'Searchable Ann', 'A, with the nickname', entry);
    return { users: users.data.totalCount };
  });

  report(true);
}

main().catch((e) => report(false, e));
