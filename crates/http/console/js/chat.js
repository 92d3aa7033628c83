// Chat panes: play the end user. Each pane is one user logged in over `/ws` (ws.js), so what
// it does (one-to-one and group messages, typing, read receipts, recall, join and leave,
// friend requests) fires the same webhooks a real client's would. A group message's bubble has
// a recall button (the sender's own; the owner and admins anyone's: the server decides).

import { h, card, form, attempt, toast, bodyText, time } from './ui.js';
import { WsClient } from './ws.js';

// Tencent's SDKs send "typing" as an online-only custom message with this business id.
const TYPING = 'user_typing_status';
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 4000;

const random = () => Math.floor(Math.random() * 2 ** 31);
const text = (Text) => [{ MsgType: 'TIMTextElem', MsgContent: { Text } }];

function isTyping(frame) {
  const data = frame.MsgBody?.[0]?.MsgType === 'TIMCustomElem' && frame.MsgBody[0].MsgContent?.Data;
  if (!data) return false;
  try {
    return JSON.parse(data).businessID === TYPING;
  } catch {
    return false;
  }
}

/** One pane: a user's connection, its target (a user or a group), its log and composer. */
function pane(ctx, client, remove) {
  const me = client.identifier;
  const sent = new Map(); // MsgKey → {el, to, time} of my one-to-one messages
  const groupSeqs = new Map(); // GroupId → MsgSeqs received (for read receipts)
  let lastMine = null;
  let typingAt = 0;
  let typingTimer = null;

  const log = h('div.log', { 'data-testid': `pane-log-${me}`, role: 'log' });
  const typing = h('div.typing', { 'data-testid': `pane-typing-${me}` });
  const status = h('span.muted', { 'data-testid': `pane-status-${me}` }, 'online');
  const kind = h('select', { 'aria-label': 'To', 'data-testid': `pane-kind-${me}` }, h('option', { value: 'user' }, 'User'), h('option', { value: 'group' }, 'Group'));
  const target = h('input', { placeholder: 'UserID or GroupId', 'aria-label': 'Conversation', 'data-testid': `pane-target-${me}` });
  const input = h('input', { placeholder: `Message as ${me}`, autocomplete: 'off', 'aria-label': 'Message', 'data-testid': `pane-input-${me}` });
  const receipt = h('input', { type: 'checkbox', title: 'Ask for read receipts (group messages)' });

  const scroll = () => { log.scrollTop = log.scrollHeight; };
  function note(content, testid) {
    log.append(h('div.note', { 'data-testid': testid }, content));
    scroll();
  }
  function bubble(from, where, body, at, mine) {
    const el = h(`div.msg${mine ? '.mine' : ''}`, { 'data-testid': mine ? 'msg-sent' : 'msg-received' },
      h('div.meta', {}, h('b', {}, from), where, h('span', {}, time(at)), h('span.receipt', {})),
      h('div.text', {}, bodyText(body)));
    log.append(el);
    scroll();
    return el;
  }
  const peer = () => target.value.trim();
  const need = (k) => {
    if (kind.value !== k || !peer()) throw Object.assign(new Error(), { code: 'console', info: `name a ${k} first (the box at the top of the pane)` });
    return peer();
  };

  async function send() {
    const words = input.value.trim();
    if (!words || !peer()) return;
    input.value = '';
    if (kind.value === 'user') {
      const to = peer();
      const reply = await client.request('sendmsg', { To_Account: to, MsgRandom: random(), MsgBody: text(words) });
      const el = bubble(me, `→ ${to}`, text(words), reply.MsgTime, true);
      el.dataset.key = reply.MsgKey; // recall events name the message by its MsgKey
      sent.set(reply.MsgKey, { el, to, time: reply.MsgTime });
      lastMine = reply.MsgKey;
    } else {
      const GroupId = peer();
      const body = { GroupId, Random: random(), MsgBody: text(words) };
      if (receipt.checked) body.NeedReadReceipt = 1;
      const reply = await client.request('send_group_msg', body);
      groupBubble(GroupId, reply.MsgSeq, me, text(words), reply.MsgTime);
    }
  }

  // Group messages are named by group and MsgSeq, in recall events too.
  const groupMsgKey = (GroupId, MsgSeq) => `${GroupId}#${MsgSeq}`;
  function markGroupRecalled(GroupId, MsgSeq) {
    for (const el of log.querySelectorAll('.msg')) {
      if (el.dataset.group === groupMsgKey(GroupId, MsgSeq)) {
        el.classList.add('recalled');
        el.querySelector('[data-testid="msg-recall"]')?.remove();
      }
    }
  }
  async function recallGroupMsg(GroupId, MsgSeq) {
    const reply = await client.request('group_open_http_svc.group_msg_recall', { GroupId, MsgSeqList: [{ MsgSeq }] });
    const code = reply.RecallRetList?.[0]?.RetCode ?? 0;
    if (code !== 0) throw Object.assign(new Error(), { code, info: `message #${MsgSeq} was not recalled` });
    markGroupRecalled(GroupId, MsgSeq);
  }
  function groupBubble(GroupId, MsgSeq, from, body, at) {
    const el = bubble(from, `in ${GroupId} #${MsgSeq}`, body, at, from === me);
    el.dataset.group = groupMsgKey(GroupId, MsgSeq);
    el.querySelector('.meta').append(h('button.small.ghost', { title: 'Recall this message for everyone', 'data-testid': 'msg-recall', onclick: () => attempt(() => recallGroupMsg(GroupId, MsgSeq)) }, 'Recall'));
    return el;
  }

  // Typing: an online-only custom message (MsgLifeTime 0: not stored, no unread count).
  input.addEventListener('input', () => {
    if (kind.value !== 'user' || !peer() || Date.now() - typingAt < TYPING_EVERY_MS) return;
    typingAt = Date.now();
    const Data = JSON.stringify({ businessID: TYPING, typingStatus: 1, version: 1, userAction: 14, actionParam: 'EIMAMSG_InputStatus_Ing' });
    client.request('sendmsg', { To_Account: peer(), MsgRandom: random(), MsgLifeTime: 0, MsgBody: [{ MsgType: 'TIMCustomElem', MsgContent: { Data } }] }).catch(() => {});
  });

  const actions = {
    async read() {
      if (kind.value === 'user') {
        await client.request('openim.msgreaded', { C2CMsgReaded: { C2CMsgReadedItem: [{ To_Account: need('user'), LastedMsgTime: Math.floor(Date.now() / 1000) }] } });
        note(`read everything from ${peer()}`);
      } else {
        const GroupId = need('group');
        const seqs = [...(groupSeqs.get(GroupId) || [])];
        if (!seqs.length) return note('no group messages received to acknowledge');
        await client.request('send_group_msg_read_receipt', { GroupId, MsgSeqList: seqs.map((MsgSeq) => ({ MsgSeq })) });
        note(`read receipt for ${seqs.length} message(s) in ${GroupId}`);
      }
    },
    async recall() {
      if (!lastMine) return note('no one-to-one message of mine to recall');
      const mine = sent.get(lastMine);
      const [MsgSeq, MsgRandom, MsgTimeStamp] = lastMine.split('_').map(Number);
      await client.request('openim.msgwithdraw', { MsgInfo: { From_Account: me, To_Account: mine.to, MsgSeq, MsgRandom, MsgTimeStamp } });
      mine.el.classList.add('recalled');
      lastMine = null;
    },
    async friend() {
      const to = need('user');
      const reply = await client.request('friend_add', { AddFriendItem: [{ To_Account: to, AddSource: 'AddSource_Type_Console', AddWording: `Hi, ${me} here` }] });
      const code = reply.ResultItem?.[0]?.ResultCode;
      note(code === 0 ? `${to} is now a friend` : code === 30539 ? `friend request sent to ${to}` : `friend_add: ${code} ${reply.ResultItem?.[0]?.ResultInfo ?? ''}`);
    },
    async join() {
      const GroupId = need('group');
      const reply = await client.request('join_group', { GroupId, ApplyMsg: `${me} would like to join` });
      note(reply.Pending ? `asked to join ${GroupId}` : `joined ${GroupId}`, 'pane-joined');
    },
    async quit() {
      const GroupId = need('group');
      await client.request('quit_group', { GroupId });
      note(`left ${GroupId}`);
    },
  };

  function respond(from, action, noteEl) {
    return attempt(async () => {
      await client.request('friend_response', { ResponseFriendItem: [{ To_Account: from, ResponseAction: action }] });
      noteEl.replaceChildren(action === 'Response_Action_Reject' ? `declined ${from}` : `accepted ${from}`);
    });
  }

  client.addEventListener('event', ({ detail: f }) => {
    switch (f.Event) {
      case 'C2cMsg':
        if (f.From_Account === me) return; // a copy from another device of mine
        if (isTyping(f)) {
          typing.textContent = `${f.From_Account} is typing…`;
          clearTimeout(typingTimer);
          typingTimer = setTimeout(() => (typing.textContent = ''), TYPING_SHOWN_MS);
          return;
        }
        typing.textContent = '';
        bubble(f.From_Account, `→ ${me}`, f.MsgBody, f.MsgTime, false).dataset.key = f.MsgKey;
        if (!peer()) target.value = f.From_Account;
        return;
      case 'GroupMsg':
        if (!groupSeqs.has(f.GroupId)) groupSeqs.set(f.GroupId, new Set());
        groupSeqs.get(f.GroupId).add(f.MsgSeq);
        groupBubble(f.GroupId, f.MsgSeq, f.From_Account, f.MsgBody, f.MsgTime);
        return;
      case 'GroupMsgRecall':
        for (const m of f.MsgList || []) markGroupRecalled(f.GroupId, m.MsgSeq);
        note(`${f.Operator_Account} recalled ${(f.MsgList || []).length} message(s) in ${f.GroupId}`, 'pane-group-recalled');
        return;
      case 'GroupMsgModify':
        for (const el of log.querySelectorAll('.msg')) {
          if (el.dataset.group === groupMsgKey(f.GroupId, f.MsgSeq)) el.querySelector('.text').textContent = `${bodyText(f.MsgBody)} (edited)`;
        }
        return;
      case 'GroupMsgReceipt':
        for (const m of f.MsgList || []) {
          for (const el of log.querySelectorAll('.msg')) {
            if (el.dataset.group === groupMsgKey(f.GroupId, m.MsgSeq)) el.querySelector('.receipt').textContent = `✓ read by ${m.ReadNum}`;
          }
        }
        return;
      case 'C2cMsgWithdraw':
        for (const el of log.querySelectorAll('.msg')) if (el.dataset.key === f.MsgKey) el.classList.add('recalled');
        note(`${f.From_Account} recalled a message`, 'pane-recalled');
        return;
      case 'C2cRead':
        if (f.Report_Account === me) return;
        for (const m of sent.values()) {
          if (m.to === f.Report_Account && m.time <= f.LastReadTime) m.el.querySelector('.receipt').textContent = '✓ read';
        }
        return;
      case 'RelationChange':
        for (const r of f.RequestAdd || []) {
          if (r.To_Account !== me) continue;
          const el = h('span', {}, `${r.From_Account} asks to be friends: “${r.AddWording ?? ''}”`,
            h('button.small', { 'data-testid': 'friend-accept', onclick: () => respond(r.From_Account, 'Response_Action_AgreeAndAdd', el) }, 'Accept'),
            h('button.small', { onclick: () => respond(r.From_Account, 'Response_Action_Reject', el) }, 'Decline'));
          note(el, 'friend-request');
        }
        for (const f2 of f.FriendAdd_Account || []) note(`${f2} is now a friend`, 'friend-added');
        for (const f2 of f.FriendDel_Account || []) note(`${f2} is no longer a friend`);
        return;
      case 'GroupTip':
        note(`${f.GroupId}: ${f.TipType} ${(f.Member_Account || []).join(', ')} (by ${f.Operator_Account || 'the app'})`, 'group-tip');
        return;
      case 'GroupRemoved':
        note(`${f.GroupId}: removed (${f.Reason})`);
        return;
      case 'GroupApplication':
        note(`${f.From_Account} asks to join ${f.GroupId}`);
        return;
      case 'GroupSystemNotification':
        note(`${f.GroupId}: ${f.Content}`);
        return;
      case 'Kicked':
        note('kicked: this UserSig no longer logs in');
        return;
      default:
        note(`${f.Event}`);
    }
  });
  client.addEventListener('close', ({ detail }) => {
    status.textContent = `offline (${detail.code})`;
    input.disabled = true;
  });

  const tool = (label, act, testid, title) => h('button.small', { 'data-testid': `${testid}-${me}`, title, onclick: () => attempt(act) }, label);
  const el = h('section.pane', { 'data-testid': `pane-${me}` },
    h('header', {}, h('b', {}, me), status, h('button.small.ghost', { title: 'Log out and close', 'data-testid': `pane-close-${me}`, onclick: async () => { await client.logout(); el.remove(); remove(me); } }, '✕')),
    h('div.target', {}, kind, target),
    log,
    typing,
    form({ class: 'compose' }, () => attempt(send), input, h('button.primary', { type: 'submit', 'data-testid': `pane-send-${me}` }, 'Send')),
    h('div.tools', { 'data-testid': `pane-tools-${me}` },
      tool('Mark read', actions.read, 'pane-read'),
      tool('Recall my last', actions.recall, 'pane-recall', 'Recall my last one-to-one message (group messages: the Recall on each)'),
      tool('Add friend', actions.friend, 'pane-friend'),
      tool('Join', actions.join, 'pane-join'),
      tool('Leave', actions.quit, 'pane-quit'),
      h('label.muted', {}, receipt, 'receipts')),
  );
  return el;
}

