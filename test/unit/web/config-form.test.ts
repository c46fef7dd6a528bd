// The Config page's form model from the box's real JSON Schema, as the
// page receives it (JSON over the wire): sections titled by their
// descriptions, inputs typed and bounded from the schema, secrets never
// shown, and a config that goes through the form untouched comes back the
// same.
import { describe, expect, it } from 'vitest';
import { redacted } from '../../../firmware/config/import-plan.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';
import {
  allFields,
  configValue,
  fieldProblem,
  formModel,
  htmlPattern,
  inputValue,
  REDACTED,
  valueAt,
  withValue,
  type Field,
} from '../../../firmware/web/client/config-form.ts';

const schema: unknown = JSON.parse(JSON.stringify(ConfigSchema));
const model = formModel(schema);
const fields = allFields(model);
const byPointer = (p: string): Field => {
  const f = fields.find((x) => x.pointer === p);
  if (f === undefined) throw new Error(`no field ${p}`);
  return f;
};

describe('config form model', () => {
  it('makes a titled section per object of the schema', () => {
    const top = model.sections.map((s) => s.pointer);
    expect(top).toEqual(
      expect.arrayContaining([
        '/box',
        '/controller',
        '/cluster',
        '/failover',
        '/mqtt',
        '/panel',
        '/web',
        '/eventlog',
      ]),
    );
    const cluster = model.sections.find((s) => s.pointer === '/cluster')!;
    expect(cluster.title).toBe('Cluster membership: heartbeats, key, shared disk');
    expect(cluster.sections.map((s) => s.pointer)).toContain('/cluster/heartbeat');
    expect(model.sections.find((s) => s.pointer === '/eventlog')!.restart).toBe(false);
  });

  it('types and bounds each input from the schema', () => {
    expect(byPointer('/cluster/heartbeat/intervalMs')).toMatchObject({
      kind: 'integer',
      min: 50,
      max: 60_000,
      label: 'Time between heartbeats',
      optional: false,
      restart: true,
    });
    expect(byPointer('/cluster/serial/enabled').kind).toBe('boolean');
    expect(byPointer('/cluster/disk/transport')).toMatchObject({ kind: 'select', options: ['iscsi', 'sg'] });
    expect(byPointer('/panel/lcd/columns')).toMatchObject({ kind: 'select', options: [20, 16] });
    expect(byPointer('/mqtt/username')).toMatchObject({ kind: 'text', optional: true, maxLength: 256 });
    expect(byPointer('/mqtt/topicPrefix').pattern).toBe('^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$');
  });

  it('knows which settings are live (the nearest requiresRestart)', () => {
    expect(byPointer('/eventlog/maxRows').restart).toBe(false);
    expect(byPointer('/web/idleMinutes').restart).toBe(false);
    expect(byPointer('/web/port').restart).toBe(true);
    expect(byPointer('/configVersion').restart).toBe(false);
  });

  it('marks every secret of SECRET_PATHS outside arrays as a secret field', () => {
    for (const p of [
      '/cluster/key',
      '/mqtt/password',
      '/mqtt/tls/key',
      '/mqtt/local/password',
      '/mqtt/commandToken',
      '/web/metricsToken',
      '/web/secret',
    ])
      expect(byPointer(p).kind, p).toBe('secret');
    expect(byPointer('/mqtt/tls/cert').kind).toBe('text');
    expect(inputValue(byPointer('/cluster/key'), REDACTED)).toBe('');
    expect(inputValue(byPointer('/cluster/key'), 'ab'.repeat(32))).toBe('');
  });

  it('shows arrays and the version read-only', () => {
    expect(byPointer('/groups')).toMatchObject({ kind: 'json', readOnly: true });
    expect(byPointer('/web/users')).toMatchObject({ kind: 'json', readOnly: true });
    expect(byPointer('/box/controllerIds').kind).toBe('json');
    expect(byPointer('/configVersion').readOnly).toBe(true);
  });

  it('reads anything it does not understand as read-only JSON, and survives junk', () => {
    expect(formModel(null).fields).toEqual([]);
    const odd = formModel({ type: 'object', properties: { a: { anyOf: [] }, b: 5, c: { type: 'string' } } });
    expect(odd.fields.map((f) => [f.key, f.kind])).toEqual([
      ['a', 'json'],
      ['c', 'text'],
    ]);
  });
});

