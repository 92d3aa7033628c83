// Two users talk through Tencent's Web SDK while their sockets are cut at random moments. A TCP
// proxy in this script stands between the SDKs and Natter (`proxyServer` points at it) and drops
// connections at seeded random times; the SDKs reconnect, log in again and catch up. At the end
// every message must be there once: in each side's getMessageList, and (checked by
// tests/it/web_sdk.rs) in the server's REST history; each side's MESSAGE_RECEIVED must hold
// exactly the messages the other sent. Run by tests/it/web_sdk.rs.
//
//   node cuts.mjs <natter ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
//
// Env as in two-users.mjs (PROXY, SDKAPPID, USER_A, SIG_A, USER_B, SIG_B, TIMEOUT_MS,
// STEP_TIMEOUT_MS, SDK_LOG), plus SEED (the cuts' random seed; default: a new one, printed in
// the report, so that a failing run can be replayed), MESSAGES (default 30), CALM (the first
// messages, sent before the cuts begin; default 14), CUT_MIN_MS and
// CUT_MAX_MS (the pause between two cuts, default 150 and 1200). Besides, one send in four is
// followed by a cut 0-50 ms later (while its reply or push may be under way), and the sender
// pauses 50-400 ms between messages.
//
// stdout carries exactly one line, the JSON report (as two-users.mjs, plus `seed`, `cuts`, `sent`,
// `received` and `lists`).
import net from 'node:net';

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
  errorValue,
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

async function loginVia(proxyServer, userID, userSig) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer });
  chat.setLogLevel(SDK_LOG);
  const E = TencentCloudChat.EVENT;
  const ready = new Promise((resolve) => chat.on(E.SDK_READY, resolve));
  const user = { userID, chat, E, TYPES: TencentCloudChat.TYPES, kicked: [] };
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

// ----------------------------------------------------------------------------- the cutting proxy
const SEED = Number(process.env.SEED || Math.floor(Math.random() * 2 ** 31));
const MESSAGES = Number(process.env.MESSAGES || 30);
const CUT_MIN_MS = Number(process.env.CUT_MIN_MS || 150);
const CUT_MAX_MS = Number(process.env.CUT_MAX_MS || 1200);
const MIN_AGE_MS = 1200;
/// The first messages go without cuts, so that the SDKs' catch-up position lies well behind when
/// the cuts begin (a long session losing a push).
const CALM = Number(process.env.CALM ?? 14);
/// A receiver whose socket was cut gets the message after it reconnected and synced.
const RECEIVE_TIMEOUT_MS = 30000;

/// mulberry32: a small seeded generator, so that the cuts of a run can be replayed.
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(SEED);

/// A TCP proxy to Natter that can drop any connection through it, both ways at once.
async function startProxy(target) {
  const url = new URL(target);
  const live = [];
  let ids = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(url.port), url.hostname);
    const pair = { id: ++ids, client, upstream, opened: Date.now() };
    live.push(pair);
    const end = () => {
      const i = live.indexOf(pair);
      if (i >= 0) live.splice(i, 1);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${server.address().port}`, live, server };
}

/// Cuts a random connection after each random pause until `stop()`; returns the cuts made.
function startCutting(proxy) {
  const cuts = [];
  let timer;
  let stopped = false;
  const cut = () => {
    // A socket closed within a second of opening counts for the SDK as a failed reconnect: it
    // waits for its next heartbeat (many seconds) before trying again. Those are left alone.
    const old = proxy.live.filter((p) => Date.now() - p.opened >= MIN_AGE_MS);
    if (stopped || old.length === 0) return;
    const pair = old[Math.floor(random() * old.length)];
    cuts.push({ ms: Date.now() - started, connection: pair.id });
    process.stderr.write(`cut connection ${pair.id}\n`);
    pair.client.destroy();
    pair.upstream.destroy();
  };
  const next = () => {
    if (stopped) return;
    const pause = CUT_MIN_MS + Math.floor(random() * (CUT_MAX_MS - CUT_MIN_MS));
    timer = setTimeout(() => {
      cut();
      next();
    }, pause);
  };
  next();
  return {
    cuts,
    /// Sometimes (one call in four) cuts a connection 0-50 ms from now.
    maybeCutSoon() {
      if (random() < 0.25) setTimeout(cut, Math.floor(random() * 50));
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

// ----------------------------------------------------------------------------- the run
/// Sends one text; a send the cut connection made fail is resent as the SDK offers
/// (`resendMessage`, the same message), until it succeeds.
async function sendThrough(from, to, text) {
  const msg = from.chat.createTextMessage({ to, conversationType: from.TYPES.CONV_C2C, payload: { text } });
  let res;
  const failures = [];
  for (let attempt = 0; ; attempt++) {
    try {
      res = await withTimeout(
        attempt === 0 ? from.chat.sendMessage(msg) : from.chat.resendMessage(msg),
        `${from.userID}: sendMessage ${text}`,
      );
      break;
    } catch (e) {
      failures.push(errorValue(e));
      if (attempt >= 5) throw new Error(`${from.userID}: ${text} not sent after ${attempt + 1} tries: ${show(failures)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const m = res.data.message;
  check(m.status === 'success', `${from.userID}: sent message has status success`, m.status);
  return { text, ID: m.ID, random: m.random, time: m.time, from: from.userID, to, failures };
}

/// Every message of the conversation with `peer` in `user`'s getMessageList, oldest first.
async function wholeList(user, peer) {
  const conversationID = `C2C${peer}`;
  let res = await withTimeout(user.chat.getMessageList({ conversationID }), `${user.userID}: getMessageList`);
  let list = res.data.messageList;
  while (!res.data.isCompleted) {
    res = await withTimeout(
      user.chat.getMessageList({ conversationID, nextReqMessageID: res.data.nextReqMessageID }),
      `${user.userID}: getMessageList (older)`,
    );
    list = [...res.data.messageList, ...list];
  }
  return list.filter((m) => m.type === user.TYPES.MSG_TEXT).map(summary);
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) || 0) + 1);
  return counts;
}

