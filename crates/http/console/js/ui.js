// Small DOM helpers shared by the views: element building, tables, toasts, pagers.

/** `h('button.small', {onclick, 'data-testid': 'x'}, 'text', child…)`. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function toast(text, bad = false) {
  const el = h(`div.toast${bad ? '.bad' : ''}`, { role: 'status' }, text);
  document.getElementById('toasts').append(el);
  setTimeout(() => el.remove(), bad ? 6000 : 3000);
}

/** Runs `work`, showing its error as a toast; returns its result or undefined. */
export async function attempt(work) {
  try {
    return await work();
  } catch (error) {
    toast(error.info ? `${error.code}: ${error.info}` : String(error), true);
    return undefined;
  }
}

/**
 * A table: `columns` [{title, cell(row) → node|text}], `rows`; rows can be picked (click or
 * Enter) when `onpick(row, tr)` is given, and `picked(row)` marks the one picked before.
 */
export function table(columns, rows, { onpick, testid, empty = 'Nothing here yet.', picked } = {}) {
  const body = h('tbody');
  if (!rows.length) body.append(h('tr', {}, h('td.empty', { colspan: columns.length }, empty)));
  for (const row of rows) {
    const tr = h('tr', onpick ? { class: picked?.(row) ? 'pick selected' : 'pick', tabindex: 0 } : {}, columns.map((c) => h('td', {}, c.cell(row) ?? '')));
    if (onpick) {
      tr.addEventListener('click', () => onpick(row, tr));
      tr.addEventListener('keydown', (e) => e.key === 'Enter' && onpick(row, tr));
    }
    body.append(tr);
  }
  return h('table.data', { 'data-testid': testid }, h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.title)))), body);
}

/** Marks the picked row of a table. */
export function select(tr) {
  tr.parentElement.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
  tr.classList.add('selected');
}

export function pill(text, kind) {
  return h(`span.pill.${kind}`, {}, text);
}

export function json(value) {
  return h('pre', {}, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

/** A card: a titled panel with optional header controls. */
export function card(title, controls = [], ...body) {
  return h('section.card', {}, h('header', {}, h('h2', {}, title), controls), body);
}

/** A form whose submit runs `onsubmit(values)` (the form's named fields). */
export function form(attrs, onsubmit, ...children) {
  const el = h('form.row', attrs, children);
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    onsubmit(Object.fromEntries(new FormData(el).entries()), el);
  });
  return el;
}

/** Unix seconds as a short local time: the time of day today, else the date too. */
export function time(seconds) {
  if (!seconds) return '';
  const at = new Date(seconds * 1000);
  const today = at.toDateString() === new Date().toDateString();
  return today ? at.toLocaleTimeString() : at.toLocaleString();
}

/** Splits "a, b c" into ["a", "b", "c"]. */
export function words(text) {
  return String(text || '').split(/[\s,]+/).filter(Boolean);
}

/** A message body (Tencent's MsgBody array) as one line of text. */
export function bodyText(body) {
  return (body || []).map((e) => {
    const c = e.MsgContent || {};
    switch (e.MsgType) {
      case 'TIMTextElem': return c.Text;
      case 'TIMCustomElem': return `[custom] ${c.Data ?? ''}`;
      case 'TIMFaceElem': return `[face ${c.Index}]`;
      case 'TIMLocationElem': return `[location] ${c.Desc ?? ''}`;
      case 'TIMImageElem': return '[image]';
      case 'TIMFileElem': return `[file] ${c.FileName ?? ''}`;
      case 'TIMSoundElem': return '[sound]';
      case 'TIMVideoFileElem': return '[video]';
      default: return `[${e.MsgType}]`;
    }
  }).join(' ');
}
