// The page: sign-in, the forced first password change, then the pages under
// one navigation bar, all fed by one live stream. Which pages and buttons
// appear follows the session's commands (the role's, from the registry);
// the server refuses the rest whatever the page shows.
import type { LiveStatus } from '../live.ts';
import { api, ApiError, rememberSession, type SessionView } from './api.ts';
import { fill, h, time } from './dom.ts';
import { LiveLink, type LinkState } from './live-link.ts';
import type { PageContext } from './page.ts';
import { PAGES } from './pages.ts';

const root = document.getElementById('app')!;
let session: SessionView | null = null;
let status: LiveStatus | null = null;
let link: LiveLink | null = null;
let lastKeepalive = 0;

const bar = h('div', { id: 'link-state', class: 'idle' }, 'connecting…');
const notice = h('div', { id: 'notice', class: 'notice', hidden: true });
const main = h('main', { id: 'main' });

function say(text: string, cls = 'info'): void {
  notice.className = `notice ${cls}`;
  notice.hidden = false;
  fill(notice, text);
}

function context(): PageContext {
  return { session: session!, status, say, can: (c: string) => session?.commands?.includes(c) === true };
}

/** The page the address names, if this role may see it; else the overview. */
function currentPage(): string {
  const name = location.hash.replace(/^#/, '');
  return PAGES.some((p) => p.id === name && p.visible(context())) ? name : 'overview';
}

function render(): void {
  const page = PAGES.find((p) => p.id === currentPage())!;
  page.render(main, context());
}

function showLogin(why?: string): void {
  link?.close();
  link = null;
  const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = h('p', { class: 'bad', id: 'login-error' }, why ?? '');
  const form = h(
    'form',
    { id: 'login', class: 'card' },
    h('h1', {}, 'Sign in'),
    h('label', {}, 'User ', name),
    h('label', {}, 'Password ', password),
    h('button', { type: 'submit' }, 'Sign in'),
    error,
    h(
      'p',
      { class: 'hint' },
      'First sign-in: user admin with the initial password shown on the serial console or, on request, the front panel.',
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api
      .login(name.value, password.value)
      .then(started)
      .catch((err: unknown) => fill(error, (err as Error).message));
  });
  fill(root, form);
  name.focus();
}

function showPasswordChange(): void {
  const old = h('input', { id: 'pw-old', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password' });
  const again = h('input', { id: 'pw-again', type: 'password', autocomplete: 'new-password' });
  const error = h('p', { class: 'bad', id: 'pw-error' });
  const form = h(
    'form',
    { id: 'password-change', class: 'card' },
    h('h1', {}, 'Choose a new password'),
    h(
      'p',
      {},
      `${session?.user ?? ''}: this password must be changed before anything else (at least 10 characters).`,
    ),
    h('label', {}, 'Current password ', old),
    h('label', {}, 'New password ', next),
    h('label', {}, 'New password again ', again),
    h('button', { type: 'submit' }, 'Change password'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (next.value !== again.value) return fill(error, 'the two new passwords differ');
    api
      .password(old.value, next.value)
      .then(started)
      .catch((err: unknown) => fill(error, (err as Error).message));
  });
  fill(root, form);
}

function shell(): void {
  const s = session!;
  const nav = h(
    'nav',
    {},
    ...PAGES.filter((p) => p.visible(context())).map((p) =>
      h('a', { href: `#${p.id}`, id: `nav-${p.id}` }, p.title),
    ),
    h('span', { class: 'who' }, `${s.user} (${s.role}) on ${s.boxId}`),
    h(
      'button',
      { id: 'logout', onclick: () => void api.logout().then(() => showLogin('Signed out.')) },
      'Sign out',
    ),
  );
  fill(root, h('header', {}, nav, bar), notice, main);
  render();
  link = new LiveLink({
    status: (next) => {
      status = next;
      render();
    },
    state: (state: LinkState, since: number) => {
      bar.className = state === 'live' ? 'ok' : state === 'lost' ? 'bad' : 'idle';
      fill(
        bar,
        state === 'live'
          ? `live from controller ${status?.controller ?? '?'}`
          : state === 'lost'
            ? `connection lost at ${time(since)}: reconnecting…`
            : 'connecting…',
      );
    },
    moved: (from, to) =>
      say(`Reconnected: controller ${to} now serves this page (it was ${from}); the VIP moved.`, 'warn'),
    signedOut: () => showLogin('Your session ended; sign in again.'),
  });
  link.open();
}

function started(s: SessionView): void {
  session = s;
  rememberSession(s);
  if (!s.signedIn) return showLogin(s.why === 'not signed in' ? undefined : s.why);
  if (s.mustChange === true) return showPasswordChange();
  shell();
}

// Idle: warn two minutes before the session ends; any click or key keeps it (at most one call a minute).
function activity(): void {
  if (session?.signedIn !== true || Date.now() - lastKeepalive < 60_000) return;
  lastKeepalive = Date.now();
  api
    .keepalive()
    .then((s) => {
      session = { ...session!, expiresAt: s.expiresAt };
      if (notice.dataset['idle'] === '1') notice.hidden = true;
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) showLogin(err.message);
    });
}
document.addEventListener('click', activity);
document.addEventListener('keydown', activity);
window.setInterval(() => {
  const end = session?.expiresAt;
  if (end === undefined || session?.signedIn !== true) return;
  const left = end - Date.now();
  if (left <= 0) showLogin('Signed out after inactivity.');
  else if (left < 120_000) {
    say(
      `You will be signed out in ${Math.ceil(left / 1000)} s for inactivity: click anywhere to stay.`,
      'warn',
    );
    notice.dataset['idle'] = '1';
  }
}, 5000);

window.addEventListener('hashchange', () => {
  if (notice.dataset['idle'] !== '1') notice.hidden = true; // a message belongs to the page it was said on
  if (session?.signedIn === true && session.mustChange !== true) render();
});

api
  .session()
  .then(started)
  .catch((err: unknown) =>
    fill(
      root,
      h('p', { class: 'bad' }, `This controller's web panel does not answer: ${(err as Error).message}`),
    ),
  );