async function main() {
  for (const [name, v] of Object.entries({ PROXY, USER_A: A, SIG_A, USER_B: B, SIG_B })) {
    check(v, `argument ${name} is given (see the usage at the top of cuts.mjs)`);
  }
  check(SDKAppID > 0, 'argument SDKAPPID is a number', SDKAppID);
  extra.seed = SEED;
  const proxy = await startProxy(PROXY);
  const stamp = Date.now().toString(36);
  let a;
  let b;
  await step('both log in through the cutting proxy', async () => {
    a = await loginVia(proxy.url, A, SIG_A);
    b = await loginVia(proxy.url, B, SIG_B);
    return { proxy: proxy.url, seed: SEED };
  });

  const sent = [];
  extra.sent = sent;
  let cutter = { cuts: [], maybeCutSoon() {}, stop() {} };
  extra.cuts = cutter.cuts;
  await step(`${MESSAGES} messages, alternating, while sockets are cut`, async () => {
    for (let i = 0; i < MESSAGES; i++) {
      if (i === CALM) {
        cutter = startCutting(proxy);
        extra.cuts = cutter.cuts;
      }
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const text = `cut ${i} ${from.userID} to ${to.userID} (${stamp})`;
      await new Promise((r) => setTimeout(r, 50 + Math.floor(random() * 350)));
      const sending = sendThrough(from, to.userID, text);
      cutter.maybeCutSoon();
      const m = await sending;
      sent.push(m);
      // The other side sees it (pushed, or caught up after a reconnect) before it answers.
      await to.inbox.next((x) => x.payload && x.payload.text === text, `${to.userID}: MESSAGE_RECEIVED "${text}"`, RECEIVE_TIMEOUT_MS);
    }
    return { messages: sent.length, cuts: cutter.cuts.length };
  });
  cutter.stop();

  await step('every message was received once, by the other side', async () => {
    const received = {};
    for (const [user, peer] of [
      [a, b],
      [b, a],
    ]) {
      const expected = sent.filter((m) => m.from === peer.userID);
      // Late copies (a resend racing a reconnect) would come now: wait a little for them.
      await new Promise((r) => setTimeout(r, 1500));
      const got = user.inbox.got.map(summary);
      received[user.userID] = got;
      const counts = countBy(got, (m) => m.ID);
      const doubled = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      check(doubled.length === 0, `${user.userID}: no message received twice`, got.filter((m) => doubled.includes(m.ID)));
      check(got.length === expected.length, `${user.userID}: MESSAGE_RECEIVED ${expected.length} times`, got.map((m) => m.text));
      for (const m of expected) {
        const r = got.find((x) => x.ID === m.ID);
        check(r && r.text === m.text && r.time === m.time, `${user.userID}: received ${m.text} with the sender's ID and time`, { sent: m, got: r });
      }
    }
    extra.received = received;
    return { counts: Object.fromEntries(Object.entries(received).map(([k, v]) => [k, v.length])) };
  });

  await step("each side's history holds every message once", async () => {
    const lists = {};
    for (const [user, peer] of [
      [a, b],
      [b, a],
    ]) {
      const list = await wholeList(user, peer.userID);
      lists[user.userID] = list;
      const mine = list.filter((m) => m.text.endsWith(`(${stamp})`));
      const ids = mine.map((m) => m.ID);
      const twice = [...countBy(mine, (m) => m.ID)].filter(([, n]) => n > 1).map(([id]) => id);
      check(twice.length === 0, `${user.userID}: getMessageList has no message twice`, mine.filter((m) => twice.includes(m.ID)));
      check(mine.length === sent.length, `${user.userID}: getMessageList has all ${sent.length} messages`, mine.map((m) => m.text));
      for (const [i, m] of sent.entries()) {
        const got = mine.find((x) => x.ID === m.ID);
        check(got && got.text === m.text, `${user.userID}: getMessageList has message ${i} under its ID`, { sent: m, list: mine });
      }
    }
    extra.lists = lists;
    return { counts: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.length])) };
  });

  await step('both log out', async () => {
    check(a.kicked.length === 0 && b.kicked.length === 0, 'nobody was kicked out', { [A]: a.kicked, [B]: b.kicked });
    await withTimeout(a.chat.destroy(), `${A}: destroy`);
    await withTimeout(b.chat.destroy(), `${B}: destroy`);
    proxy.server.close();
  });
  await step('no unhandled rejections', async () => {
    check(unhandled.length === 0, 'the SDK left no promise rejection unhandled', unhandled);
  });
}

main().then(
  () => report(true),
  (e) => report(false, e),
);
