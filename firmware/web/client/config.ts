// Config: the configuration in force (config-show, secrets redacted) as a
// form generated from the box's JSON Schema (config-form.ts): a fieldset
// per section, each input typed and constrained from the schema so the
// browser checks it first. Check sends the edited config to config-validate
// and shows its answer: which settings change and which wait for a restart,
// worked out on the box by the import's own rules (no copy of them here);
// Apply (admins) imports it after a confirmation. Export downloads the
// export; Import checks a file and applies it after a confirmation. A
// secret is never shown: its field is empty, and empty keeps the one in
// force (the export's "<redacted>", which the import restores).
import { api, run } from './api.ts';
import {
  allFields,
  configValue,
  fieldProblem,
  formModel,
  htmlPattern,
  inputValue,
  valueAt,
  withValue,
  type Field,
  type Section,
} from './config-form.ts';
import { fill, h } from './dom.ts';
import type { PageContext } from './page.ts';

const ROOT_ID = 'page-config';
/** config-import's bound (core/limits.ts CONFIG_TEXT_BYTES). */
const MAX_FILE_BYTES = 256 * 1024;

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** config-validate's answer (commands/config-dry-run.ts): setting paths only, never values. */
interface ValidateReply {
  valid: boolean;
  warnings?: string[];
  changes?: { path: string; restart: boolean }[];
  /** Changed settings beyond the list the box sends. */
  more?: number;
  unchanged?: boolean;
}
type Change = { pointer: string; label: string; restart: boolean };

interface ImportReply {
  configVersion: number;
  unchanged: boolean;
  appliedNow: string[];
  waitingForRestart: string[];
  note?: string;
  warnings: string[];
}

