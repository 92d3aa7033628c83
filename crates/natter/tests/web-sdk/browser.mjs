// Tencent's Web SDK in a real Chromium, against Natter: two users, each in their own browser
// context, load the SDK's browser build into a page, log in through `proxyServer`, and exchange a
// C2C text; the receiver checks its conversation list, reads it and reloads the history. Then A
// sends an image (B's page shows it) and a video (B downloads it) through the upload flow.
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
const PLUGIN_SOURCE = readFileSync(require.resolve('tim-upload-plugin'), 'utf8');
const PAGE =
  '<!doctype html><html><head><script src="sdk.js"></script><script src="plugin.js"></script></head><body></body></html>';
// A 1×1 PNG, for an image that the browser really decodes and shows.
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

// The app's page and the SDK's browser build, served on the loopback address as a developer's
// app would be (Chromium's local-network checks refuse a page from elsewhere a connection to a
// local address).
function serveApp() {
  const server = createServer((request, response) => {
    const script = request.url.endsWith('/sdk.js') ? SDK_SOURCE : request.url.endsWith('/plugin.js') ? PLUGIN_SOURCE : null;
    response.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' });
    response.end(script ?? PAGE);
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
      // Uploads (image, file, video messages) go through Tencent's plugin, to Natter's URLs.
      chat.registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin });
      window.received = [];
      chat.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, (event) => window.received.push(...event.data));
      window.conversations = [];
      chat.on(TencentCloudChat.EVENT.CONVERSATION_LIST_UPDATED, (event) => {
        window.conversations = event.data;
      });
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
    // The SDK updates its list after the message event; wait for the update it announces.
    await pageB.waitForFunction(
      (peer) => window.conversations.some((c) => c.conversationID === `C2C${peer}` && c.unreadCount > 0),
      userA,
      { timeout: 15000 },
    );
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

  // Files, with proxyServer alone (im_cos_msg.pre_sig): the browser PUTs them to Natter from
  // the app's origin (CORS), the sender's SDK loads the image to read its size, and B shows it.
  const imageId = await step('A sends B an image', () =>
    pageA.evaluate(
      async ({ to, png }) => {
        const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
        const file = new File([bytes], 'dot.png', { type: 'image/png' });
        const message = chat.createImageMessage({
          to,
          conversationType: TencentCloudChat.TYPES.CONV_C2C,
          payload: { file },
        });
        const result = await chat.sendMessage(message);
        return result.data.message.ID;
      },
      { to: userB, png: PNG_BASE64 },
    ),
  );
  await step('B receives the image and shows it', async () => {
    await pageB.waitForFunction((id) => window.received.some((m) => m.ID === id), imageId, { timeout: 15000 });
    const shown = await pageB.evaluate(async (id) => {
      const m = window.received.find((x) => x.ID === id);
      const url = m.payload.imageInfoArray[0].url;
      const img = document.createElement('img');
      document.body.append(img);
      await new Promise((resolve, reject) => {
        img.onload = resolve;
        img.onerror = () => reject(new Error(`the image at ${url} does not load`));
        img.src = url;
      });
      return { url, width: img.naturalWidth, height: img.naturalHeight, info: m.payload.imageInfoArray[0] };
    }, imageId);
    check(shown.url.includes('/_natter/files/'), `image URL ${shown.url}`);
    check(shown.width === 1 && shown.height === 1, `shown ${shown.width}x${shown.height}`);
    check(shown.info.width === 1 && shown.info.height === 1, `message says ${JSON.stringify(shown.info)}`);
    return shown;
  });
  const clip = `not really a video ${Date.now()}`;
  const videoId = await step('A sends B a video', () =>
    pageA.evaluate(
      async ({ to, clip }) => {
        const file = new File([clip], 'clip.mp4', { type: 'video/mp4' });
        const message = chat.createVideoMessage({
          to,
          conversationType: TencentCloudChat.TYPES.CONV_C2C,
          payload: { file },
        });
        const result = await chat.sendMessage(message);
        return result.data.message.ID;
      },
      { to: userB, clip },
    ),
  );
  await step('B receives the video and downloads the same bytes', async () => {
    await pageB.waitForFunction((id) => window.received.some((m) => m.ID === id), videoId, { timeout: 15000 });
    const got = await pageB.evaluate(async (id) => {
      const m = window.received.find((x) => x.ID === id);
      const response = await fetch(m.payload.videoUrl);
      return { url: m.payload.videoUrl, status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }, videoId);
    check(got.status === 200 && got.text === clip, `video download ${JSON.stringify(got)}`);
    check(got.type === 'video/mp4', `served as ${got.type}`);
    return got;
  });

  // With VIDEO_BASE64 (a real MP4; the test's Natter has ffmpeg) the SDK asks Natter for the
  // video's cover and puts it into the message, and B's page shows it.
  if (process.env.VIDEO_BASE64) {
    const coveredId = await step('A sends B a real video', () =>
      pageA.evaluate(
        async ({ to, base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const file = new File([bytes], 'real.mp4', { type: 'video/mp4' });
          const message = chat.createVideoMessage({ to, conversationType: TencentCloudChat.TYPES.CONV_C2C, payload: { file } });
          const result = await chat.sendMessage(message);
          return result.data.message.ID;
        },
        { to: userB, base64: process.env.VIDEO_BASE64 },
      ),
    );
    await step('B receives the video with its cover and shows the cover', async () => {
      await pageB.waitForFunction((id) => window.received.some((m) => m.ID === id), coveredId, { timeout: 15000 });
      const shown = await pageB.evaluate(async (id) => {
        const m = window.received.find((x) => x.ID === id);
        const url = m.payload.snapshotUrl;
        const img = document.createElement('img');
        document.body.append(img);
        await new Promise((resolve, reject) => {
          img.onload = resolve;
          img.onerror = () => reject(new Error(`the cover at ${url} does not load`));
          img.src = url;
        });
        return {
          url,
          width: img.naturalWidth,
          height: img.naturalHeight,
          said: [m.payload.snapshotWidth, m.payload.snapshotHeight],
        };
      }, coveredId);
      check(shown.url && shown.url.includes('/_natter/files/'), `cover URL ${JSON.stringify(shown)}`);
      return shown;
    });
  }

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
