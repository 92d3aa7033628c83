// Accounts: every account of the app, a page at a time, optionally by UserID prefix (Natter's
// `GET /_natter/accounts`, a keyset page: Tencent has no API that lists accounts), with nicks
// from portrait_get; check named UserIDs (account_check); create accounts (account_import);
// see one's profile and groups, and make a UserSig for one (local emulator) or open a chat
// pane as them.

import { h, card, table, form, attempt, toast, select, words, pill } from './ui.js';

const TAGS = [
  'Tag_Profile_IM_Nick', 'Tag_Profile_IM_Gender', 'Tag_Profile_IM_BirthDay', 'Tag_Profile_IM_Location',
  'Tag_Profile_IM_SelfSignature', 'Tag_Profile_IM_AllowType', 'Tag_Profile_IM_Language', 'Tag_Profile_IM_Image',
  'Tag_Profile_IM_MsgSettings', 'Tag_Profile_IM_AdminForbidType', 'Tag_Profile_IM_Level', 'Tag_Profile_IM_Role',
];
const BATCH = 100;
const PAGE = 50;

function tag(profile, name) {
  return (profile?.ProfileItem || []).find((i) => i.Tag === name)?.Value ?? '';
}

export function create(ctx) {
  const { api } = ctx;
  const results = h('div');
  const detail = h('div', { 'data-testid': 'account-detail' }, h('p.muted', {}, 'Pick an account to see its profile.'));

  async function lookUp(ids) {
    ids = [...new Set(ids)];
    const rows = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const checked = await api.rest('im_open_login_svc', 'account_check', { CheckItem: batch.map((UserID) => ({ UserID })) });
      const existing = checked.ResultItem.filter((r) => r.AccountStatus === 'Imported').map((r) => r.UserID);
      const profiles = existing.length
        ? (await api.rest('profile', 'portrait_get', { To_Account: existing, TagList: ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image'] })).UserProfileItem
        : [];
      for (const r of checked.ResultItem) {
        rows.push({ id: r.UserID, imported: r.AccountStatus === 'Imported', profile: profiles.find((p) => p.To_Account === r.UserID) });
        if (r.AccountStatus === 'Imported') ctx.known.add(r.UserID);
      }
    }
    results.replaceChildren(table([
      { title: 'UserID', cell: (r) => h('span.mono', {}, r.id) },
      { title: 'Status', cell: (r) => (r.imported ? pill('imported', 'ok') : pill('not imported', 'info')) },
      { title: 'Nick', cell: (r) => tag(r.profile, 'Tag_Profile_IM_Nick') },
    ], rows, { testid: 'accounts-table', onpick: (r, tr) => { select(tr); open(r.id); } }));
  }

  const listBox = h('div');
  const pager = h('div.pager');
  const cursors = []; // the `after` of each page shown, for Previous
  let prefix = '';

  async function page(after) {
    const reply = await api.control('GET', 'accounts', undefined, { prefix, after, limit: String(PAGE) });
    const ids = reply.accounts;
    ids.forEach((id) => ctx.known.add(id));
    const profiles = ids.length
      ? (await api.rest('profile', 'portrait_get', { To_Account: ids, TagList: ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Gender'] })).UserProfileItem
      : [];
    listBox.replaceChildren(table([
      { title: 'UserID', cell: (p) => h('span.mono', {}, p.To_Account) },
      { title: 'Nick', cell: (p) => tag(p, 'Tag_Profile_IM_Nick') },
      { title: 'Gender', cell: (p) => String(tag(p, 'Tag_Profile_IM_Gender')).replace('Gender_Type_', '') },
    ], profiles, { testid: 'accounts-list', empty: prefix ? `No account begins with “${prefix}”.` : 'No accounts.', onpick: (p, tr) => { select(tr); attempt(() => open(p.To_Account)); } }));
    cursors.push(after);
    pager.replaceChildren(
      `page ${cursors.length}`,
      h('button.small', { disabled: cursors.length < 2, onclick: () => { cursors.pop(); attempt(() => page(cursors.pop())); } }, '← Previous'),
      h('button.small', { disabled: !reply.next, 'data-testid': 'accounts-next', onclick: () => attempt(() => page(reply.next)) }, 'Next →'),
    );
  }

  async function open(id) {
    const [profile, joined] = await Promise.all([
      api.rest('profile', 'portrait_get', { To_Account: [id], TagList: TAGS }),
      api.rest('group_open_http_svc', 'get_joined_group_list', { Member_Account: id, Limit: 50, Offset: 0, WithHugeGroups: 1 }).catch(() => null),
    ]).catch((e) => { toast(`${e.code}: ${e.info}`, true); return []; });
    if (!profile) return;
    const item = profile.UserProfileItem[0];
    const sigOut = h('div');
    detail.replaceChildren(
      h('h3', {}, id),
      item.ResultCode ? h('p.error', {}, `${item.ResultCode}: ${item.ErrorInfo || 'no such account'}`)
        : !item.ProfileItem?.length ? h('p.muted', {}, 'No profile field is set.') : h('dl.kv', {},
        (item.ProfileItem || []).flatMap((p) => [h('dt', {}, p.Tag.replace('Tag_Profile_', '')), h('dd', {}, typeof p.Value === 'object' ? JSON.stringify(p.Value) : p.Value)])),
      h('div.row.gap', {},
        h('button', { 'data-testid': 'account-usersig', disabled: !ctx.emulator, title: ctx.emulator ? '' : 'Only a local emulator mints UserSigs: use natter usersig', onclick: () => attempt(async () => {
          const sig = await api.mintSig(id);
          sigOut.replaceChildren(h('label.stack', {}, 'UserSig (24 h)', h('textarea.mono', { rows: 3, readonly: true, 'data-testid': 'account-usersig-value' }, sig)));
        }) }, 'Make a UserSig'),
        h('button', { 'data-testid': 'account-chat', onclick: () => ctx.go('chat', id) }, 'Open a chat pane as this user'),
      ),
      sigOut,
      h('h3', {}, `Groups (${joined?.TotalCount ?? '?'})`),
      joined ? table([
        { title: 'GroupId', cell: (g) => h('a', { href: '#groups', onclick: (e) => { e.preventDefault(); ctx.go('groups', g.GroupId); } }, g.GroupId) },
      ], joined.GroupIdList || [], { empty: 'In no group.' }) : h('p.muted', {}, 'Could not read the groups.'),
    );
  }

  const filter = form({ 'data-testid': 'accounts-filter' }, ({ prefix: p }) => { prefix = p.trim(); cursors.length = 0; attempt(() => page('')); },
    h('input.grow', { name: 'prefix', placeholder: 'UserID begins with…', 'data-search': true, 'data-testid': 'accounts-prefix', 'aria-label': 'UserID prefix' }),
    h('button.primary', { type: 'submit' }, 'Filter'));
  const search = form({ 'data-testid': 'accounts-search' }, ({ ids }) => attempt(() => lookUp(words(ids))),
    h('input.grow', { name: 'ids', placeholder: 'Check UserIDs, separated by spaces or commas', 'data-testid': 'accounts-search-input', 'aria-label': 'UserIDs' }),
    h('button', { type: 'submit' }, 'Check'));

  const createForm = form({ 'data-testid': 'account-create' }, ({ UserID, Nick, FaceUrl }, el) => attempt(async () => {
    const body = { UserID };
    if (Nick) body.Nick = Nick;
    if (FaceUrl) body.FaceUrl = FaceUrl;
    await api.rest('im_open_login_svc', 'account_import', body);
    toast(`Imported ${UserID}`);
    el.reset();
    cursors.length = 0;
    await page('');
    await open(UserID);
  }),
    h('input', { name: 'UserID', placeholder: 'UserID', required: true, 'data-testid': 'account-create-id', 'aria-label': 'UserID' }),
    h('input', { name: 'Nick', placeholder: 'Nick (optional)', 'aria-label': 'Nick' }),
    h('input', { name: 'FaceUrl', placeholder: 'Face URL (optional)', 'aria-label': 'Face URL' }),
    h('button', { type: 'submit', 'data-testid': 'account-create-submit' }, 'Import'));

  const el = h('div.split', {},
    h('div', {}, card('Accounts', [h('button.small', { onclick: () => { cursors.length = 0; attempt(() => page('')); } }, 'Refresh')], filter, listBox, pager),
      card('Check accounts', [], search, results),
      card('Import an account', [], createForm)),
    card('Account', [], detail));

  return {
    el,
    open: (id) => attempt(async () => { await lookUp([id]); await open(id); }),
    show: () => { if (!cursors.length) attempt(() => page('')); },
  };
}
