// Boot: theme, sign-in (an admin UserSig kept in sessionStorage only), the views behind the
// #hash, and the keyboard. Each view module exports `create(ctx)` → {el, show?, focus?}; a view
// is built once and kept, so chat panes stay connected while another view is shown.

import { Api, ApiError, health, mintSig } from './api.js';
import * as accounts from './accounts.js';
import * as groups from './groups.js';
import * as conversations from './conversations.js';
import * as online from './online.js';
import * as chat from './chat.js';
import * as webhooks from './webhooks.js';

const VIEWS = { accounts, groups, conversations, online, chat, webhooks };
const ORDER = Object.keys(VIEWS);
const SESSION_KEY = 'natter.console.session';
const $ = (id) => document.getElementById(id);

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem('natter.console.theme', theme);
}
const savedTheme = localStorage.getItem('natter.console.theme');
applyTheme(savedTheme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
$('theme').addEventListener('click', () => applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));

let ctx = null;
const built = {};

async function signIn(session) {
  const api = new Api(session);
  // Any admin-only call proves the sig; this one is cheap.
  await api.control('GET', 'webhooks/config');
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  if (ctx) {
    // Signed in again after the sig expired: the views keep their state and the new sig.
    ctx.session = session;
    ctx.api.session = session;
  } else {
    ctx = { api, session, emulator: false, known: new Set([session.identifier]) };
    ctx.emulator = (await health().catch(() => ({}))).emulator === true;
    ctx.go = (view, arg) => go(view, arg);
    webhooks.watch(ctx);
  }
  $('who').textContent = `${session.identifier} @ ${session.sdkappid}`;
  $('signin').hidden = true;
  $('signout').hidden = false;
  $('view').hidden = false;
  route();
}

function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  location.hash = '';
  location.reload();
}
$('signout').addEventListener('click', signOut);
// The admin UserSig expired: forget it and ask again (chat panes keep their own logins).
window.addEventListener('natter:expired', () => {
  if (!ctx || !$('signin').hidden) return;
  sessionStorage.removeItem(SESSION_KEY);
  $('signout').hidden = true;
  $('signin-error').textContent = 'The admin UserSig expired: sign in again.';
  showSignIn();
});

async function showSignIn() {
  $('signin').hidden = false;
  $('view').hidden = true;
  const status = await health().catch(() => ({}));
  $('signin-mint').hidden = status.emulator !== true;
  $('signin-form').usersig.focus();
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  const session = { sdkappid: f.sdkappid.value.trim(), identifier: f.identifier.value.trim(), usersig: f.usersig.value.trim() };
  $('signin-error').textContent = '';
  try {
    await signIn(session);
  } catch (error) {
    $('signin-error').textContent = error instanceof ApiError ? `${error.code}: ${error.info}` : String(error);
  }
});

$('signin-mint').addEventListener('click', async () => {
  const f = $('signin-form');
  try {
    f.usersig.value = await mintSig(f.sdkappid.value.trim(), f.identifier.value.trim());
    f.requestSubmit();
  } catch (error) {
    $('signin-error').textContent = error instanceof ApiError ? `${error.code}: ${error.info}` : String(error);
  }
});

function ensure(name) {
  if (!built[name]) {
    built[name] = VIEWS[name].create(ctx);
    built[name].el.hidden = true;
    $('view').append(built[name].el);
  }
  return built[name];
}

function go(view, arg) {
  if (arg !== undefined) ensure(view).open?.(arg);
  if (location.hash === `#${view}`) route();
  else location.hash = view;
}

function route() {
  if (!ctx) return;
  const name = VIEWS[location.hash.slice(1)] ? location.hash.slice(1) : 'accounts';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === `#${name}`);
  ensure(name);
  for (const [key, view] of Object.entries(built)) view.el.hidden = key !== name;
  built[name].show?.();
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · Natter console`;
}
window.addEventListener('hashchange', route);

// Keyboard: digits switch views, `/` searches, `t` themes, `?` helps; never while typing.
document.addEventListener('keydown', (e) => {
  const typing = e.target.closest('input, textarea, select, [contenteditable]');
  if (e.key === 'Escape') {
    if (typing) e.target.blur();
    return;
  }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const index = Number(e.key) - 1;
  if (ctx && index >= 0 && index < ORDER.length) go(ORDER[index]);
  else if (e.key === 't') $('theme').click();
  else if (e.key === '?') $('help').showModal();
  else if (e.key === '/') {
    const search = document.querySelector('#view > :not([hidden]) [data-search]');
    if (search) {
      e.preventDefault();
      search.focus();
    }
  } else return;
});
$('help-close').addEventListener('click', () => $('help').close());

const stored = sessionStorage.getItem(SESSION_KEY);
if (stored) signIn(JSON.parse(stored)).catch(showSignIn);
else showSignIn();
