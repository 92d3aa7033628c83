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
import { createRequire } from 'node:module';
import net from 'node:net';
import zlib from 'node:zlib';
import WS from 'ws';

// ----------------------------------------------------------------------------- report, stdout
// The SDK logs through console.*; keep stdout for the report alone.
for (const level of ['log', 'info', 'warn', 'debug', 'error', 'trace']) {
  console[level] = (...args) => process.stderr.write(`${unstyle(args).map(show).join(' ')}\n`);
}
// The SDK prefixes its lines with browser console styles ("%c Chat %c", css, css): drop them.
function unstyle(args) {
  if (typeof args[0] !== 'string' || !args[0].includes('%c')) return args;
  const n = args[0].split('%c').length - 1;
  return [args[0].replaceAll('%c', '').trim(), ...args.slice(1 + n)];
}
function show(v) {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.stack || v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const started = Date.now();
const steps = [];
const unhandled = [];
const frames = []; // the last FRAME_KEEP frames, for the failure report
const FRAME_KEEP = 60;
const uplink = []; // every request sent: {ms, user, servcmd, body}
let current = 'start';
let reported = false;
// What the run adds to the report: seed, cuts, sent, received, lists.
const extra = {};

function report(ok, error) {
  if (reported) return;
  reported = true;
  const out = ok
    ? { ok: true, steps, unhandled, ...extra }
    : { ok: false, failed: current, error: errorValue(error), steps, unhandled, ...extra, frames };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(ok ? 0 : 1));
  // If stdout never drains, still exit.
  setTimeout(() => process.exit(ok ? 0 : 1), 2000).unref();
}
function errorValue(e) {
  if (e === undefined || e === null) return null;
  if (e instanceof Error) return { message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) };
  if (typeof e === 'object') {
    // SDK rejections are {code, message, data?}.
    const { code, message, data } = e;
    return { code, message, ...(data !== undefined ? { data: safe(data) } : {}) };
  }
  return { message: String(e) };
}
function safe(v) {
  try {
    return JSON.parse(JSON.stringify(v));
  } catch {
    return String(v);
  }
}

process.on('unhandledRejection', (reason) => {
  unhandled.push({ step: current, ms: Date.now() - started, reason: errorValue(reason) });
  console.error(`unhandledRejection during ${current}:`, reason);
});
process.on('uncaughtException', (e) => {
  console.error('uncaughtException:', e);
  report(false, e);
});

// ----------------------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const arg = (i, env, dflt) => argv[i] ?? process.env[env] ?? dflt;
const PROXY = arg(0, 'PROXY');
const SDKAppID = Number(arg(1, 'SDKAPPID'));
const A = arg(2, 'USER_A');
const SIG_A = arg(3, 'SIG_A');
const B = arg(4, 'USER_B');
const SIG_B = arg(5, 'SIG_B');
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
const STEP_TIMEOUT_MS = Number(process.env.STEP_TIMEOUT_MS || 15000);
const SDK_LOG = Number(process.env.SDK_LOG ?? 4);

