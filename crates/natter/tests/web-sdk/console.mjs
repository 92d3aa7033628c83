// Natter's browser console (/console) in a real Chromium: sign in with a UserSig the local
// emulator mints, look up accounts, open chat panes for two users who exchange one-to-one
// messages (typing, read receipt, recall, friend request) and talk in a group (a recall
// refused and one made), read the history, see who is online, and use the webhook inspector
// (the receiver's answers, filters, replay, fault injection, a switch). A screenshot of each
// main view is saved.
//
//   node console.mjs <http://host:port/console> <sdkappid> <userA> <userB> <groupId>
// Env: CHROMIUM (the browser binary), SCREENSHOTS (a directory), TIMEOUT_MS (default 90000).
// Prints one JSON report line on stdout; exits 0 only when every step passed.

import { chromium } from 'playwright-core';

const [consoleUrl, sdkAppId, userA, userB, groupId] = process.argv.slice(2);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 90000);
const SHOTS = process.env.SCREENSHOTS;
const WAIT = { timeout: 15000 };
const steps = [];
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
    steps.push({ step: name, ok: true, detail: detail ?? null });
    process.stderr.write(`ok: ${name}\n`);
    return detail;
  } catch (error) {
    finish({ ok: false, failed: name, error: String((error && error.stack) || error), steps }, 1);
    throw error;
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const tag = Math.random().toString(36).slice(2, 8);
browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
const page = await context.newPage();
page.on('pageerror', (error) => {
  pageErrors.push(String(error));
  process.stderr.write(`[page error] ${error}\n`);
});
page.on('console', (m) => {
  process.stderr.write(`[console ${m.type()}] ${m.text()}\n`);
  // A Content-Security-Policy refusal is only a console error; it is a bug of the page.
  if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
});
const $ = (id) => page.getByTestId(id);
const shot = async (name) => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
};
const view = async (name) => {
  await $(`nav-${name}`).click();
  await page.waitForFunction((n) => location.hash === `#${n}`, name);
};

await step('the emulator offers to make the admin UserSig', async () => {
  await page.goto(consoleUrl);
  check(new URL(page.url()).pathname.endsWith('/console/'), `redirected to ${page.url()}`);
  await $('signin-mint').waitFor(WAIT);
  await $('signin-sdkappid').fill(sdkAppId);
  // A wrong UserSig is refused with Tencent's code, and nothing is kept.
  await $('signin-usersig').fill('not-a-usersig');
  await $('signin-submit').click();
  await $('signin-error').getByText(/^70\d\d\d: /).waitFor(WAIT);
  check((await page.evaluate(() => sessionStorage.length)) === 0, 'a refused sig is not kept');
  await shot('signin');
  await $('signin-mint').click();
  await page.getByText(`administrator @ ${sdkAppId}`).waitFor(WAIT);
  const stored = await page.evaluate(() => [sessionStorage.length, localStorage.getItem('natter.console.session')]);
  check(stored[0] === 1 && stored[1] === null, `the sig is kept in sessionStorage only: ${stored}`);
});

await step('accounts: the list by prefix, a check, one opened', async () => {
  await view('accounts');
  await $('accounts-list').getByText('administrator').waitFor(WAIT);
  await $('accounts-prefix').fill(userA.slice(0, 8));
  await $('accounts-prefix').press('Enter');
  await $('accounts-list').getByText('administrator').waitFor({ state: 'detached', ...WAIT });
  await $('accounts-list').getByText(userB).waitFor(WAIT);
  await $('accounts-search-input').fill(`${userA}, ${userB} nobody_${tag}`);
  await $('accounts-search-input').press('Enter');
  const table = $('accounts-table');
  await table.getByText(userB).waitFor(WAIT);
  await table.getByText('not imported').waitFor(WAIT);
  await table.getByText(userA).click();
  await $('account-detail').getByText('Nick').or($('account-detail').getByText('Groups')).first().waitFor(WAIT);
  await $('account-usersig').click();
  const sig = await $('account-usersig-value').inputValue(WAIT);
  check(sig.length > 50, 'a UserSig was made');
  await shot('accounts');
});

const pane = (user, what) => $(`pane-${what}-${user}`);
async function say(user, kind, target, words) {
  await pane(user, 'kind').selectOption(kind);
  await pane(user, 'target').fill(target);
  await pane(user, 'input').fill(words);
  await pane(user, 'input').press('Enter');
  await pane(user, 'log').getByText(words).waitFor(WAIT);
}

