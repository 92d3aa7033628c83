// Translation through Tencent's Web SDK against Natter: `translateText` reaches the engine the
// test stands in for (LibreTranslate's /translate), whose translations come back in order; and
// an engine's failure is the SDK's failure, not a made-up text; B converts A's sound message
// (sent by the test before, its file in Natter's store) to text. Run by
// tests/it/web_sdk_language.rs; arguments, env and the one-line JSON report on stdout as in
// two-users.mjs.
//
//   node language.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import { A, B, SIG_A, SIG_B, check, eventually, loginWatching, report, step } from './harness.mjs';

async function main() {
  const a = await loginWatching(A, SIG_A, []);

  await step('A translates two texts', async () => {
    const res = await a.chat.translateText({ sourceTextList: ['hello', 'good night'], sourceLanguage: 'auto', targetLanguage: 'zh' });
    check(res.code === 0, 'translateText succeeds', res);
    return { translated: res.data.translatedTextList };
  });

  await step('a failing engine is the SDK failure', async () => {
    const err = await a.chat
      .translateText({ sourceTextList: ['please fail'], sourceLanguage: 'en', targetLanguage: 'ja' })
      .then((res) => ({ unexpected: res }))
      .catch((e) => e);
    check(err.code !== undefined && err.code !== 0, 'translateText fails', err);
    return { code: err.code, message: err.message };
  });

  await a.chat.logout();

  await step("B converts A's sound message to text", async () => {
    const b = await loginWatching(B, SIG_B, []);
    const sound = await eventually("A's sound message in B's history", async () => {
      const list = await b.chat.getMessageList({ conversationID: `C2C${A}` });
      const m = list.data.messageList.find((x) => x.type === b.TYPES.MSG_SOUND);
      return { ok: m !== undefined, value: m, seen: list.data.messageList.map((x) => x.type) };
    });
    const res = await b.chat.convertVoiceToText({ message: sound, language: 'en-US' });
    check(res.code === 0, 'convertVoiceToText succeeds', res);
    await b.chat.logout();
    return { url: sound.payload.url, result: res.data.result };
  });

  report(true);
}

main().catch((e) => report(false, e));
