// Online users and their devices: query_online_status (500 accounts per call, with one
// Detail item per connection) for the accounts named, or for everyone connected to this node
// (`/_natter/online`, paged); kick one.

import { h, card, table, form, attempt, toast, words, pill } from './ui.js';

const BATCH = 500;

export function create(ctx) {
  const { api } = ctx;
  const out = h('div');
  const input = h('textarea.grow', { name: 'ids', rows: 2, placeholder: 'UserIDs (empty: everyone connected)', 'data-search': true, 'aria-label': 'UserIDs', 'data-testid': 'online-ids' });

  /** Every user connected to this node, page by page. */
  async function connected() {
    const ids = [];
    let after = '';
    for (;;) {
      const page = await api.control('GET', 'online', undefined, { after });
      ids.push(...page.users.map((u) => u.UserID));
      if (!page.next) return ids;
      after = page.next;
    }
  }

  async function query() {
    const ids = words(input.value).length ? words(input.value) : await connected();
    const rows = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const reply = await api.rest('openim', 'query_online_status', { To_Account: ids.slice(i, i + BATCH), IsNeedDetail: 1 });
      rows.push(...(reply.QueryResult || []));
    }
    rows.sort((a, b) => (a.Status === b.Status ? a.To_Account.localeCompare(b.To_Account) : a.Status === 'Online' ? -1 : 1));
    out.replaceChildren(table([
      { title: 'UserID', cell: (r) => h('span.mono', {}, r.To_Account) },
      { title: 'Status', cell: (r) => pill(r.Status, r.Status === 'Online' ? 'ok' : 'info') },
      { title: 'Devices', cell: (r) => (r.Detail || []).map((d) => `${d.Platform} (${d.Status})`).join(', ') },
      { title: '', cell: (r) => (r.Status === 'Offline' ? '' : h('button.small', { onclick: () => attempt(async () => {
        await api.rest('im_open_login_svc', 'kick', { UserID: r.To_Account });
        toast(`Kicked ${r.To_Account}`);
        await query();
      }) }, 'Kick')) },
    ], rows, { testid: 'online-table', empty: 'No one is connected.' }));
  }

  const el = h('div', {}, card('Online users', [h('button.small', { 'data-testid': 'online-refresh', onclick: () => attempt(query) }, 'Refresh')],
    form({ 'data-testid': 'online-form' }, () => attempt(query), input, h('button.primary', { type: 'submit' }, 'Ask')), out));
  return { el, show: () => attempt(query) };
}