await step('two chat panes log in over /ws', async () => {
  await view('chat');
  for (const user of [userA, userB]) {
    await $('chat-add-user').fill(user);
    await $('chat-add-submit').click();
    await pane(user, 'status').waitFor(WAIT);
  }
});

const a = `hello from A ${tag}`;
const b = `hello back from B ${tag}`;
await step('A and B exchange one-to-one messages', async () => {
  // Typing shows in B's pane before the message arrives.
  await pane(userA, 'kind').selectOption('user');
  await pane(userA, 'target').fill(userB);
  await pane(userA, 'input').fill('h');
  await pane(userB, 'typing').getByText(`${userA} is typing`).waitFor(WAIT);
  await say(userA, 'user', userB, a);
  await pane(userB, 'log').getByText(a).waitFor(WAIT);
  await say(userB, 'user', userA, b);
  await pane(userA, 'log').getByText(b).waitFor(WAIT);
  return { a, b };
});

await step('B reads: A sees the receipt; A recalls: B sees it', async () => {
  await $(`pane-read-${userB}`).click();
  await pane(userA, 'log').getByText('✓ read').first().waitFor(WAIT);
  await $(`pane-recall-${userA}`).click();
  await pane(userB, 'log').getByTestId('pane-recalled').waitFor(WAIT);
});

await step('A asks B to be friends; B accepts', async () => {
  await $(`pane-friend-${userA}`).click();
  await pane(userB, 'log').getByTestId('friend-accept').click(WAIT);
  await pane(userA, 'log').getByText(`${userB} is now a friend`).waitFor(WAIT);
});

const ga = `group hello from A ${tag}`;
const gb = `group hello from B ${tag}`;
await step('B joins the group and both talk there', async () => {
  await pane(userB, 'kind').selectOption('group');
  await pane(userB, 'target').fill(groupId);
  await $(`pane-join-${userB}`).click();
  await pane(userB, 'log').getByTestId('pane-joined').waitFor(WAIT);
  await pane(userA, 'log').getByTestId('group-tip').first().waitFor(WAIT);
  await say(userA, 'group', groupId, ga);
  await pane(userB, 'log').getByText(ga).waitFor(WAIT);
  await say(userB, 'group', groupId, gb);
  await pane(userA, 'log').getByText(gb).waitFor(WAIT);
  await shot('chat');
  return { a: ga, b: gb };
});

await step('group recall: B may not recall A\'s message; B recalls its own and A sees it recalled', async () => {
  await pane(userB, 'log').locator('.msg', { hasText: ga }).getByTestId('msg-recall').click();
  await page.getByText(/^10007: /).first().waitFor(WAIT);
  await pane(userB, 'log').locator('.msg', { hasText: gb }).getByTestId('msg-recall').click();
  await pane(userB, 'log').locator('.msg.recalled', { hasText: gb }).waitFor(WAIT);
  await pane(userA, 'log').getByTestId('pane-group-recalled').waitFor(WAIT);
  await pane(userA, 'log').locator('.msg.recalled', { hasText: gb }).waitFor(WAIT);
  check(!(await pane(userA, 'log').locator('.msg', { hasText: ga }).evaluate((el) => el.classList.contains('recalled'))), "A's own message stays");
});

const gr = `group receipt please ${tag}`;
await step('A asks for a read receipt in the group; B reads; B leaves', async () => {
  await pane(userA, 'tools').getByRole('checkbox').check();
  await say(userA, 'group', groupId, gr);
  await pane(userB, 'log').getByText(gr).waitFor(WAIT);
  await $(`pane-read-${userB}`).click();
  await pane(userB, 'log').getByText(/read receipt for \d+ message/).waitFor(WAIT);
  await $(`pane-quit-${userB}`).click();
  await pane(userB, 'log').getByText(`left ${groupId}`).waitFor(WAIT);
  await pane(userA, 'log').getByText(/Quit console_bob/).waitFor(WAIT);
  return { text: gr };
});

await step('groups: the list and the group with its members', async () => {
  await view('groups');
  await $('groups-table').getByText(groupId).click(WAIT);
  await $('group-members').getByText(userA).waitFor(WAIT);
  await $('group-members').getByText('Owner').waitFor(WAIT);
  await shot('groups');
});

