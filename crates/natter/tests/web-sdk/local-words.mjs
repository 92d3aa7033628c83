// The local profanity filter through Tencent's Web SDK and its plugin (npm
// tim-profanity-filter-plugin) against Natter: the SDK downloads the app's lexicon
// (im_msg_audit_mgr.get_local_words), the plugin decrypts it, and then stops a text with a
// blocked word (PROFANITY_FOUND) and replaces a word that has a replacement, as the receiver
// sees. Run by tests/it/web_sdk_language.rs; arguments, env and the one-line JSON report on
// stdout as in two-users.mjs.
//
//   node local-words.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import { createRequire } from 'node:module';

import { A, B, PROXY, SDK_LOG, SDKAppID, SIG_A, SIG_B, check, eventually, freshSDK, report, step } from './harness.mjs';

const require = createRequire(import.meta.url);
const TIMProfanityFilterPlugin = require('tim-profanity-filter-plugin');
const PROFANITY_FOUND = 3123;

/// Logs in with the plugin registered; resolves at SDK_READY with every message received.
async function login(userID, userSig) {
  const TencentCloudChat = freshSDK();
  const chat = TencentCloudChat.create({ SDKAppID, proxyServer: PROXY });
  chat.setLogLevel(SDK_LOG);
  chat.registerPlugin({ 'tim-profanity-filter-plugin': TIMProfanityFilterPlugin });
  const ready = new Promise((resolve) => chat.on(TencentCloudChat.EVENT.SDK_READY, resolve));
  const user = { userID, chat, TYPES: TencentCloudChat.TYPES, messages: [] };
  chat.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, (ev) => user.messages.push(...ev.data));
  const res = await chat.login({ userID, userSig });
  check(res.code === 0, `${userID}: login`, res.code);
  await ready;
  return user;
}

const text = (from, to, body) =>
  from.chat.sendMessage(from.chat.createTextMessage({ to, conversationType: from.TYPES.CONV_C2C, payload: { text: body } }));

async function main() {
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);

  await step('the SDK has the lexicon', async () => {
    // A profile text is checked too, and refused without a request once the lexicon is in.
    const code = await eventually('the nickname "badword" is refused', async () => {
      const res = await a.chat.updateMyProfile({ nick: 'my badword' }).catch((e) => e);
      return { ok: res.code === PROFANITY_FOUND, value: res.code, seen: res };
    });
    return { code };
  });

  await step('a blocked word stops the message', async () => {
    const err = await text(a, B, 'you BADWORD you').catch((e) => e);
    check(err.code === PROFANITY_FOUND, 'sendMessage fails with PROFANITY_FOUND', err);
    return { code: err.code };
  });

  await step('a replaced word reaches the receiver replaced', async () => {
    const res = await text(a, B, 'oh darn it');
    check(res.code === 0, 'sent', res);
    const got = await eventually('B receives it', async () => {
      const m = b.messages.find((x) => x.from === A);
      return { ok: m !== undefined, value: m, seen: b.messages.length };
    });
    return { sent: res.data.message.payload.text, received: got.payload.text };
  });

  report(true);
}

main().catch((e) => report(false, e));
