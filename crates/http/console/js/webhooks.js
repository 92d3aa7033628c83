// The webhook inspector: every callback the app was sent, live. It polls
// `GET /_natter/webhooks?after=<cursor>` (each delivery once), shows command, URL, query, body,
// the app's answer, latency, outcome and attempts, filters by command and account, replays a
// delivery or a dead letter, and edits the switches and fault injection of the app.

import { h, card, table, form, attempt, toast, json, pill, select, time } from './ui.js';

const POLL_MS = 1000;
/** A tab in the background polls less. */
const HIDDEN_POLL_MS = 5000;
const KEPT = 1000;
const state = { entries: [], dead: [], cursor: 0, unseen: 0, listeners: new Set() };

const OUTCOME = { ok: 'ok', retrying: 'warn', 'injected-failure': 'warn', 'injected-timeout': 'warn' };
const outcomePill = (o) => pill(o, OUTCOME[o] ?? 'bad');

/** Every account a callback body names (keys ending in `_Account`, `UserID`), for the filter. */
function accounts(value, out = new Set(), key = '') {
  if (typeof value === 'string' && (key.endsWith('_Account') || key === 'UserID')) out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => accounts(v, out, key));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) accounts(v, out, k);
  return out;
}

/** Starts polling once signed in; the badge counts failures not yet looked at. */
export function watch(ctx) {
  const poll = async () => {
    try {
      const reply = await ctx.api.control('GET', 'webhooks', undefined, { after: String(state.cursor) });
      state.cursor = reply.cursor;
      state.dead = reply.dead_letters || [];
      if (reply.deliveries.length) {
        for (const d of reply.deliveries) d.accounts = [...accounts(d.body)];
        state.entries = [...reply.deliveries, ...state.entries].slice(0, KEPT);
        state.unseen += reply.deliveries.filter((d) => d.outcome !== 'ok').length;
      }
      state.listeners.forEach((f) => f(reply.deliveries.length > 0));
    } catch {
      // The next poll tries again (a restarting server, a lost network).
    }
    const badge = document.getElementById('hook-badge');
    badge.hidden = state.unseen === 0;
    badge.textContent = state.unseen;
    setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
  };
  poll();
}

