// Two users talk through Tencent's Web SDK (`@tencentcloud/chat`), whose `proxyServer` option
// sends its WebSocket to `<proxy>/binfo?...`: here, Natter's. Run by tests/it/web_sdk.rs. Besides texts,
// A sends B an image and a file through the SDK's upload flow (`fileUploadProxy`, Tencent's
// `tim-upload-plugin`), and B downloads the same bytes.
//
//   node two-users.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
//
// Each argument may be given by env instead: PROXY, SDKAPPID, USER_A, SIG_A, USER_B, SIG_B.
// Other env: TIMEOUT_MS (whole run, default 60000), STEP_TIMEOUT_MS (one wait, default 15000),
// SDK_LOG (the SDK's log level 0..4, default 4 = errors only; 0 prints every frame).
//
// stdout carries exactly one line, the JSON report:
//   {"ok":true,"steps":[{"step":…,"ms":…,…}],"unhandled":[]}
//   {"ok":false,"failed":"<step>","error":…,"steps":[…passed…],"unhandled":[…],"frames":[…]}
// `frames` holds the last WebSocket frames (both directions, decoded) for diagnosis. Everything
// else (the SDK's console output, a line per frame) goes to stderr. Exit status 0 only when every
// step passed; after TIMEOUT_MS the report is printed and the exit status is 1.
import { createRequire } from 'node:module';

import {
  A,
  B,
  PROXY,
  SDKAppID,
  SDK_LOG,
  SIG_A,
  SIG_B,
  STEP_TIMEOUT_MS,
  check,
  eventually,
  extra,
  freshSDK,
  inbox,
  report,
  requests,
  show,
  started,
  step,
  summary,
  unhandled,
  uplink,
  withTimeout,
} from './harness.mjs';

// ----------------------------------------------------------------------------- uploads
// The SDK uploads files with Tencent's `tim-upload-plugin`, which PUTs through XMLHttpRequest
// (Node has none): this one does it with fetch, as much of XHR as the plugin uses.
class FetchXHR {
  constructor() {
    this.status = 0;
    this.statusText = '';
    this.responseText = '';
    this.headers = {};
    this.upload = {};
    this._responseHeaders = '';
  }
  open(method, url) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name, value) {
    this.headers[name] = value;
  }
  getAllResponseHeaders() {
    return this._responseHeaders;
  }
  send(body) {
    process.stderr.write(`xhr ${this.method} ${this.url}\n`);
    fetch(this.url, { method: this.method, headers: this.headers, body }).then(
      async (res) => {
        this.status = res.status;
        this.statusText = res.statusText;
        this.responseText = await res.text();
        this._responseHeaders = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\r\n');
        if (this.onload) this.onload();
      },
      (e) => this.onerror && this.onerror(e),
    );
  }
}
globalThis.XMLHttpRequest = FetchXHR;

// createImageMessage makes a preview URL with window.URL.createObjectURL, as in a browser; Node
// has no window. Only that call sees this one (the SDK decided it is not in a browser at load).
function withPreviewWindow(fn) {
  globalThis.window = { URL: { createObjectURL: () => 'blob:natter-test-preview' } };
  try {
    return fn();
  } finally {
    delete globalThis.window;
  }
}

/// A 3×2 PNG's header and some bytes after it: enough for the server to read its size.
function pngBytes(stamp) {
  const head = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const size = Buffer.alloc(8);
  size.writeUInt32BE(3, 0);
  size.writeUInt32BE(2, 4);
  return Buffer.concat([head, size, Buffer.from(`natter upload ${stamp} `.repeat(200))]);
}