describe('checking and converting what is typed', () => {
  it('checks numbers, choices, lengths and patterns', () => {
    const interval = byPointer('/cluster/heartbeat/intervalMs');
    expect(fieldProblem(interval, '10')).toBe('at least 50');
    expect(fieldProblem(interval, '70000')).toBe('at most 60000');
    expect(fieldProblem(interval, '1.5')).toBe('a whole number');
    expect(fieldProblem(interval, 'x')).toBe('a number');
    expect(fieldProblem(interval, '')).toBe('required');
    expect(fieldProblem(interval, '1000')).toBeNull();
    expect(fieldProblem(byPointer('/cluster/disk/transport'), 'scsi')).toBe('one of the choices');
    expect(fieldProblem(byPointer('/mqtt/topicPrefix'), 'a/+')).toMatch(/^must match/);
    expect(fieldProblem(byPointer('/cluster/disk/sgDevice'), '/dev/../etc/passwd')).toMatch(/^must match/);
    expect(fieldProblem(byPointer('/cluster/disk/sgDevice'), '/dev/sg1')).toBeNull();
    expect(fieldProblem(byPointer('/cluster/disk/sgDevice'), '')).toBeNull();
    expect(fieldProblem(byPointer('/mqtt/commandToken'), 'short')).toBe('at least 32 characters');
    // A secret left empty keeps the one in force.
    expect(fieldProblem(byPointer('/cluster/key'), '')).toBeNull();
    expect(fieldProblem(byPointer('/cluster/key'), 'zz')).toMatch(/^must match/);
  });

  it('tells which patterns the browser’s pattern= (v flag) can carry', () => {
    expect(htmlPattern('^[0-9a-fA-F]{64}$')).toBe(true);
    expect(htmlPattern('^/dev/[A-Za-z0-9_./-]+$')).toBe(false);
  });

  it('converts to the config’s own types', () => {
    expect(configValue(byPointer('/panel/lcd/columns'), '16', 20)).toBe(16);
    expect(configValue(byPointer('/cluster/heartbeat/intervalMs'), ' 750 ', 1000)).toBe(750);
    expect(configValue(byPointer('/cluster/serial/enabled'), false, true)).toBe(false);
    expect(configValue(byPointer('/mqtt/username'), '', 'noc')).toBeUndefined();
    expect(configValue(byPointer('/cluster/disk/portal/host'), '', 'x')).toBe('');
    expect(configValue(byPointer('/cluster/key'), '', REDACTED)).toBe(REDACTED);
    expect(configValue(byPointer('/cluster/key'), 'ab'.repeat(32), REDACTED)).toBe('ab'.repeat(32));
    expect(configValue(byPointer('/groups'), 'anything', [{ name: 'g' }])).toEqual([{ name: 'g' }]);
    expect(configValue(byPointer('/configVersion'), '99', 3)).toBe(3);
  });

  it('gives back the shown config unchanged when nothing is edited', () => {
    const shown: unknown = JSON.parse(JSON.stringify(redacted(defaultConfig())));
    let out: unknown = shown;
    for (const f of fields) {
      const before = valueAt(shown, f.pointer);
      const raw = f.kind === 'boolean' ? before === true : inputValue(f, before);
      expect(fieldProblem(f, typeof raw === 'string' ? raw : ''), f.pointer).toBeNull();
      out = withValue(out, f.pointer, configValue(f, raw, before));
    }
    expect(out).toEqual(shown);
  });

  it('sets values by pointer without touching the original or the prototype', () => {
    const base = { a: { b: 1 } };
    const next = withValue(base, '/a/c', 2);
    expect(next).toEqual({ a: { b: 1, c: 2 } });
    expect(base).toEqual({ a: { b: 1 } });
    expect(withValue(next, '/a/b', undefined)).toEqual({ a: { c: 2 } });
    const proto = withValue({}, '/__proto__/x', 1);
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});