export function create(ctx) {
  const { api } = ctx;
  let picked = null;
  let known = [];
  const commandFilter = h('select', { 'aria-label': 'Command', 'data-testid': 'hooks-filter-command' }, h('option', { value: '' }, 'All commands'));
  const accountFilter = h('input', { placeholder: 'Account', 'aria-label': 'Account', 'data-search': true, 'data-testid': 'hooks-filter-account' });
  const outcomeFilter = h('select', { 'aria-label': 'Outcome', 'data-testid': 'hooks-filter-outcome' },
    ['', 'ok', 'failed', 'timeout', 'retrying', 'dead', 'injected-failure', 'injected-timeout'].map((o) => h('option', { value: o }, o || 'Any outcome')));
  const list = h('div');
  const deadBox = h('div');
  const detail = h('div', { 'data-testid': 'hook-detail' }, h('p.muted', {}, 'Pick a callback to see its request and the app’s answer.'));
  const configBox = h('div');

  function shown() {
    const command = commandFilter.value;
    const account = accountFilter.value.trim();
    const outcome = outcomeFilter.value;
    return state.entries.filter((d) => (!command || d.command === command) && (!outcome || d.outcome === outcome) && (!account || d.accounts.includes(account)));
  }

  function render() {
    const commands = [...new Set(state.entries.map((d) => d.command))].sort();
    const current = commandFilter.value;
    commandFilter.replaceChildren(h('option', { value: '' }, 'All commands'), ...commands.map((c) => h('option', { value: c }, c)));
    commandFilter.value = current;
    list.replaceChildren(table([
      { title: 'Time', cell: (d) => time(d.at_ms / 1000) },
      { title: 'Command', cell: (d) => h('span.cmd', {}, d.command) },
      { title: 'Accounts', cell: (d) => d.accounts.slice(0, 3).join(', ') },
      { title: 'Outcome', cell: (d) => outcomePill(d.outcome) },
      { title: 'HTTP', cell: (d) => d.status ?? '' },
      { title: 'ms', cell: (d) => d.latency_ms },
      { title: 'Try', cell: (d) => d.attempts },
    ], shown(), { testid: 'hooks-table', empty: 'No callbacks yet: do something in a chat pane or over REST.', picked: (d) => d.id === picked?.id, onpick: (d, tr) => { select(tr); open(d); } }));
    list.querySelector('table').classList.add('hooks');
    deadBox.replaceChildren(table([
      { title: 'Id', cell: (d) => d.id },
      { title: 'Command', cell: (d) => h('span.mono', {}, d.command) },
      { title: 'Tries', cell: (d) => d.attempts },
      { title: 'Last error', cell: (d) => d.last_error },
      { title: 'Dead since', cell: (d) => time(Math.floor(d.dead_ms / 1000)) },
      { title: '', cell: (d) => h('button.small', { 'data-testid': 'dead-replay', onclick: () => replay({ dead_letter: d.id }) }, 'Replay') },
    ], state.dead, { testid: 'dead-letters', empty: 'No dead letters.' }));
  }

  async function replay(which) {
    await attempt(async () => {
      await api.control('POST', 'webhooks/replay', which);
      toast('Sent again: the new delivery appears at the top');
    });
  }

  function open(d) {
    picked = d;
    const [base, query = ''] = d.url.split('?');
    let answer = d.response ?? '';
    try { answer = JSON.parse(answer); } catch { /* shown as text */ }
    detail.replaceChildren(
      h('div.row', {}, h('h3.mono.grow', {}, d.command), outcomePill(d.outcome),
        h('button.small', { 'data-testid': 'hook-replay', onclick: () => replay({ delivery: d.id }) }, 'Replay')),
      h('dl.kv', {},
        h('dt', {}, 'URL'), h('dd.mono', {}, base),
        ...[...new URLSearchParams(query)].flatMap(([k, v]) => [h('dt', {}, k), h('dd.mono', {}, v)]),
        h('dt', {}, 'Sent'), h('dd', {}, new Date(d.at_ms).toLocaleString()),
        h('dt', {}, 'HTTP status'), h('dd', { 'data-testid': 'hook-status' }, d.status ?? '—'),
        h('dt', {}, 'Latency'), h('dd', {}, `${d.latency_ms} ms`),
        h('dt', {}, 'Attempt'), h('dd', {}, d.attempts),
        d.error ? h('dt', {}, 'Error') : null, d.error ? h('dd.error', {}, d.error) : null),
      h('h3', {}, 'Request body'), json(d.body),
      h('h3', {}, 'The app’s answer'), h('div', { 'data-testid': 'hook-answer' }, json(answer || '(none)')),
    );
  }

  async function loadConfig() {
    const reply = await api.control('GET', 'webhooks/config');
    const config = reply.config;
    known = reply.commands_known || [];
    const on = config.commands ? new Set(config.commands) : null;
    const url = h('input.grow', { value: config.url ?? '', placeholder: 'http://127.0.0.1:9000/callback', 'aria-label': 'Callback URL', 'data-testid': 'hooks-url' });
    const boxes = known.map((c) => {
      const box = h('input', { type: 'checkbox', value: c.command, checked: !on || on.has(c.command) });
      return h(`label${c.fired ? '' : '.unfired'}`, { title: c.fired ? c.title : `${c.title} (Natter does not fire it yet)` }, box, h('span', {}, c.command));
    });
    const save = () => attempt(async () => {
      const picked = boxes.map((l) => l.firstChild).filter((b) => b.checked).map((b) => b.value);
      const next = { ...config, url: url.value.trim() || null, commands: picked.length === known.length ? null : picked };
      await api.control('POST', 'webhooks/config', next);
      toast('Webhook settings saved');
      await loadConfig();
    });
    const faultCommand = h('select', { 'aria-label': 'Command', 'data-testid': 'fault-command' }, known.map((c) => h('option', { value: c.command }, c.command)));
    const faultKind = h('select', { 'aria-label': 'Fault', 'data-testid': 'fault-kind' }, h('option', { value: 'fail' }, 'fail'), h('option', { value: 'timeout' }, 'time out'));
    const faultCount = h('input', { type: 'number', min: 0, value: 1, class: 'narrow', 'aria-label': 'Count', 'data-testid': 'fault-count' });
    configBox.replaceChildren(
      h('div.row', {}, url, h('button.primary', { onclick: save, 'data-testid': 'hooks-save' }, 'Save')),
      h('p.muted', {}, `Timeout ${config.timeout_ms} ms · before-callback failure: ${config.on_before_failure} · retries ${config.after_retries}${config.token ? ' · signed' : ''}`),
      h('div.row', {}, h('b.grow', {}, 'Switches'),
        h('button.small', { onclick: () => boxes.forEach((l) => (l.firstChild.checked = true)) }, 'All on'),
        h('button.small', { onclick: () => boxes.forEach((l) => (l.firstChild.checked = false)) }, 'All off')),
      h('div.switches', { 'data-testid': 'hooks-switches' }, boxes),
      h('h3', {}, 'Fault injection'),
      form({ 'data-testid': 'fault-form' }, () => attempt(async () => {
        await api.control('POST', 'webhooks/faults', { command: faultCommand.value, kind: faultKind.value, count: Number(faultCount.value) });
        toast(Number(faultCount.value) ? `The next ${faultCount.value} ${faultCommand.value} will ${faultKind.value === 'fail' ? 'fail' : 'time out'}` : 'Fault cleared');
      }), 'The next', faultCount, faultCommand, faultKind, h('button', { type: 'submit', 'data-testid': 'fault-submit' }, 'Inject')),
    );
  }

  for (const f of [commandFilter, outcomeFilter]) f.addEventListener('change', render);
  accountFilter.addEventListener('input', render);
  const el = h('div', {},
    h('div.split', {},
      card('Callbacks', [h('span.muted', {}, 'live')], h('div.filters', {}, commandFilter, accountFilter, outcomeFilter), list),
      h('div', {}, card('Callback', [], detail), card('Settings', [], configBox))),
    card('Dead letters', [], deadBox));
  state.listeners.add((changed) => { if (changed) render(); });

  return {
    el,
    show: () => {
      state.unseen = 0;
      render();
      attempt(loadConfig);
      if (picked) open(picked);
    },
  };
}
