// Groups and communities: the app's groups page by page (get_appid_group_list's own `Next`
// cursor), one group's profile, members (paged) and roles, custom attributes (set one) and,
// for communities, topics (create one); create a group and add members.

import { h, card, table, form, attempt, toast, json, select, words, time } from './ui.js';

const PAGE = 50;
const MEMBER_PAGE = 100;
const TYPES = ['', 'Public', 'Private', 'ChatRoom', 'AVChatRoom', 'Community'];

export function create(ctx) {
  const { api } = ctx;
  let next = 0;
  const cursors = [];
  const list = h('div');
  const pager = h('div.pager');
  const detail = h('div', { 'data-testid': 'group-detail' }, h('p.muted', {}, 'Pick a group to see its members, attributes and topics.'));
  const typeFilter = h('select', { 'aria-label': 'Type', 'data-testid': 'groups-type' }, TYPES.map((t) => h('option', { value: t }, t || 'All types')));
  typeFilter.addEventListener('change', () => attempt(() => page(0, true)));

  async function page(start, reset = false) {
    if (reset) cursors.length = 0;
    const body = { Limit: PAGE, Next: start };
    if (typeFilter.value) body.GroupType = typeFilter.value;
    const reply = await api.rest('group_open_http_svc', 'get_appid_group_list', body);
    const ids = (reply.GroupIdList || []).map((g) => g.GroupId);
    const infos = ids.length
      ? (await api.rest('group_open_http_svc', 'get_group_info', {
          GroupIdList: ids,
          ResponseFilter: { GroupBaseInfoFilter: ['Type', 'Name', 'MemberNum', 'Owner_Account', 'CreateTime'] },
        })).GroupInfo
      : [];
    list.replaceChildren(table([
      { title: 'GroupId', cell: (g) => h('span.mono', {}, g.GroupId) },
      { title: 'Type', cell: (g) => g.Type },
      { title: 'Name', cell: (g) => g.Name },
      { title: 'Members', cell: (g) => g.MemberNum },
      { title: 'Owner', cell: (g) => g.Owner_Account },
    ], infos, { testid: 'groups-table', onpick: (g, tr) => { select(tr); attempt(() => open(g.GroupId)); }, empty: 'No groups.' }));
    cursors.push(start);
    next = reply.Next || 0;
    pager.replaceChildren(
      `${reply.TotalCount ?? ''} groups · page ${cursors.length}`,
      h('button.small', { disabled: cursors.length < 2, onclick: () => { cursors.pop(); attempt(() => page(cursors.pop())); } }, '← Previous'),
      h('button.small', { disabled: !next, 'data-testid': 'groups-next', onclick: () => attempt(() => page(next)) }, 'Next →'),
    );
  }

  async function members(groupId, offset, out) {
    const reply = await api.rest('group_open_http_svc', 'get_group_member_info', { GroupId: groupId, Limit: MEMBER_PAGE, Offset: offset });
    const rows = reply.MemberList || [];
    out.replaceChildren(
      table([
        { title: 'Member', cell: (m) => h('span.mono', {}, m.Member_Account) },
        { title: 'Role', cell: (m) => m.Role },
        { title: 'Joined', cell: (m) => time(m.JoinTime) },
        { title: 'Name card', cell: (m) => m.NameCard },
        { title: '', cell: (m) => m.Role === 'Owner' ? '' : h('button.small', { onclick: () => attempt(async () => {
          const Role = m.Role === 'Admin' ? 'Member' : 'Admin';
          await api.rest('group_open_http_svc', 'modify_group_member_info', { GroupId: groupId, Member_Account: m.Member_Account, Role });
          toast(`${m.Member_Account} is now ${Role}`);
          await members(groupId, offset, out);
        }) }, m.Role === 'Admin' ? 'Dismiss admin' : 'Make admin') },
      ], rows, { testid: 'group-members', empty: 'No members.' }),
      h('div.pager', {}, `${reply.MemberNum ?? rows.length} members`,
        h('button.small', { disabled: offset === 0, onclick: () => attempt(() => members(groupId, Math.max(0, offset - MEMBER_PAGE), out)) }, '← Previous'),
        h('button.small', { disabled: offset + rows.length >= (reply.MemberNum ?? 0), onclick: () => attempt(() => members(groupId, offset + MEMBER_PAGE, out)) }, 'Next →')),
    );
  }

  async function open(groupId) {
    const info = (await api.rest('group_open_http_svc', 'get_group_info', {
      GroupIdList: [groupId],
      ResponseFilter: { GroupBaseInfoFilter: ['Type', 'Name', 'Introduction', 'Notification', 'FaceUrl', 'CreateTime', 'Owner_Account', 'MemberNum', 'MaxMemberNum', 'ApplyJoinOption', 'MuteAllMember'], AppDefinedDataFilter_Group: [] },
    })).GroupInfo[0];
    if (info.ErrorCode) {
      detail.replaceChildren(h('p.error', {}, `${info.ErrorCode}: ${info.ErrorInfo}`));
      return;
    }
    const memberBox = h('div');
    const attrs = await api.rest('group_open_attr_http_svc', 'get_group_attr', { GroupId: groupId }).catch((e) => ({ error: e }));
    const topics = info.Type === 'Community'
      ? await api.rest('million_group_open_http_svc', 'get_topic', { GroupId: groupId }).catch((e) => ({ error: e }))
      : null;
    const fields = ['Type', 'Name', 'Owner_Account', 'MemberNum', 'MaxMemberNum', 'ApplyJoinOption', 'MuteAllMember', 'Introduction', 'Notification'];
    detail.replaceChildren(
      h('h3.mono', {}, groupId),
      h('dl.kv', {}, fields.filter((f) => info[f] !== undefined && info[f] !== '').flatMap((f) => [h('dt', {}, f), h('dd', {}, String(info[f]))]),
        h('dt', {}, 'Created'), h('dd', {}, time(info.CreateTime))),
      h('div.row.gap', {},
        h('button', { onclick: () => ctx.go('conversations', { group: groupId }) }, 'History')),
      h('h3', {}, 'Members'),
      form({ 'data-testid': 'group-add-member' }, ({ ids }, el) => attempt(async () => {
        const reply = await api.rest('group_open_http_svc', 'add_group_member', { GroupId: groupId, MemberList: words(ids).map((Member_Account) => ({ Member_Account })) });
        toast(reply.MemberList.map((m) => `${m.Member_Account}: ${['failed', 'added', 'already a member'][m.Result]}`).join(', '));
        el.reset();
        await members(groupId, 0, memberBox);
      }), h('input.grow', { name: 'ids', placeholder: 'Add members: UserIDs', 'aria-label': 'Members to add', 'data-testid': 'group-add-member-input' }), h('button', { type: 'submit' }, 'Add')),
      memberBox,
      h('h3', {}, 'Custom attributes'),
      form({ 'data-testid': 'group-attr-form' }, ({ key, value }) => attempt(async () => {
        await api.rest('group_open_http_svc', 'modify_group_attr', { GroupId: groupId, GroupAttr: [{ key, value }] });
        toast(`Set ${key}`);
        await open(groupId);
      }), h('input', { name: 'key', placeholder: 'key', required: true, 'aria-label': 'Attribute key', 'data-testid': 'group-attr-key' }),
        h('input.grow', { name: 'value', placeholder: 'value', 'aria-label': 'Attribute value', 'data-testid': 'group-attr-value' }),
        h('button', { type: 'submit', 'data-testid': 'group-attr-submit' }, 'Set')),
      attrs.error ? h('p.muted', {}, `${attrs.error.code}: ${attrs.error.info}`)
        : table([{ title: 'Key', cell: (a) => h('span.mono', {}, a.key) }, { title: 'Value', cell: (a) => a.value }], attrs.GroupAttrAry || [], { testid: 'group-attrs', empty: 'No attributes.' }),
      topics ? h('h3', {}, 'Topics') : null,
      topics ? form({ 'data-testid': 'topic-create' }, ({ name }) => attempt(async () => {
        const reply = await api.rest('million_group_open_http_svc', 'create_topic', { GroupId: groupId, TopicName: name });
        toast(`Created topic ${reply.TopicId}`);
        await open(groupId);
      }), h('input.grow', { name: 'name', placeholder: 'New topic name', required: true, 'aria-label': 'Topic name', 'data-testid': 'topic-create-name' }),
        h('button', { type: 'submit', 'data-testid': 'topic-create-submit' }, 'Create topic')) : null,
      topics ? (topics.error ? h('p.muted', {}, `${topics.error.code}: ${topics.error.info}`)
        : table([
          { title: 'TopicId', cell: (t) => h('span.mono', {}, t.TopicInfo?.TopicId) },
          { title: 'Name', cell: (t) => t.TopicInfo?.TopicName },
          { title: 'Created', cell: (t) => time(t.TopicInfo?.CreateTime) },
        ], topics.TopicAndSelfInfo || [], { testid: 'group-topics', empty: 'No topics.' })) : null,
    );
    await members(groupId, 0, memberBox);
  }

  const createForm = form({ 'data-testid': 'group-create' }, ({ Type, Name, Owner_Account, GroupId, Members, SupportTopic }, el) => attempt(async () => {
    const body = { Type, Name };
    // A community has topics only when it is created with them.
    if (Type === 'Community' && SupportTopic) body.SupportTopic = 1;
    if (Owner_Account) body.Owner_Account = Owner_Account;
    if (GroupId) body.GroupId = GroupId;
    const memberIds = words(Members);
    if (memberIds.length) body.MemberList = memberIds.map((Member_Account) => ({ Member_Account }));
    const reply = await api.rest('group_open_http_svc', 'create_group', body);
    toast(`Created ${reply.GroupId}`);
    el.reset();
    await page(0, true);
    await open(reply.GroupId);
  }),
    h('select', { name: 'Type', 'aria-label': 'Type', 'data-testid': 'group-create-type' }, TYPES.slice(1).map((t) => h('option', { value: t }, t))),
    h('input', { name: 'Name', placeholder: 'Name', required: true, 'aria-label': 'Name', 'data-testid': 'group-create-name' }),
    h('input', { name: 'Owner_Account', placeholder: 'Owner (optional)', 'aria-label': 'Owner', 'data-testid': 'group-create-owner' }),
    h('input', { name: 'Members', placeholder: 'Members (UserIDs)', 'aria-label': 'Members', 'data-testid': 'group-create-members' }),
    h('input', { name: 'GroupId', placeholder: 'GroupId (optional)', 'aria-label': 'GroupId' }),
    h('label.muted', { title: 'Communities only: SupportTopic 1' }, h('input', { type: 'checkbox', name: 'SupportTopic', value: '1', checked: true, 'data-testid': 'group-create-topics' }), 'with topics'),
    h('button', { type: 'submit', 'data-testid': 'group-create-submit' }, 'Create'));

  const find = form({}, ({ id }) => attempt(() => open(id.trim())),
    h('input.grow', { name: 'id', placeholder: 'Open a group by GroupId', 'data-search': true, 'aria-label': 'GroupId' }), h('button', { type: 'submit' }, 'Open'));

  const el = h('div.split', {},
    h('div', {}, card('Groups and communities', [typeFilter, h('button.small', { onclick: () => attempt(() => page(0, true)) }, 'Refresh')], find, list, pager),
      card('Create a group', [], createForm)),
    card('Group', [], detail));

  return {
    el,
    open: (id) => attempt(() => open(id)),
    show: () => attempt(() => page(0, true)),
  };
}
