// What the Web SDK test scripts (two-users.mjs, cuts.mjs) share: stdout kept for one JSON report,
// the steps and their timing, the arguments, a global WebSocket that traces every frame both ways,
// a fresh SDK module per user, and the waits (for a promise, a condition, a received message).
// Importing it sets up the console, the WebSocket and the overall timeout.
import { createRequire } from 'node:module';
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

/// Logs `userID` in with a fresh SDK instance and keeps, in `user.events[name]`, the data of every
/// event named in `kinds`, and in `user.messages` every message received; resolves at SDK_READY.
async function loginWatching(userID, userSig, kinds) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY });
  chat.setLogLevel(SDK_LOG);
  const E = TencentCloudChat.EVENT;
  const ready = new Promise((resolve) => chat.on(E.SDK_READY, resolve));
  const user = { userID, chat, E, TYPES: TencentCloudChat.TYPES, events: {}, messages: [] };
  for (const name of kinds) {
    user.events[name] = [];
    chat.on(E[name], (ev) => user.events[name].push(ev.data));
  }
  chat.on(E.MESSAGE_RECEIVED, (ev) => user.messages.push(...ev.data));
  chat.on(E.ERROR, (ev) => console.error(`[${userID}] ERROR event`, ev.data));
  const res = await withTimeout(chat.login({ userID, userSig }), `${userID}: login()`);
  check(res.code === 0, `${userID}: login() resolves with code 0`, res.code);
  await withTimeout(ready, `${userID}: SDK_READY`);
  return user;
}

/// Waits until `user` (from `loginWatching`) has had an event `name` whose data passes `match`;
/// returns its data.
function watchedEvent(user, name, match, what) {
  return eventually(`${user.userID}: ${what}`, () => {
    const found = user.events[name].find(match);
    return { ok: found !== undefined, value: found, seen: user.events[name] };
  });
}

export {
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
  loginWatching,
  report,
  requests,
  show,
  started,
  step,
  summary,
  unhandled,
  uplink,
  watchedEvent,
  withTimeout,
};