async function download(url) {
  const res = await fetch(url);
  check(res.status === 200, `GET ${url} answers 200`, res.status);
  return { bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}


const require = createRequire(import.meta.url);
const TIMUploadPlugin = require('tim-upload-plugin');
// Files go to Natter's HTTP address: the SDK puts it in place of the host of the upload URL
// (`fileUploadProxy`) and of the download URLs it shows (`fileDownloadProxy`, the same by default).
const FILE_PROXY = PROXY && PROXY.replace(/^ws/, 'http');

async function login(userID, userSig) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY, fileUploadProxy: FILE_PROXY });
  chat.setLogLevel(SDK_LOG);
  chat.registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin });
  const E = TencentCloudChat.EVENT;
  const ready = new Promise((resolve) => chat.on(E.SDK_READY, resolve));
  const user = { userID, chat, E, TYPES: TencentCloudChat.TYPES, kicked: [], readByPeer: [] };
  user.groupLists = [];
  chat.on(E.GROUP_LIST_UPDATED, (ev) => {
    user.groupLists.push(ev.data.map((g) => g.groupID));
  });
  user.friendLists = [];
  chat.on(E.FRIEND_LIST_UPDATED, (ev) => {
    user.friendLists.push(ev.data.map((f) => f.userID));
  });
  user.applicationLists = [];
  chat.on(E.FRIEND_APPLICATION_LIST_UPDATED, (ev) => {
    user.applicationLists.push(ev.data.friendApplicationList.map((x) => ({ userID: x.userID, type: x.type })));
  });
  user.revoked = [];
  chat.on(E.MESSAGE_REVOKED, (ev) => {
    for (const m of ev.data) user.revoked.push(m);
  });
  user.modified = [];
  chat.on(E.MESSAGE_MODIFIED, (ev) => {
    for (const m of ev.data) user.modified.push(m);
  });
  chat.on(E.MESSAGE_READ_BY_PEER, (ev) => {
    for (const m of ev.data) user.readByPeer.push(m);
  });
  chat.on(E.KICKED_OUT, (ev) => {
    user.kicked.push(ev.data);
    console.error(`[${userID}] KICKED_OUT`, ev.data);
  });
  chat.on(E.ERROR, (ev) => console.error(`[${userID}] ERROR event`, ev.data));
  chat.on(E.NET_STATE_CHANGE, (ev) => console.error(`[${userID}] NET_STATE_CHANGE`, ev.data));
  const res = await withTimeout(chat.login({ userID, userSig }), `${userID}: login()`);
  check(res.code === 0, `${userID}: login() resolves with code 0`, res.code);
  await withTimeout(ready, `${userID}: SDK_READY`);
  user.inbox = inbox(user);
  return user;
}

async function conversation(user, peer) {
  const res = await user.chat.getConversationList();
  const list = res.data.conversationList;
  const conv = list.find((c) => c.conversationID === `C2C${peer}`);
  return {
    conv,
    seen: list.map((c) => ({
      conversationID: c.conversationID,
      unreadCount: c.unreadCount,
      lastMessage: c.lastMessage && { fromAccount: c.lastMessage.fromAccount, text: c.lastMessage.payload && c.lastMessage.payload.text },
    })),
  };
}

async function send(from, to, text) {
  const msg = from.chat.createTextMessage({ to, conversationType: from.TYPES.CONV_C2C, payload: { text } });
  const res = await withTimeout(from.chat.sendMessage(msg), `${from.userID}: sendMessage to ${to}`);
  const m = res.data.message;
  check(m.status === 'success', `${from.userID}: sent message has status success`, m.status);
  check(m.from === from.userID && m.to === to, `sent message goes ${from.userID} -> ${to}`, summary(m));
  check(m.payload.text === text, 'sent message keeps its text', m.payload.text);
  check(m.time > 0, 'sent message has the server time', m.time);
  return m;
}

async function receive(to, from, text, sent) {
  const m = await to.inbox.next(
    (x) => x.payload && x.payload.text === text,
    `${to.userID}: MESSAGE_RECEIVED with the text from ${from.userID}`,
  );
  check(m.from === from.userID, `${to.userID}: received message is from ${from.userID}`, summary(m));
  check(m.to === to.userID, `${to.userID}: received message is to ${to.userID}`, summary(m));
  check(m.conversationID === `C2C${from.userID}`, `${to.userID}: received message is in C2C${from.userID}`, summary(m));
  check(m.type === to.TYPES.MSG_TEXT, 'received message is a text', m.type);
  check(m.flow === 'in', 'received message flows in', m.flow);
  check(m.ID === sent.ID, "received message has the sender's message ID", { received: m.ID, sent: sent.ID });
  check(m.time === sent.time, "received message has the sender's time", { received: m.time, sent: sent.time });
  return m;
}

