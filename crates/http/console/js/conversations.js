// Conversations: a user's conversation list (recentcontact/get_list, paged by its own
// TimeStamp/StartIndex cursors, with get_c2c_unread_msg_num's counts), and a conversation's history: one-to-one through
// admin_getroammsg (walking back with LastMsgKey), a group's through group_msg_get_simple
// (walking back by MsgSeq).

import { h, card, table, form, attempt, time, bodyText, pill } from './ui.js';

const PAGE = 20;
const UNREAD_BATCH = 10;

// One-to-one history flags a recalled message with MsgFlagBits 8; group history marks
// placeholders with IsPlaceMsg (1: deleted by its sender, 2: recalled).
function message(m) {
  if (m.IsPlaceMsg === 2 || (m.MsgFlagBits & 8)) return h('span', {}, pill('recalled', 'warn'), ' ', h('span.muted', {}, bodyText(m.MsgBody)));
  if (m.IsPlaceMsg === 1) return pill('deleted', 'warn');
  return bodyText(m.MsgBody);
}

export function create(ctx) {
  const { api } = ctx;
  const sessions = h('div');
  const history = h('div', { 'data-testid': 'history' }, h('p.muted', {}, 'Pick a conversation, or name two users or a group.'));

  function showMessages(title, messages, older) {
    history.replaceChildren(
      h('h3', {}, title),
      table([
        { title: 'Time', cell: (m) => time(m.MsgTimeStamp) },
        { title: 'From', cell: (m) => h('span.mono', {}, m.From_Account) },
        { title: 'Message', cell: message },
        { title: 'Seq', cell: (m) => h('span.mono', {}, m.MsgSeq) },
        { title: 'Read', cell: (m) => (m.IsPeerRead === undefined ? '' : m.IsPeerRead ? pill('read', 'ok') : pill('unread', 'info')) },
      ], messages, { testid: 'history-table', empty: 'No messages.' }),
      h('div.pager', {}, older ? h('button.small', { 'data-testid': 'history-older', onclick: () => attempt(older) }, 'Older →') : 'Beginning of the history'),
    );
  }

  async function c2c(a, b, before = null, shown = []) {
    const body = { Operator_Account: a, Peer_Account: b, MaxCnt: PAGE, MinTime: 0, MaxTime: before ? before.LastMsgTime : Math.floor(Date.now() / 1000) + 60 };
    if (before) body.LastMsgKey = before.LastMsgKey;
    const reply = await api.rest('openim', 'admin_getroammsg', body);
    // Each page lists oldest first; older pages go above.
    const messages = [...(reply.MsgList || []), ...shown];
    showMessages(`${a} ↔ ${b}`, messages, reply.Complete === 1 ? null : () => c2c(a, b, reply, messages));
  }

  async function group(groupId, beforeSeq = null, shown = []) {
    const body = { GroupId: groupId, ReqMsgNumber: PAGE, WithRecalledMsg: 1 };
    if (beforeSeq !== null) body.ReqMsgSeq = beforeSeq;
    const reply = await api.rest('group_open_http_svc', 'group_msg_get_simple', body);
    const page = (reply.RspMsgList || []).slice().sort((x, y) => x.MsgSeq - y.MsgSeq);
    const messages = [...page, ...shown];
    const lowest = page.length ? page[0].MsgSeq : 0;
    showMessages(groupId, messages, reply.IsFinished === 1 || lowest <= 1 ? null : () => group(groupId, lowest - 1, messages));
  }

  async function list(user, cursor = null) {
    const body = { From_Account: user, TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 0 };
    if (cursor) Object.assign(body, cursor);
    const reply = await api.rest('recentcontact', 'get_list', body);
    const items = reply.SessionItem || [];
    const peers = items.filter((s) => s.Type === 1).map((s) => s.To_Account);
    const unread = new Map();
    // get_c2c_unread_msg_num takes 10 peers a call (Tencent's limit).
    for (let i = 0; i < peers.length; i += UNREAD_BATCH) {
      const counts = await api.rest('openim', 'get_c2c_unread_msg_num', { To_Account: user, Peer_Account: peers.slice(i, i + UNREAD_BATCH) });
      for (const c of counts.C2CUnreadMsgNumList || []) unread.set(c.Peer_Account, c.C2CUnreadMsgNum);
    }
    const more = reply.CompleteFlag === 1 ? null : { TimeStamp: reply.TimeStamp, StartIndex: reply.StartIndex, TopTimeStamp: reply.TopTimeStamp, TopStartIndex: reply.TopStartIndex };
    sessions.replaceChildren(
      table([
        { title: 'With', cell: (s) => h('span.mono', {}, s.Type === 2 ? s.GroupId : s.To_Account) },
        { title: 'Kind', cell: (s) => (s.Type === 2 ? 'group' : 'one-to-one') },
        { title: 'Last message', cell: (s) => time(s.MsgTime) },
        { title: 'Unread', cell: (s) => unread.get(s.To_Account) ?? '' },
        { title: 'Pinned', cell: (s) => (s.TopFlag ? '📌' : '') },
      ], items, {
        testid: 'sessions-table',
        empty: 'No conversations.',
        onpick: (s) => attempt(() => (s.Type === 2 ? group(s.GroupId) : c2c(user, s.To_Account))),
      }),
      h('div.pager', {}, more ? h('button.small', { onclick: () => attempt(() => list(user, more)) }, 'Next →') : ''),
    );
  }

  const el = h('div.split', {},
    h('div', {},
      card('Conversation list', [], form({ 'data-testid': 'sessions-form' }, ({ user }) => attempt(() => list(user.trim())),
        h('input.grow', { name: 'user', placeholder: 'A user’s conversations: UserID', 'data-search': true, 'aria-label': 'UserID', 'data-testid': 'sessions-user' }),
        h('button.primary', { type: 'submit' }, 'List')), sessions),
      card('Open a conversation', [],
        form({ 'data-testid': 'c2c-form' }, ({ a, b }) => attempt(() => c2c(a.trim(), b.trim())),
          h('input', { name: 'a', placeholder: 'UserID', required: true, 'aria-label': 'First user', 'data-testid': 'c2c-a' }),
          h('input', { name: 'b', placeholder: 'peer UserID', required: true, 'aria-label': 'Peer', 'data-testid': 'c2c-b' }),
          h('button', { type: 'submit', 'data-testid': 'c2c-open' }, 'One-to-one')),
        h('div.gap'),
        form({ 'data-testid': 'group-history-form' }, ({ id }) => attempt(() => group(id.trim())),
          h('input.grow', { name: 'id', placeholder: 'GroupId', required: true, 'aria-label': 'GroupId', 'data-testid': 'group-history-id' }),
          h('button', { type: 'submit', 'data-testid': 'group-history-open' }, 'Group')))),
    card('History', [], history));

  return {
    el,
    open: (what) => attempt(() => (what.group ? group(what.group) : c2c(what.a, what.b))),
  };
}
