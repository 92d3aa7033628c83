// Group invitations that wait for approval, and clearing a group's history for oneself, through
// Tencent's Web SDK against Natter. A owns a Work group whose InviteJoinOption is NeedPermission
// and B is in it; B invites C, the invitation waits, A sees the system notice and the
// application (type 2), agrees, and C's SDK takes the group in. Then C clears the group's history
// for itself, and, while C's socket is cut, A recalls a message: C's SDK learns of it when it
// reconnects (batch_get_group_notify). Run by tests/it/web_sdk_group_invites.rs; arguments, env and the one-line JSON
// report on stdout as in two-users.mjs, with the third user in USER_C and SIG_C:
//
//   USER_C=… SIG_C=… node group-invites.mjs <proxy> <SDKAppID> <userA> <sigA> <userB> <sigB>
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
  report,
  requests,
  show,
  started,
  step,
  withTimeout,
} from './harness.mjs';

const C = process.env.USER_C;
const SIG_C = process.env.SIG_C;

// Every socket the SDKs open. While `away` is set, a new socket holds what the SDK sends (its
// login first) until `comeBack()`, so that a user whose socket was cut stays logged out while the
// others act.
const sockets = [];
let away = false;
const Traced = globalThis.WebSocket;
globalThis.WebSocket = class extends Traced {
  constructor(url, ...rest) {
    super(url, ...rest);
    this.held = away ? [] : null;
    sockets.push(this);
  }
  send(data, ...rest) {
    if (this.held) {
      this.held.push(data);
      return undefined;
    }
    return super.send(data, ...rest);
  }
};
function comeBack() {
  away = false;
  for (const s of sockets.filter((x) => x.held)) {
    const held = s.held;
    s.held = null;
    for (const data of held) s.send(data);
  }
}

/// Logs a user in; keeps its GROUP_LIST_UPDATED events and received messages.
async function login(userID, userSig) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY });
  chat.setLogLevel(SDK_LOG);
  const E = TencentCloudChat.EVENT;
  const ready = new Promise((resolve) => chat.on(E.SDK_READY, resolve));
  const user = { userID, chat, E, TYPES: TencentCloudChat.TYPES, groupLists: [], messages: [], revoked: [] };
  chat.on(E.GROUP_LIST_UPDATED, (ev) => user.groupLists.push(ev.data));
  chat.on(E.MESSAGE_REVOKED, (ev) => user.revoked.push(...ev.data));
  chat.on(E.MESSAGE_RECEIVED, (ev) => user.messages.push(...ev.data));
  chat.on(E.ERROR, (ev) => console.error(`[${userID}] ERROR event`, ev.data));
  const res = await withTimeout(chat.login({ userID, userSig }), `${userID}: login()`);
  check(res.code === 0, `${userID}: login() resolves with code 0`, res.code);
  await withTimeout(ready, `${userID}: SDK_READY`);
  return user;
}

/// The group system notice `user` received with this operation type in the group.
function notice(user, groupID, operationType) {
  return eventually(`${user.userID}: a group system notice of type ${operationType}`, () => {
    const found = user.messages.find(
      (m) => m.type === user.TYPES.MSG_GRP_SYS_NOTICE
        && m.payload.operationType === operationType
        && m.payload.groupProfile.groupID === groupID,
    );
    return { ok: found !== undefined, value: found, seen: user.messages.map((m) => ({ type: m.type, payload: m.payload })) };
  });
}

function texts(list) {
  return list.filter((m) => m.type === 'TIMTextElem').map((m) => m.payload.text);
}

