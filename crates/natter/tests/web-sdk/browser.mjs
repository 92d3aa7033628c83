// Tencent's Web SDK in a real Chromium, against Natter: two users, each in their own browser
// context, load the SDK's browser build into a page, log in through `proxyServer`, and exchange a
// C2C text; the receiver checks its conversation list, reads it and reloads the history.
//
//   node browser.mjs <ws://host:port> <sdkappid> <userA> <sigA> <userB> <sigB>
// Env: CHROMIUM (the browser binary), TIMEOUT_MS (default 60000).
// Prints one JSON report line on stdout; exits 0 only when every step passed.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [proxy, sdkAppId, userA, sigA, userB, sigB] = process.argv.slice(2);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
const SDK_SOURCE = readFileSync(require.resolve('@tencentcloud/chat'), 'utf8');
const PAGE = '<!doctype html><html><head><script src="sdk.js"></script></head><body></body></html>';

// The app's page and the SDK's browser build, served on the loopback address as a developer's
// app would be (Chromium's local-network checks refuse a page from elsewhere a connection to a
// local address).
function serveApp() {
  const server = createServer((request, response) => {
    const isSdk = request.url.endsWith('/sdk.js');
    response.writeHead(200, { 'content-type': isSdk ? 'text/javascript' : 'text/html' });
    response.end(isSdk ? SDK_SOURCE : PAGE);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
    server.unref();
  });
}

const steps = [];
// Errors the SDK let escape in either page (an unanswered or refused start-up command shows here).
const pageErrors = [];
let browser;

function finish(report, code) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
  const close = browser ? browser.close().catch(() => {}) : Promise.resolve();
  close.finally(() => process.exit(code));
}

setTimeout(() => finish({ ok: false, failed: 'timeout', steps }, 1), TIMEOUT_MS).unref();

async function step(name, work) {
  try {
    const detail = await work();
    steps.push({ step: name, ok: true, detail });
    return detail;
  } catch (error) {
    finish({ ok: false, failed: name, error: String(error && error.stack || error), steps }, 1);
    throw error;
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// One user's page: the SDK loaded, an instance logged in, every received message kept.
async function openUser(appOrigin, userID, userSig) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    pageErrors.push(`${userID}: ${error}`);
    process.stderr.write(`[${userID} page error] ${error}\n`);
  });
  page.on('console', (message) => process.stderr.write(`[${userID} console] ${message.text()}\n`));
  await page.goto(`${appOrigin}/index.html`);
  await page.evaluate(
    async ({ sdkAppId, proxy, userID, userSig, logLevel }) => {
      const chat = TencentCloudChat.create({ SDKAppID: Number(sdkAppId), proxyServer: proxy });
      chat.setLogLevel(Number(logLevel));
      window.received = [];
      chat.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, (event) => window.received.push(...event.data));
      const ready = new Promise((resolve) => chat.on(TencentCloudChat.EVENT.SDK_READY, resolve));
      window.chat = chat;
      await chat.login({ userID, userSig });
      await ready;
    },
    { sdkAppId, proxy, userID, userSig, logLevel: process.env.SDK_LOG ?? 4 },
  );
  return page;
}

async function waitForText(page, from, text) {
  await page.waitForFunction(
    ({ from, text }) =>
      window.received.some((m) => m.from === from && m.payload && m.payload.text === text),
    { from, text },
    { timeout: 15000 },
  );
}

try {
  browser = await step('launch Chromium', async () => {
    const launched = await chromium.launch({
      executablePath: process.env.CHROMIUM,
      args: ['--no-sandbox'],
    });
    return launched;
  });
  steps[steps.length - 1].detail = browser.version();
  const appOrigin = await serveApp();
  const pageA = await step('A logs in (SDK_READY)', () => openUser(appOrigin, userA, sigA));
  steps[steps.length - 1].detail = userA;
  const pageB = await step('B logs in (SDK_READY)', () => openUser(appOrigin, userB, sigB));
  steps[steps.length - 1].detail = userB;
  const text = `hello from a browser ${Date.now()}`;

  const sentId = await step('A sends B a text', () =>
    pageA.evaluate(
      async ({ to, text }) => {
        const message = chat.createTextMessage({
          to,
          conversationType: TencentCloudChat.TYPES.CONV_C2C,
          payload: { text },
        });
        const result = await chat.sendMessage(message);
        return result.data.message.ID;
      },
      { to: userB, text },
    ),
  );

  await step('B receives it with the sender\'s id', async () => {
    await waitForText(pageB, userA, text);
    const id = await pageB.evaluate(
      (text) => window.received.find((m) => m.payload.text === text).ID,
      text,
    );
    check(id === sentId, `B's message id ${id} is not A's ${sentId}`);
    return id;
  });

  await step('B sees the conversation with 1 unread', async () => {
    const conversation = await pageB.evaluate(async (peer) => {
      const { data } = await chat.getConversationList();
      const found = data.conversationList.find((c) => c.conversationID === `C2C${peer}`);
      return found && { unread: found.unreadCount, last: found.lastMessage.payload.text };
    }, userA);
    check(conversation, 'no conversation with A');
    check(conversation.unread === 1, `unread ${conversation.unread}, not 1`);
    check(conversation.last === text, `last message ${conversation.last}`);
    return conversation;
  });

  await step('B reads it and reloads the history', async () => {
    const history = await pageB.evaluate(async (peer) => {
      await chat.setMessageRead({ conversationID: `C2C${peer}` });
      const { data } = await chat.getMessageList({ conversationID: `C2C${peer}` });
      const { data: after } = await chat.getConversationProfile(`C2C${peer}`);
      return {
        texts: data.messageList.map((m) => m.payload.text),
        unread: after.conversation.unreadCount,
      };
    }, userA);
    check(history.texts.includes(text), `history ${JSON.stringify(history.texts)}`);
    check(history.unread === 0, `unread after reading: ${history.unread}`);
    return history;
  });

  await step('both log out', async () => {
    await pageA.evaluate(() => chat.logout());
    await pageB.evaluate(() => chat.logout());
  });
  await step('no page errors', () => {
    check(pageErrors.length === 0, `page errors: ${JSON.stringify(pageErrors)}`);
    return pageErrors;
  });
  finish({ ok: true, steps }, 0);
} catch (error) {
  // `step` has reported it.
}
