// Users (admins): the web panel's users with their roles; add one, remove
// one, change a role, set a new password. Each behind a confirmation that
// names its effect; the daemon keeps the rules (never without an admin,
// password length, not the initial password) and its refusal is shown as
// it gives it. Passwords go only into the command; nothing keeps them. A
// role change or removal reaches a signed-in user at their next sign-in
// (web/session.ts), and the confirmations say so.
import { run } from './api.ts';
import { fill, h } from './dom.ts';
import type { PageContext } from './page.ts';

const ROOT_ID = 'page-users';
const ROLES = ['viewer', 'operator', 'admin'] as const;
const ROLE_EFFECT: Readonly<Record<string, string>> = {
  viewer: 'may look only',
  operator: 'may also act (switch over, acknowledge alarms)',
  admin: 'may also manage users and the configuration',
};
/** users/users.ts's rules, checked again by the daemon; as pattern= (v flag: '-' escaped). */
const NAME_PATTERN = '[a-z][a-z0-9._\\-]{0,31}';

interface UserView {
  readonly name: string;
  readonly role: string;
  readonly mustChange: boolean;
}

function roleSelect(attrs: Record<string, string>, current: string): HTMLSelectElement {
  return h('select', attrs, ...ROLES.map((r) => h('option', { value: r, selected: r === current }, r)));
}

function act(
  ctx: PageContext,
  command: string,
  args: Record<string, unknown>,
  effect: string,
  done: () => void,
): void {
  if (!window.confirm(effect)) return;
  run(command, args)
    .then(() => {
      ctx.say(`${command} done: ${effect}`, 'ok');
      done();
    })
    .catch((err: unknown) => ctx.say(`${command} refused: ${(err as Error).message}`, 'bad'));
}

function userRow(u: UserView, ctx: PageContext, reload: () => void): HTMLElement {
  const name = String(u.name);
  const role = roleSelect({ class: 'user-role-select', 'data-user': name }, String(u.role));
  const password = h('input', {
    class: 'user-reset-password',
    'data-user': name,
    type: 'password',
    autocomplete: 'new-password',
    minlength: 10,
    maxlength: 256,
    placeholder: 'new password',
  });
  return h(
    'tr',
    { 'data-user': name, 'data-role': String(u.role) },
    h('td', {}, name, name === ctx.session.user ? h('span', { class: 'hint' }, ' (you)') : null),
    h('td', { class: 'role' }, String(u.role)),
    h('td', {}, u.mustChange ? 'must choose a new password' : '—'),
    h(
      'td',
      {},
      role,
      h(
        'button',
        {
          class: 'user-role',
          'data-user': name,
          onclick: () =>
            role.value === u.role
              ? ctx.say(`${name} is already ${u.role}.`, 'info')
              : act(
                  ctx,
                  'user-role',
                  { name, role: role.value },
                  `Change ${name}'s role from ${u.role} to ${role.value}: they ${ROLE_EFFECT[role.value] ?? ''} from their next sign-in (a session open now keeps its role until it ends).`,
                  reload,
                ),
        },
        'Change role',
      ),
    ),
    h(
      'td',
      {},
      password,
      h(
        'button',
        {
          class: 'user-reset',
          'data-user': name,
          onclick: () => {
            if (password.value.length < 10)
              return ctx.say('A new password has at least 10 characters.', 'bad');
            act(
              ctx,
              'user-reset',
              { name, password: password.value },
              `Set a new password for ${name}: the one they have stops working, and they must choose their own at the next sign-in.`,
              reload,
            );
          },
        },
        'Reset password',
      ),
    ),
    h(
      'td',
      {},
      h(
        'button',
        {
          class: 'user-remove',
          'data-user': name,
          onclick: () =>
            act(
              ctx,
              'user-remove',
              { name },
              `Remove ${name}: they cannot sign in to this box's web panel again (a session open now lasts until it ends).`,
              reload,
            ),
        },
        'Remove',
      ),
    ),
  );
}

function addForm(ctx: PageContext, reload: () => void): HTMLElement {
  const name = h('input', {
    id: 'user-add-name',
    required: true,
    pattern: NAME_PATTERN,
    maxlength: 32,
    autocomplete: 'off',
  });
  const role = roleSelect({ id: 'user-add-role' }, 'viewer');
  const password = h('input', {
    id: 'user-add-password',
    type: 'password',
    required: true,
    minlength: 10,
    maxlength: 256,
    autocomplete: 'new-password',
  });
  const form = h(
    'form',
    { id: 'user-add', class: 'filters' },
    h('label', {}, 'Name ', name),
    h('label', {}, 'Role ', role),
    h('label', {}, 'First password ', password),
    h('button', { id: 'user-add-submit', type: 'submit' }, 'Add user…'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(
      ctx,
      'user-add',
      { name: name.value, role: role.value, password: password.value },
      `Add ${name.value} as ${role.value} (${ROLE_EFFECT[role.value] ?? ''}): they sign in with the password given and must choose their own at the first sign-in.`,
      () => {
        form.reset();
        reload();
      },
    );
  });
  return form;
}

function load(root: HTMLElement, ctx: PageContext): void {
  const reload = () => load(root, ctx);
  run<UserView[]>('users')
    .then((list) => {
      const users = Array.isArray(list) ? list : [];
      fill(
        root,
        h('h1', {}, 'Users'),
        users.length === 0
          ? h(
              'p',
              { id: 'users-none', class: 'warn' },
              'No users yet: only admin, with the initial password.',
            )
          : null,
        h(
          'table',
          { id: 'users-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Name', 'Role', 'Password', 'Role change', 'New password', ''].map((t) => h('th', {}, t)),
            ),
          ),
          h('tbody', {}, ...users.map((u) => userRow(u, ctx, reload))),
        ),
        h('h2', {}, 'Add a user'),
        addForm(ctx, reload),
      );
    })
    .catch((err: unknown) => ctx.say(`users refused: ${(err as Error).message}`, 'bad'));
}

export function renderUsers(main: HTMLElement, ctx: PageContext): void {
  // Drawn once when opened: live updates must not wipe a password being typed.
  if (main.firstElementChild?.id === ROOT_ID) return;
  const root = h('section', { id: ROOT_ID }, h('h1', {}, 'Users'), 'Loading…');
  fill(main, root);
  load(root, ctx);
}