const idOf = (pointer: string) => `cfg${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;
const refused = (ctx: PageContext, what: string) => (err: unknown) =>
  ctx.say(`${what} refused: ${(err as Error).message}`, 'bad');

function control(f: Field, value: unknown, editable: boolean): Control {
  const common = { id: idOf(f.pointer), name: f.pointer, 'data-pointer': f.pointer, 'data-kind': f.kind };
  const locked = !editable || f.readOnly;
  let el: Control;
  switch (f.kind) {
    case 'boolean':
      el = h('input', { ...common, type: 'checkbox', checked: value === true, disabled: locked });
      break;
    case 'integer':
    case 'number':
      el = h('input', {
        ...common,
        type: 'number',
        value: inputValue(f, value),
        min: f.min,
        max: f.max,
        step: f.kind === 'integer' ? 1 : 'any',
        required: !f.optional,
        readonly: locked,
      });
      break;
    case 'select':
      el = h(
        'select',
        { ...common, required: !f.optional, disabled: locked },
        f.optional ? h('option', { value: '' }, '(not set)') : null,
        ...(f.options ?? []).map((o) => h('option', { value: String(o), selected: o === value }, String(o))),
      );
      break;
    case 'text':
    case 'secret':
      el = h('input', {
        ...common,
        type: f.kind === 'secret' ? 'password' : 'text',
        autocomplete: f.kind === 'secret' ? 'new-password' : 'off',
        value: inputValue(f, value),
        minlength: f.minLength,
        maxlength: f.maxLength,
        pattern: f.pattern !== undefined && htmlPattern(f.pattern) ? f.pattern : undefined,
        placeholder:
          f.kind === 'secret'
            ? value === undefined
              ? 'not set'
              : 'unchanged (secret)'
            : f.optional
              ? 'not set'
              : '',
        readonly: locked,
      });
      break;
    case 'json': {
      const text = inputValue(f, value);
      el = h(
        'textarea',
        { ...common, readonly: true, rows: Math.min(12, text.split('\n').length + 1) },
        text,
      );
      break;
    }
  }
  // The schema's pattern with the u flag, whatever the browser made of pattern= (config-form.ts htmlPattern).
  el.addEventListener('input', () => el.setCustomValidity(fieldProblem(f, el.value) ?? ''));
  return el;
}

function fieldset(
  s: Section,
  config: unknown,
  editable: boolean,
  controls: Map<string, Control>,
): HTMLElement {
  return h(
    'fieldset',
    { 'data-section': s.pointer, class: s.restart ? 'restart' : 'live' },
    h(
      'legend',
      {},
      s.title,
      h('span', { class: 'hint' }, ` (${s.pointer}; ${s.restart ? 'at restart' : 'live'})`),
    ),
    ...s.fields.map((f) => {
      const el = control(f, valueAt(config, f.pointer), editable);
      controls.set(f.pointer, el);
      return h(
        'label',
        { class: `field kind-${f.kind}`, for: el.id },
        h('span', { class: 'label' }, f.label),
        el,
        h(
          'span',
          { class: 'hint' },
          `${f.key}${f.restart === s.restart ? '' : f.restart ? ', at restart' : ', live'}`,
        ),
      );
    }),
    ...s.sections.map((sub) => fieldset(sub, config, editable, controls)),
  );
}

/** The form's config, or null (the browser then shows what is wrong). */
function edited(
  form: HTMLFormElement,
  fields: readonly Field[],
  controls: Map<string, Control>,
  inForce: unknown,
) {
  for (const f of fields) {
    const el = controls.get(f.pointer);
    if (el !== undefined && f.kind !== 'boolean') el.setCustomValidity(fieldProblem(f, el.value) ?? '');
  }
  if (!form.reportValidity()) return null;
  let out: unknown = inForce;
  for (const f of fields) {
    const el = controls.get(f.pointer);
    if (el === undefined) continue;
    const raw = f.kind === 'boolean' ? (el as HTMLInputElement).checked : el.value;
    out = withValue(out, f.pointer, configValue(f, raw, valueAt(inForce, f.pointer)));
  }
  return out;
}

function changesTable(changes: readonly Change[], more: number): HTMLElement {
  if (more > 0)
    return h(
      'div',
      {},
      changesTable(changes, 0),
      h('p', { class: 'hint', id: 'config-changes-more' }, `and ${more} more settings`),
    );
  if (changes.length === 0) return h('p', { id: 'config-changes', class: 'empty' }, 'No setting changes.');
  return h(
    'table',
    { id: 'config-changes' },
    h('thead', {}, h('tr', {}, ...['Setting', 'Takes effect'].map((t) => h('th', {}, t)))),
    h(
      'tbody',
      {},
      ...changes.map((c) =>
        h(
          'tr',
          { 'data-pointer': c.pointer, 'data-restart': c.restart ? 'yes' : 'no' },
          h('td', {}, h('code', {}, c.pointer), c.label !== '' ? h('div', { class: 'hint' }, c.label) : null),
          h('td', { class: c.restart ? 'warn' : 'ok' }, c.restart ? 'at the next daemon restart' : 'at once'),
        ),
      ),
    ),
  );
}

function confirmText(changes: readonly Change[], more: number, what: string): string {
  const restart = changes.filter((c) => c.restart).map((c) => c.pointer);
  return (
    `${what}: ${changes.length + more} setting(s) change on this box, and the peer receives the new config.` +
    (restart.length > 0
      ? ` ${restart.length} take effect only when the daemon restarts (${restart.slice(0, 6).join(', ')}${restart.length > 6 ? ', …' : ''}).`
      : ' All take effect at once.')
  );
}

function draw(root: HTMLElement, ctx: PageContext, schema: unknown, shown: unknown): void {
  const editable = ctx.can('config-import');
  // config-show answers with the export's envelope; the settings are its config.
  const inForce = valueAt(shown, '/config') ?? shown;
  // The export's own stamp (the config's configVersion may lag it: config/config-manager.ts stamp()).
  const stamped = valueAt(shown, '/configVersion');
  const version = typeof stamped === 'number' ? stamped : valueAt(inForce, '/configVersion');
  const model = formModel(schema);
  const fields = allFields(model);
  const controls = new Map<string, Control>();
  const result = h('div', { id: 'config-result' });
  const form = h(
    'form',
    { id: 'config-form' },
    // Top-level settings that are not sections (configVersion, groups): a fieldset each.
    ...model.fields.map((f) =>
      fieldset(
        { ...model, pointer: f.pointer, title: f.label, restart: f.restart, fields: [f], sections: [] },
        inForce,
        editable,
        controls,
      ),
    ),
    ...model.sections.map((s) => fieldset(s, inForce, editable, controls)),
  );
  form.addEventListener('submit', (e) => e.preventDefault());

  const envelope = (config: unknown) => JSON.stringify({ format: 'tandem-config', config }, null, 2);
  const labels = new Map(fields.map((f) => [f.pointer, f.label]));
  /** The box's answer drawn; it resolves to the changes when valid, null when refused. */
  const verdict = (text: string, merge: boolean) =>
    run<ValidateReply>('config-validate', merge ? { text, merge } : { text }).then(
      (r) => {
        const changes = (Array.isArray(r.changes) ? r.changes : []).map((c) => ({
          pointer: String(c.path),
          label: labels.get(String(c.path)) ?? '',
          restart: c.restart === true,
        }));
        const more = typeof r.more === 'number' && r.more > 0 ? r.more : 0;
        fill(
          result,
          h('h2', {}, 'Changes'),
          changesTable(changes, more),
          h(
            'p',
            { id: 'config-verdict', class: 'ok', 'data-valid': 'yes' },
            'The box accepts this configuration.',
          ),
          ...(r.warnings ?? []).map((w) => h('p', { class: 'warn config-warning' }, String(w))),
        );
        return { changes, more, unchanged: r.unchanged === true };
      },
      (err: unknown) => {
        fill(
          result,
          h('h2', {}, 'Changes'),
          h('p', { id: 'config-changes', class: 'empty' }, 'Not checked: the box refused the configuration.'),
          h('p', { id: 'config-verdict', class: 'bad', 'data-valid': 'no' }, (err as Error).message),
        );
        ctx.say(`config-validate refused: ${(err as Error).message}`, 'bad');
        return null;
      },
    );
  type Verdict = NonNullable<Awaited<ReturnType<typeof verdict>>>;
  const apply = (text: string, v: Verdict, merge: boolean, what: string) => {
    if (!window.confirm(confirmText(v.changes, v.more, what))) return;
    run<ImportReply>('config-import', merge ? { text, merge } : { text })
      .then((r) => {
        const waiting = r.waitingForRestart ?? [];
        ctx.say(
          r.unchanged
            ? 'Nothing changed.'
            : `Config version ${r.configVersion} stored.` +
                (waiting.length > 0 ? ` Waiting for a daemon restart: ${waiting.join(', ')}.` : ''),
          waiting.length > 0 ? 'warn' : 'ok',
        );
        open(root, ctx);
      })
      .catch(refused(ctx, 'config-import'));
  };

  const check = () => {
    const config = edited(form, fields, controls, inForce);
    if (config === null) return;
    void verdict(envelope(config), false);
  };
  const applyForm = () => {
    const config = edited(form, fields, controls, inForce);
    if (config === null) return;
    const text = envelope(config);
    void verdict(text, false).then((v) => {
      if (v === null) return;
      if (v.unchanged) return ctx.say('Nothing to apply: no setting changed.', 'info');
      apply(text, v, false, 'Apply the edited configuration');
    });
  };

  const file = h('input', { id: 'config-import-file', type: 'file', accept: '.json,application/json' });
  const merge = h('input', { id: 'config-import-merge', type: 'checkbox' });
  const importFile = () => {
    const f = file.files?.[0];
    if (f === undefined) return ctx.say('Choose a file to import first.', 'bad');
    if (f.size > MAX_FILE_BYTES) return ctx.say(`${f.name} is over ${MAX_FILE_BYTES / 1024} KiB.`, 'bad');
    // The box parses and checks the file (config-validate): the page only sends it.
    const merged = merge.checked;
    f.text()
      .then((text) =>
        verdict(text, merged).then((v) => v !== null && apply(text, v, merged, `Import ${f.name}`)),
      )
      .catch(refused(ctx, 'import'));
  };

  const exportFile = () =>
    run<string>('config-export')
      .then((text) => {
        const url = URL.createObjectURL(new Blob([String(text)], { type: 'application/json' }));
        const a = h('a', { href: url, download: `${ctx.session.boxId}-config-v${String(version)}.json` });
        a.click();
        window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      })
      .catch(refused(ctx, 'config-export'));

  fill(
    root,
    h('h1', {}, 'Configuration'),
    h(
      'p',
      { class: 'hint' },
      `Version ${String(version)}. `,
      editable
        ? 'Secrets are never shown: leave a secret empty to keep it. Arrays (groups, users) are shown here, changed by import or their own pages.'
        : 'Read only: changing the configuration needs the admin role.',
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { id: 'config-check', type: 'button', onclick: check, disabled: !editable }, 'Check'),
      editable ? h('button', { id: 'config-apply', type: 'button', onclick: applyForm }, 'Apply…') : null,
      ctx.can('config-export')
        ? h('button', { id: 'config-export', type: 'button', onclick: () => void exportFile() }, 'Export')
        : null,
    ),
    editable
      ? h(
          'div',
          { class: 'actions', id: 'config-import-box' },
          h('label', {}, 'Import a file ', file),
          h('label', {}, merge, ' keep what the file leaves out (merge)'),
          h('button', { id: 'config-import', type: 'button', onclick: importFile }, 'Check and import…'),
        )
      : null,
    result,
    form,
  );
}

function open(root: HTMLElement, ctx: PageContext): void {
  Promise.all([api.schema(), run<unknown>('config-show')])
    .then(([schema, shown]) => draw(root, ctx, schema, shown))
    .catch(refused(ctx, 'config-show'));
}

export function renderConfig(main: HTMLElement, ctx: PageContext): void {
  // Drawn once when opened: a live update must not wipe what is being edited.
  if (main.firstElementChild?.id === ROOT_ID) return;
  const root = h('section', { id: ROOT_ID }, h('h1', {}, 'Configuration'), 'Loading…');
  fill(main, root);
  open(root, ctx);
}