await step('groups: create a community, a topic and an attribute', async () => {
  await $('group-create-type').selectOption('Community');
  await $('group-create-name').fill(`Guild ${tag}`);
  await $('group-create-owner').fill(userA);
  await $('group-create-submit').click();
  await $('group-detail').getByText('Community', { exact: true }).waitFor(WAIT);
  await $('topic-create-name').fill(`news-${tag}`);
  await $('topic-create-submit').click();
  await $('group-topics').getByText(`news-${tag}`).waitFor(WAIT);
  await $('group-attr-key').fill('theme');
  await $('group-attr-value').fill(`blue-${tag}`);
  await $('group-attr-submit').click();
  await $('group-attrs').getByText(`blue-${tag}`).waitFor(WAIT);
  await $('groups-type').selectOption('Community');
  await $('groups-table').getByText(`Guild ${tag}`).waitFor(WAIT);
  await $('groups-table').getByText('Console room').waitFor({ state: 'detached', ...WAIT });
  const id = (await $('group-detail').locator('h3').first().innerText()).trim();
  return { community: id, topic: `news-${tag}`, attr: `blue-${tag}` };
});

await step('conversations: the one-to-one history', async () => {
  await view('conversations');
  await $('c2c-a').fill(userA);
  await $('c2c-b').fill(userB);
  await $('c2c-open').click();
  await $('history-table').getByText(b).waitFor(WAIT);
  // A recalled its first message: history keeps it, flagged.
  await $('history-table').locator('tr', { hasText: a }).getByText('recalled').waitFor(WAIT);
  await $('sessions-user').fill(userA);
  await $('sessions-user').press('Enter');
  await $('sessions-table').getByText(userB).waitFor(WAIT);
  await shot('conversations');
});

await step('online: both users with their device', async () => {
  await view('online');
  await $('online-refresh').click();
  const row = $('online-table').locator('tr', { hasText: userA });
  await row.getByText('Web').waitFor(WAIT);
  await shot('online');
});

let answer = '';
await step("the inspector shows the callback and the app's answer", async () => {
  await view('webhooks');
  const table = $('hooks-table');
  await table.getByText('C2C.CallbackAfterSendMsg').first().waitFor(WAIT);
  await $('hooks-filter-command').selectOption('C2C.CallbackAfterSendMsg');
  await table.getByText('Group.CallbackAfterSendMsg').waitFor({ state: 'detached', ...WAIT });
  await table.locator('tr.pick').last().click();
  await $('hook-status').getByText('200').waitFor(WAIT);
  answer = await $('hook-answer').innerText();
  // By account: only callbacks that name A's peer.
  await $('hooks-filter-command').selectOption('');
  await $('hooks-filter-account').fill(userB);
  const rows = await table.locator('tr.pick').count();
  check(rows > 0, 'callbacks naming B are listed');
  await $('hooks-filter-account').fill('');
  await $('hooks-filter-command').selectOption('C2C.CallbackAfterSendMsg');
  await shot('webhooks');
  return { answer };
});

await step('replay a delivery', async () => {
  const rows = $('hooks-table').locator('tr.pick');
  const before = await rows.count();
  await $('hook-replay').click();
  await page.waitForFunction(([n]) => document.querySelectorAll('[data-testid="hooks-table"] tr.pick').length > n, [before], WAIT);
});

await step('inject a failure, then see it in the inspector', async () => {
  await $('fault-command').selectOption('C2C.CallbackAfterSendMsg');
  await $('fault-kind').selectOption('fail');
  await $('fault-count').fill('1');
  await $('fault-submit').click();
  await page.getByText('will fail').waitFor(WAIT);
  await view('chat');
  await say(userA, 'user', userB, `doomed callback ${tag}`);
  await view('webhooks');
  await $('hooks-filter-outcome').selectOption('injected-failure');
  await $('hooks-table').getByText('injected-failure').waitFor(WAIT);
  await $('hooks-filter-outcome').selectOption('');
});

await step('switch State.StateChange off', async () => {
  await $('hooks-switches').getByText('State.StateChange', { exact: true }).click();
  await $('hooks-save').click();
  await page.getByText('Webhook settings saved').waitFor(WAIT);
  await page.keyboard.press('t');
  check((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', 't switches the theme');
  await shot('webhooks-dark');
});

await step('no page errors', async () => pageErrors);
finish({ ok: pageErrors.length === 0, failed: pageErrors.length ? 'page errors' : null, steps }, pageErrors.length ? 1 : 0);
