// Translation through Tencent's Web SDK against Natter: `translateText` reaches the engine the
// test stands in for (LibreTranslate's /translate), whose translations come back in order; and
// an engine's failure is the SDK's failure, not a made-up text. Run by
// tests/it/web_sdk_language.rs; arguments, env and the one-line JSON report on stdout as in
// two-users.mjs.
//
//   node language.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import { A, SIG_A, check, loginWatching, report, step } from './harness.mjs';

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

  report(true);
}

main().catch((e) => report(false, e));