async function main() {
  check(C && SIG_C, 'USER_C and SIG_C name the third user');
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);
  const c = await login(C, SIG_C);
  let groupID;

  await step('A creates a Work group whose invitations need approval', async () => {
    const res = await a.chat.createGroup({
      type: a.TYPES.GRP_WORK,
      name: 'invites',
      memberList: [{ userID: B }],
      inviteOption: a.TYPES.INVITE_OPTIONS_NEED_PERMISSION,
    });
    groupID = res.data.group.groupID;
    // B learns of it from the server (its SDK keeps the group it reads, as it does on a notice).
    const profile = await b.chat.getGroupProfile({ groupID });
    check(profile.data.group.selfInfo.role === 'Member', 'B is a member', profile.data.group.selfInfo);
    return { groupID };
  });

  await step('B invites C: the invitation waits', async () => {
    const res = await b.chat.addGroupMember({ groupID, userIDList: [C] });
    const { successUserIDList, failureUserIDList, existedUserIDList } = res.data;
    check(successUserIDList.length === 0 && failureUserIDList.length === 0 && existedUserIDList.length === 0,
      'C is neither added, failed nor a member yet', res.data);
  });

  let application;
  await step('A gets the system notice and the application', async () => {
    const got = await notice(a, groupID, 1);
    check(got.payload.operatorID === C, 'the notice names C', got.payload);
    const list = await a.chat.getGroupApplicationList();
    application = list.data.applicationList.find((x) => x.groupID === groupID);
    check(application, 'the application is listed', list.data);
    check(application.applicationType === 2 && application.applicant === B && application.userID === C,
      'an invitation of C by B', application);
    return { applicationType: application.applicationType, applicant: application.applicant, userID: application.userID };
  });

  await step('A agrees: C is in the group', async () => {
    await a.chat.handleGroupApplication({ handleAction: 'Agree', handleMessage: 'welcome', application });
    const invited = await notice(c, groupID, 7);
    check(invited.payload.operatorID === B, 'C hears it was invited by B', invited.payload);
    await eventually("C's group list has the group", () => {
      const seen = c.groupLists.map((l) => l.map((g) => g.groupID));
      return { ok: seen.some((ids) => ids.includes(groupID)), value: true, seen };
    });
    const list = await a.chat.getGroupApplicationList();
    check(!list.data.applicationList.some((x) => x.groupID === groupID), 'the application is gone', list.data);
  });

  const conversationID = () => `GROUP${groupID}`;
  await step('C clears the group history for itself', async () => {
    const before = a.chat.createTextMessage({ to: groupID, conversationType: a.TYPES.CONV_GROUP, payload: { text: 'before the clear' } });
    await a.chat.sendMessage(before);
    await eventually('C: the message', () => {
      const got = c.messages.find((m) => m.payload && m.payload.text === 'before the clear');
      return { ok: got !== undefined, value: got, seen: texts(c.messages) };
    });
    await c.chat.clearHistoryMessage(conversationID());
    const after = a.chat.createTextMessage({ to: groupID, conversationType: a.TYPES.CONV_GROUP, payload: { text: 'after the clear' } });
    await a.chat.sendMessage(after);
    await eventually('C: the later message', () => {
      const got = c.messages.find((m) => m.payload && m.payload.text === 'after the clear');
      return { ok: got !== undefined, value: got, seen: texts(c.messages) };
    });
    return {};
  });

  await step('A recalls a message while C is away: C learns of it on reconnecting', async () => {
    const message = a.chat.createTextMessage({ to: groupID, conversationType: a.TYPES.CONV_GROUP, payload: { text: 'to be recalled' } });
    const sent = (await a.chat.sendMessage(message)).data.message;
    await eventually('C: the message', () => {
      const got = c.messages.find((m) => m.payload && m.payload.text === 'to be recalled');
      return { ok: got !== undefined, value: got, seen: texts(c.messages) };
    });
    const since = Date.now() - started;
    away = true;
    const open = sockets.filter((s) => s._trace.user === C && s.readyState === 1);
    check(open.length === 1, "C's one open socket", open.length);
    open[0].terminate();
    await eventually("C's SDK tries to log in again", () => {
      const trying = sockets.filter((x) => x.held && x.held.length > 0);
      return { ok: trying.length > 0, value: true, seen: sockets.length };
    }, 30000);
    await a.chat.revokeMessage(sent);
    comeBack();
    const revoked = await eventually("C: MESSAGE_REVOKED for A's message", () => {
      const got = c.revoked.find((m) => m.sequence === sent.sequence);
      return { ok: got !== undefined, value: got, seen: c.revoked.map((m) => m.sequence) };
    }, 45000);
    check(revoked.isRevoked, 'the message is recalled in C', { isRevoked: revoked.isRevoked });
    // A socket that logged in again with its A2 key has no user name in the trace.
    const cmd = 'group_open_http_svc.batch_get_group_notify';
    const asked = [...requests(C, cmd, since), ...requests(undefined, cmd, since)];
    check(asked.length > 0, 'C asked for the recalls it missed', asked.length);
    return { sequence: sent.sequence, asked: asked.length };
  });

  await step('C reloads: its history starts after the clear', async () => {
    const fresh = await login(C, SIG_C);
    const list = await fresh.chat.getMessageList({ conversationID: conversationID() });
    const shown = texts(list.data.messageList);
    check(shown.includes('after the clear') && !shown.includes('before the clear'),
      'only the later message', shown);
    return { shown };
  });

  report(true);
}

main().catch((e) => report(false, e));