setTimeout(() => report(false, new Error(`overall timeout after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);

// ----------------------------------------------------------------------------- WebSocket tracing
// The SDK uses the global WebSocket (Node 20 has none). This subclass records every frame both
// ways: binary JSON `{head, body}`, or "COMP" + gzip/zlib downlink.
let socketIds = 0;
function decode(data) {
  let buf;
  if (typeof data === 'string') return { text: true, raw: data };
  if (data instanceof ArrayBuffer) buf = Buffer.from(data);
  else if (ArrayBuffer.isView(data)) buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  else if (Array.isArray(data)) buf = Buffer.concat(data);
  else return { raw: String(data) };
  let compressed = false;
  if (buf.length >= 4 && buf.subarray(0, 4).toString('latin1') === 'COMP') {
    compressed = true;
    try {
      buf = zlib.unzipSync(buf.subarray(4));
    } catch (e) {
      return { compressed, raw: `<undecompressable: ${e.message}>` };
    }
  }
  const text = buf.toString('utf8');
  try {
    return { compressed, frame: JSON.parse(text) };
  } catch {
    return { compressed, raw: text.slice(0, 300) };
  }
}
function trace(sock, dir, data) {
  const d = decode(data);
  const head = (d.frame && d.frame.head) || {};
  if (dir === '>>' && head.identifier) sock.user = head.identifier;
  const body = d.frame ? JSON.stringify(d.frame.body) : d.raw;
  const entry = {
    ms: Date.now() - started,
    sock: sock.id,
    user: sock.user,
    dir,
    ...(d.text ? { textFrame: true } : {}),
    ...(d.compressed ? { comp: true } : {}),
    servcmd: head.servcmd,
    seq: head.seq,
    body: body && body.length > 400 ? `${body.slice(0, 400)}…` : body,
  };
  if (dir === '>>') uplink.push({ ms: entry.ms, user: sock.user, servcmd: head.servcmd, body: d.frame && d.frame.body });
  frames.push(entry);
  if (frames.length > FRAME_KEEP) frames.shift();
  // stderr has the whole body (up to 4000 characters), the report's frames the first 400.
  const full = body && body.length > 4000 ? `${body.slice(0, 4000)}…` : body;
  process.stderr.write(`frame ${JSON.stringify({ ...entry, body: full })}\n`);
}
class TracingWebSocket extends WS {
  constructor(url, ...rest) {
    super(url, ...rest);
    this._trace = { id: ++socketIds, user: undefined };
    process.stderr.write(`socket #${this._trace.id} ${url}\n`);
    this.addEventListener('message', (ev) => trace(this._trace, '<<', ev.data));
    this.addEventListener('close', (ev) => process.stderr.write(`socket #${this._trace.id} closed ${ev.code}\n`));
    this.addEventListener('error', (ev) => process.stderr.write(`socket #${this._trace.id} error ${ev.message}\n`));
  }
  send(data, ...rest) {
    trace(this._trace, '>>', data);
    return super.send(data, ...rest);
  }
}
globalThis.WebSocket = TracingWebSocket;

// ----------------------------------------------------------------------------- helpers
const require = createRequire(import.meta.url);
// The SDK keeps one instance per SDKAppID per JS realm: each user gets a fresh module copy.
function freshSDK() {
  const path = require.resolve('@tencentcloud/chat');
  delete require.cache[path];
  return require(path);
}

/// The requests `user` sent after `since` (ms since start) with this servcmd.
function requests(user, servcmd, since) {
  return uplink.filter((f) => f.user === user && f.servcmd === servcmd && f.ms >= since);
}

function check(cond, what, actual) {
  if (!cond) {
    const e = new Error(`${what}${actual !== undefined ? `; got ${show(actual)}` : ''}`);
    throw e;
  }
}

function withTimeout(p, what, ms = STEP_TIMEOUT_MS) {
  let t;
  const timeout = new Promise((_, reject) => {
    t = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/// Polls `probe` until it returns a non-undefined value; the last probe's description is in the error.
async function eventually(what, probe, ms = STEP_TIMEOUT_MS) {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    const got = await probe();
    if (got.ok) return got.value;
    last = got.seen;
    if (Date.now() > until) throw new Error(`${what}; last seen ${show(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function step(name, fn) {
  current = name;
  const t0 = Date.now();
  const detail = await fn();
  steps.push({ step: name, ms: Date.now() - t0, ...(detail || {}) });
  process.stderr.write(`step ok: ${name} ${JSON.stringify(detail || {})}\n`);
}

/// Every message a client got through MESSAGE_RECEIVED, and waiters for one.
function inbox(user) {
  const got = [];
  const waiters = [];
  user.chat.on(user.E.MESSAGE_RECEIVED, (ev) => {
    for (const m of ev.data) {
      got.push(m);
      for (const w of waiters.slice()) if (w.match(m)) w.resolve(m);
    }
  });
  return {
    got,
    next(match, what, ms = STEP_TIMEOUT_MS) {
      const seen = got.find(match);
      if (seen) return Promise.resolve(seen);
      return withTimeout(
        new Promise((resolve) => waiters.push({ match, resolve })),
        `${what}; MESSAGE_RECEIVED so far: ${show(got.map(summary))}`,
        ms,
      );
    },
  };
}

function summary(m) {
  return {
    ID: m.ID,
    from: m.from,
    to: m.to,
    conversationID: m.conversationID,
    type: m.type,
    text: m.payload && m.payload.text,
    flow: m.flow,
    status: m.status,
    time: m.time,
    sequence: m.sequence,
    random: m.random,
  };
}

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