export function create(ctx) {
  const panes = h('div.panes', { 'data-testid': 'panes' });
  const open = new Map();

  async function add(user, usersig, platform) {
    if (open.has(user)) return toast(`${user} already has a pane`);
    const sig = usersig || (ctx.emulator ? await ctx.api.mintSig(user) : null);
    if (!sig) throw Object.assign(new Error(), { code: 'console', info: 'paste a UserSig for this user (only a local emulator mints them)' });
    const client = await WsClient.connect({ sdkappid: ctx.session.sdkappid, identifier: user, usersig: sig, platform });
    open.set(user, client);
    ctx.known.add(user);
    panes.append(pane(ctx, client, (u) => open.delete(u)));
  }

  const addForm = form({ 'data-testid': 'chat-add' }, ({ user, usersig, platform }, el) => attempt(async () => {
    await add(user.trim(), usersig.trim(), platform);
    el.reset();
  }),
    h('input', { name: 'user', placeholder: 'UserID', required: true, 'data-search': true, 'aria-label': 'UserID', 'data-testid': 'chat-add-user' }),
    h('input.grow', { name: 'usersig', placeholder: ctx.emulator ? 'UserSig (optional here: the emulator makes one)' : 'UserSig', 'aria-label': 'UserSig' }),
    h('select', { name: 'platform', 'aria-label': 'Platform' }, ['Web', 'Android', 'iOS', 'Windows', 'Mac', 'iPad', 'Linux'].map((p) => h('option', { value: p }, p))),
    h('button.primary', { type: 'submit', 'data-testid': 'chat-add-submit' }, 'Open pane'));

  const hint = h('span.muted', { title: 'Name a user or a group at the top of a pane, then type.' }, 'Each pane is a user on /ws: what it does fires the app’s webhooks');
  const el = h('div.chatview', {}, card('Play the end user', [hint], addForm), panes);
  return { el, open: (user) => attempt(() => add(user, '', 'Web')) };
}