// ----------------------------------------------------------------------------- the run
async function main() {
  for (const [name, v] of Object.entries({ PROXY, USER_A: A, SIG_A, USER_B: B, SIG_B })) {
    check(v, `argument ${name} is given (see the usage at the top of two-users.mjs)`);
  }
  check(SDKAppID > 0, 'argument SDKAPPID is a number', SDKAppID);
  const stamp = Date.now().toString(36);
  const textAB = `hello ${B}, from ${A} (${stamp})`;
  const textBA = `hi ${A}, ${B} here (${stamp})`;
  const nick = `Nick-${A}-${stamp}`;

  let a;
  let b;
  let sentAB;
  let sentBA;
  await step('login A', async () => {
    a = await login(A, SIG_A);
    return { userID: A };
  });
  await step('login B', async () => {
    b = await login(B, SIG_B);
    return { userID: B };
  });

  // The profile change comes before any message: the SDK caches a stranger's profile for 10
  // minutes once fetched (and fetches the sender's on MESSAGE_RECEIVED), so B's getUserProfile
  // only reaches the server if B has not looked A up yet.
  await step('A changes its nick', async () => {
    const res = await withTimeout(a.chat.updateMyProfile({ nick }), `${A}: updateMyProfile`);
    check(res.data && res.data.nick === nick, `${A}: updateMyProfile returns the new nick`, res.data);
    const mine = await withTimeout(a.chat.getMyProfile(), `${A}: getMyProfile`);
    check(mine.data.nick === nick, `${A}: getMyProfile has the new nick`, mine.data);
    return { nick };
  });
  await step("B sees A's new nick", async () => {
    const since = Date.now() - started;
    const res = await withTimeout(b.chat.getUserProfile({ userIDList: [A] }), `${B}: getUserProfile`);
    const p = res.data.find((x) => x.userID === A);
    check(p, `${B}: getUserProfile returns ${A}`, res.data);
    check(p.nick === nick, `${B}: getUserProfile has ${A}'s new nick`, p);
    const asked = requests(B, 'profile.portrait_get_all', since).some((r) => JSON.stringify(r.body).includes(JSON.stringify(A)));
    check(asked, `${B}: getUserProfile asked the server (profile.portrait_get_all for ${A})`);
    return { nick: p.nick };
  });

  await step('A sends B a text', async () => {
    sentAB = await send(a, B, textAB);
    return { text: textAB, ID: sentAB.ID, time: sentAB.time, random: sentAB.random };
  });
  await step('B receives it', async () => {
    const m = await receive(b, a, textAB, sentAB);
    return { ID: m.ID, from: m.from };
  });

  await step("A's conversation list has B", async () => {
    const conv = await eventually(`${A}: getConversationList has C2C${B} with the last message`, async () => {
      const { conv, seen } = await conversation(a, B);
      const ok = conv && conv.lastMessage && conv.lastMessage.payload && conv.lastMessage.payload.text === textAB;
      return { ok, value: conv, seen };
    });
    check(conv.type === a.TYPES.CONV_C2C, 'conversation type is C2C', conv.type);
    check(conv.unreadCount === 0, `${A}: own message leaves unread 0`, conv.unreadCount);
    return { conversationID: conv.conversationID, unreadCount: conv.unreadCount };
  });
  await step("B's conversation list has A, unread 1", async () => {
    const conv = await eventually(`${B}: getConversationList has C2C${A} with unread 1 and the last message`, async () => {
      const { conv, seen } = await conversation(b, A);
      const ok = conv && conv.unreadCount === 1 && conv.lastMessage && conv.lastMessage.payload && conv.lastMessage.payload.text === textAB;
      return { ok, value: conv, seen };
    });
    check(conv.lastMessage.fromAccount === A, `${B}: last message is from ${A}`, conv.lastMessage.fromAccount);
    return { conversationID: conv.conversationID, unreadCount: conv.unreadCount };
  });
  await step('B marks it read: unread 0', async () => {
    await withTimeout(b.chat.setMessageRead({ conversationID: `C2C${A}` }), `${B}: setMessageRead`);
    const conv = await eventually(`${B}: C2C${A} has unread 0 after setMessageRead`, async () => {
      const { conv, seen } = await conversation(b, A);
      return { ok: conv && conv.unreadCount === 0, value: conv, seen };
    });
    return { unreadCount: conv.unreadCount };
  });

  await step("A's SDK says MESSAGE_READ_BY_PEER for its message", async () => {
    const m = await eventually(`${A}: MESSAGE_READ_BY_PEER with the message sent to ${B}`, async () => {
      const m = a.readByPeer.find((x) => x.ID === sentAB.ID);
      return { ok: !!m, value: m, seen: a.readByPeer.map(summary) };
    });
    check(m.isPeerRead === true, `${A}: the message is marked isPeerRead`, m.isPeerRead);
    return { ID: m.ID, isPeerRead: m.isPeerRead };
  });

  await step('B replies', async () => {
    sentBA = await send(b, A, textBA);
    return { text: textBA, ID: sentBA.ID, time: sentBA.time, random: sentBA.random };
  });
  await step('A receives the reply', async () => {
    const m = await receive(a, b, textBA, sentBA);
    return { ID: m.ID, from: m.from };
  });

  await step('A reloads the history', async () => {
    const since = Date.now() - started;
    const res = await withTimeout(a.chat.getMessageList({ conversationID: `C2C${B}` }), `${A}: getMessageList`);
    // On a server used before, older texts may precede this run's two; they must be the last two.
    const list = res.data.messageList.filter((m) => m.type === a.TYPES.MSG_TEXT).slice(-2);
    const seen = res.data.messageList.map(summary);
    check(list.length === 2, `${A}: getMessageList has the 2 texts`, seen);
    check(list[0].payload.text === textAB && list[0].from === A && list[0].flow === 'out', `${A}: first is ${A}'s text`, seen);
    check(list[1].payload.text === textBA && list[1].from === B && list[1].flow === 'in', `${A}: second is ${B}'s reply`, seen);
    check(list[0].ID === sentAB.ID && list[1].ID === sentBA.ID, 'history keeps the message IDs', seen);
    check(requests(A, 'openim.getroammsg', since).length > 0, `${A}: getMessageList asked the server (openim.getroammsg)`);
    return { count: list.length, isCompleted: res.data.isCompleted };
  });

  const png = pngBytes(stamp);
  let sentImage;
  await step('A sends B an image', async () => {
    const since = Date.now() - started;
    const file = new File([png], 'natter.png', { type: 'image/png' });
    const msg = withPreviewWindow(() =>
      a.chat.createImageMessage({ to: B, conversationType: a.TYPES.CONV_C2C, payload: { file: { files: [file] } } }),
    );
    const res = await withTimeout(a.chat.sendMessage(msg), `${A}: sendMessage(image) to ${B}`);
    sentImage = res.data.message;
    check(sentImage.status === 'success', `${A}: sent image has status success`, sentImage.status);
    // `url` is the sender's local preview; `imageUrl` is the uploaded one, which the message carries.
    const [original] = sentImage.payload.imageInfoArray;
    check(original.imageUrl.startsWith(`${FILE_PROXY}/_natter/files/`), 'the image is on Natter', original);
    check(original.width === 3 && original.height === 2, "the image's size is the server's reading", original);
    check(requests(A, 'im_cos_msg.simple_sig', since).length === 1, `${A}: asked for an upload URL (im_cos_msg.simple_sig)`);
    return { ID: sentImage.ID, url: original.imageUrl, size: original.size };
  });
  await step('B receives the image and downloads the same bytes', async () => {
    const m = await b.inbox.next((x) => x.ID === sentImage.ID, `${B}: MESSAGE_RECEIVED with ${A}'s image`);
    check(m.type === b.TYPES.MSG_IMAGE, 'received message is an image', m.type);
    const [original, large, thumb] = m.payload.imageInfoArray;
    check(original.url.startsWith(`${FILE_PROXY}/_natter/files/`), `${B}: the image URL is on Natter`, original.url);
    check(original.width === 3 && original.height === 2, `${B}: the image's size`, original);
    check(large.url && thumb.url, `${B}: large and thumbnail URLs`, m.payload.imageInfoArray);
    const got = await download(original.url);
    check(got.bytes.equals(png), `${B}: the download is the uploaded bytes`, { got: got.bytes.length, sent: png.length });
    check(got.type === 'image/png', `${B}: served as image/png`, got.type);
    return { url: original.url, bytes: got.bytes.length };
  });
  const doc = Buffer.from(`a file from ${A} (${stamp})\n`.repeat(50));
  let sentFile;
  await step('A sends B a file', async () => {
    const file = new File([doc], 'notes.txt', { type: 'text/plain' });
    const msg = a.chat.createFileMessage({ to: B, conversationType: a.TYPES.CONV_C2C, payload: { file: { files: [file] } } });
    const res = await withTimeout(a.chat.sendMessage(msg), `${A}: sendMessage(file) to ${B}`);
    sentFile = res.data.message;
    check(sentFile.status === 'success', `${A}: sent file has status success`, sentFile.status);
    return { ID: sentFile.ID, url: sentFile.payload.fileUrl };
  });
  await step('B receives the file and downloads the same bytes', async () => {
    const m = await b.inbox.next((x) => x.ID === sentFile.ID, `${B}: MESSAGE_RECEIVED with ${A}'s file`);
    check(m.type === b.TYPES.MSG_FILE, 'received message is a file', m.type);
    check(m.payload.fileName === 'notes.txt' && m.payload.fileSize === doc.length, `${B}: file name and size`, m.payload);
    const got = await download(m.payload.fileUrl);
    check(got.bytes.equals(doc), `${B}: the download is the uploaded bytes`, { got: got.bytes.length, sent: doc.length });
    return { url: m.payload.fileUrl, bytes: got.bytes.length };
  });

  let groupID;
  await step('B joins A\'s group: A gets the join tip', async () => {
    const created = await withTimeout(
      a.chat.createGroup({ type: a.TYPES.GRP_PUBLIC, name: `tips ${stamp}`, joinOption: a.TYPES.JOIN_OPTIONS_FREE_ACCESS }),
      `${A}: createGroup`,
    );
    groupID = created.data.group.groupID;
    const joined = await withTimeout(b.chat.joinGroup({ groupID }), `${B}: joinGroup`);
    check(joined.data.status === b.TYPES.JOIN_STATUS_SUCCESS, `${B}: joinGroup joins at once`, joined.data);
    const tip = await a.inbox.next(
      (m) => m.type === a.TYPES.MSG_GRP_TIP && m.payload.groupProfile.groupID === groupID
        && m.payload.operationType === a.TYPES.GRP_TIP_MBR_JOIN,
      `${A}: MESSAGE_RECEIVED with the join tip of ${groupID}`,
    );
    check(tip.conversationID === `GROUP${groupID}`, `${A}: the tip is in the group's conversation`, summary(tip));
    check(tip.payload.userIDList.includes(B), `${A}: the tip names ${B}`, tip.payload);
    check(tip.payload.memberNum === 2, `${A}: the tip has the member count`, tip.payload);
    return { groupID, operationType: tip.payload.operationType, userIDList: tip.payload.userIDList };
  });

  const sendToGroup = async (from, text) => {
    const msg = from.chat.createTextMessage({ to: groupID, conversationType: from.TYPES.CONV_GROUP, payload: { text } });
    const res = await withTimeout(from.chat.sendMessage(msg), `${from.userID}: sendMessage to ${groupID}`);
    check(res.data.message.status === 'success', `${from.userID}: the group message is sent`, summary(res.data.message));
    return res.data.message;
  };
  let groupA;
  let groupAatB; // B's copy of A's message
  let groupB;
  let groupBatA; // A's copy of B's message
  // A group message has one ID on every SDK (`<TinyId>-<MsgClientTime>-<Random>`, the sender's
  // clock, which Natter keeps as the message's time): the receiver's copy is found by the ID
  // the sender's SDK gave it.
  const inGroup = (sent) => (m) => m.conversationID === `GROUP${groupID}` && m.ID === sent.ID;
  await step('A and B talk in the group', async () => {
    groupA = await sendToGroup(a, `group text from ${A} (${stamp})`);
    groupAatB = await b.inbox.next(inGroup(groupA), `${B}: MESSAGE_RECEIVED with ${A}'s group text`);
    groupB = await sendToGroup(b, `group text from ${B} (${stamp})`);
    groupBatA = await a.inbox.next(inGroup(groupB), `${A}: MESSAGE_RECEIVED with ${B}'s group text`);
    check(groupBatA.payload.text === groupB.payload.text, `${A}: it has ${B}'s text`, summary(groupBatA));
    check(groupAatB.sequence === groupA.sequence, `${B}: same sequence as ${A}'s copy`, summary(groupAatB));
    return {
      a: { sent: groupA.ID, received: groupAatB.ID, sequence: groupA.sequence },
      b: { sent: groupB.ID, received: groupBatA.ID, sequence: groupB.sequence },
    };
  });

  const edited = `group text from ${B}, edited (${stamp})`;
  await step('B edits its group message: A sees MESSAGE_MODIFIED', async () => {
    groupB.payload.text = edited;
    const res = await withTimeout(b.chat.modifyMessage(groupB), `${B}: modifyMessage`);
    check(res.data.message.payload.text === edited, `${B}: modifyMessage returns the edited message`, summary(res.data.message));
    const m = await eventually(`${A}: MESSAGE_MODIFIED with ${B}'s edited text`, async () => {
      const m = a.modified.find((x) => x.ID === groupBatA.ID);
      return { ok: !!m && m.payload.text === edited, value: m, seen: a.modified.map(summary) };
    });
    check(m.isModified === true, `${A}: the message is marked modified`, summary(m));
    return { ID: m.ID, text: m.payload.text };
  });

  await step('B edits a stale copy: MSG_MODIFY_CONFLICT with the message as it is', async () => {
    // As if B's copy predated the edit: the server's message is newer (version 1).
    check(groupB.version === 1, `${B}: its copy is at version 1 after the edit`, groupB.version);
    groupB.version = 0;
    groupB.payload.text = `${edited}, stale`;
    const res = await withTimeout(b.chat.modifyMessage(groupB), `${B}: modifyMessage(stale)`).catch((e) => e);
    const current = res.data && res.data.message;
    check(current && current.payload.text === edited, `${B}: the conflict carries the current text`, current && summary(current));
    check(current && current.version === 1, `${B}: and the current version`, current && current.version);
    return { code: res.code, text: current && current.payload.text, version: current && current.version };
  });

  await step("B may not recall A's group message", async () => {
    const res = await withTimeout(b.chat.revokeMessage(groupAatB), `${B}: revokeMessage(A's)`).catch((e) => e);
    check(res.code === 10007, `${B}: revokeMessage of ${A}'s message fails with 10007`, res.code);
    return { code: res.code };
  });

  await step('B recalls its group message: A sees MESSAGE_REVOKED, and so does history', async () => {
    await withTimeout(b.chat.revokeMessage(groupB), `${B}: revokeMessage`);
    const m = await eventually(`${A}: MESSAGE_REVOKED with ${B}'s group message`, async () => {
      const m = a.revoked.find((x) => x.ID === groupBatA.ID);
      return { ok: !!m, value: m, seen: a.revoked.map(summary) };
    });
    check(m.isRevoked === true, `${A}: the message is marked recalled`, summary(m));
    check(m.revoker === B, `${A}: ${B} recalled it`, m.revoker);
    // A fresh SDK of A (no cache) pulls the group's history: the message comes back recalled.
    const fresh = await login(A, SIG_A);
    const res = await withTimeout(fresh.chat.getMessageList({ conversationID: `GROUP${groupID}` }), `${A}: getMessageList(group)`);
    // History gives each message the ID its sender's SDK gave it.
    const pulled = res.data.messageList.find((x) => x.ID === groupB.ID);
    check(pulled && pulled.isRevoked === true, `${A}: history has ${B}'s message recalled`, res.data.messageList.map(summary));
    const kept = res.data.messageList.find((x) => x.ID === groupA.ID);
    check(kept && !kept.isRevoked, `${A}: history keeps ${A}'s message`, res.data.messageList.map(summary));
    await withTimeout(fresh.chat.destroy(), `${A}: destroy the fresh SDK`);
    return { ID: m.ID, revoker: m.revoker };
  });

  await step('A removes B: the group leaves B\'s list', async () => {
    const listed = await withTimeout(b.chat.getGroupList(), `${B}: getGroupList`);
    check(listed.data.groupList.some((g) => g.groupID === groupID), `${B}: the group is in its list`, listed.data.groupList.map((g) => g.groupID));
    const before = b.groupLists.length;
    await withTimeout(a.chat.deleteGroupMember({ groupID, userIDList: [B] }), `${A}: deleteGroupMember`);
    const lists = await eventually(`${B}: GROUP_LIST_UPDATED without ${groupID}`, async () => {
      const last = b.groupLists[b.groupLists.length - 1];
      return { ok: b.groupLists.length > before && !last.includes(groupID), value: b.groupLists, seen: b.groupLists };
    });
    const after = await withTimeout(b.chat.getGroupList(), `${B}: getGroupList`);
    check(!after.data.groupList.some((g) => g.groupID === groupID), `${B}: the group is gone from its list`, after.data.groupList.map((g) => g.groupID));
    const notice = await b.inbox.next(
      (m) => m.type === b.TYPES.MSG_GRP_SYS_NOTICE && m.payload.groupProfile.groupID === groupID,
      `${B}: MESSAGE_RECEIVED with the system notice of ${groupID}`,
    );
    check(notice.payload.operationType === 4, `${B}: the notice says kicked out (operationType 4)`, notice.payload);
    return { updates: lists.length, operationType: notice.payload.operationType };
  });

  await step("A asks B to be friends: B's SDK lists the request", async () => {
    const before = b.applicationLists.length;
    const res = await withTimeout(
      a.chat.addFriend({ to: B, source: 'AddSource_Type_Web', type: a.TYPES.SNS_ADD_TYPE_BOTH, wording: 'hi' }),
      `${A}: addFriend`,
    ).catch((e) => e);
    const waiting = res.code === 30539 || (res.data && res.data.code === 30539);
    if (!waiting) return { added: true, code: res.code };
    const list = await eventually(`${B}: FRIEND_APPLICATION_LIST_UPDATED with ${A}'s request`, async () => {
      const last = b.applicationLists[b.applicationLists.length - 1];
      const ok = b.applicationLists.length > before && last.some((x) => x.userID === A && x.type === b.TYPES.SNS_APPLICATION_SENT_TO_ME);
      return { ok, value: last, seen: b.applicationLists };
    });
    return { waiting: true, applications: list };
  });

  await step("B accepts: A's SDK lists B as a friend", async () => {
    const before = a.friendLists.length;
    await withTimeout(
      b.chat.acceptFriendApplication({ userID: A, type: b.TYPES.SNS_APPLICATION_AGREE_AND_ADD }),
      `${B}: acceptFriendApplication`,
    );
    const list = await eventually(`${A}: FRIEND_LIST_UPDATED with ${B}`, async () => {
      const last = a.friendLists[a.friendLists.length - 1];
      return { ok: a.friendLists.length > before && last.includes(B), value: last, seen: a.friendLists };
    });
    return { friends: list };
  });

  await step("A deletes B: B's SDK drops A", async () => {
    const before = b.friendLists.length;
    await withTimeout(
      a.chat.deleteFriend({ userIDList: [B], type: a.TYPES.SNS_DELETE_TYPE_BOTH }),
      `${A}: deleteFriend`,
    );
    const list = await eventually(`${B}: FRIEND_LIST_UPDATED without ${A}`, async () => {
      const last = b.friendLists[b.friendLists.length - 1];
      return { ok: b.friendLists.length > before && !last.includes(A), value: last, seen: b.friendLists };
    });
    return { friends: list };
  });

  await step('both log out', async () => {
    check(a.kicked.length === 0 && b.kicked.length === 0, 'nobody was kicked out', { [A]: a.kicked, [B]: b.kicked });
    await withTimeout(a.chat.destroy(), `${A}: destroy`);
    await withTimeout(b.chat.destroy(), `${B}: destroy`);
  });
  await step('no unhandled rejections', async () => {
    check(unhandled.length === 0, 'the SDK left no promise rejection unhandled', unhandled);
  });
}

main().then(
  () => report(true),
  (e) => report(false, e),
);
