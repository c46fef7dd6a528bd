// config-validate's answer: what an import of the text would change against
// the config in force, and which of those changes wait for a restart,
// computed on the box (commands/config-dry-run.ts) with the import's own
// plan, merge and secret rules; secrets named by path, never by value.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateText } from '../../../firmware/commands/config-dry-run.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import type { ControllerStatus } from '../../../firmware/status/snapshot.ts';

const KEY = 'ab'.repeat(32);
const STATUS = { state: 'active', peer: { paths: [] }, groups: [] } as unknown as ControllerStatus;
const bare = { status: { current: () => STATUS }, counters: () => ({}), host: () => undefined };
let dir: string;
let file: string;
let config: ConfigManager;
let commands: RegistryCommands;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-validate-'));
  file = join(dir, 'tandem.json');
  writeFileSync(
    file,
    JSON.stringify({ box: { id: 'v-box' }, cluster: { key: KEY }, mqtt: { password: 'pw' } }),
  );
  config = new ConfigManager({ path: file, lastGoodPath: join(dir, 'last-good.json') });
  await config.load();
  commands = new RegistryCommands(bare).with({ config });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const validate = (args: Record<string, unknown>) =>
  commands.handle({ command: 'config-validate', args, transaction: 't' });

describe('config-validate', () => {
  it('names each changed setting and whether it waits for a restart, and changes nothing', async () => {
    const before = readFileSync(file, 'utf8');
    const text = JSON.stringify({ web: { idleMinutes: 30, port: 8443 } });
    expect((await validate({ text, merge: true })).data).toEqual({
      valid: true,
      warnings: [],
      changes: [
        { path: '/web/idleMinutes', restart: false },
        { path: '/web/port', restart: true },
      ],
      unchanged: false,
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(config.current().configVersion).toBe(0);
  });

  it('without merge a partial document is refused, as config-import refuses it', async () => {
    const r = await validate({ text: JSON.stringify({ web: { idleMinutes: 30 } }) });
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/^invalid config: .*\/cluster\/key: is set in the config in force/);
  });

  it('a redacted export is unchanged; a secret changed is named, its value never sent', async () => {
    const exported = config.exportText();
    expect((await validate({ text: exported })).data).toMatchObject({ changes: [], unchanged: true });
    const doc = JSON.parse(exported) as { config: { mqtt: { password: string } } };
    doc.config.mqtt.password = 'new-secret-value';
    const r = await validate({ text: JSON.stringify(doc) });
    expect(r.data).toMatchObject({ changes: [{ path: '/mqtt/password', restart: true }], unchanged: false });
    expect(JSON.stringify(r)).not.toContain('new-secret-value');
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  it('refuses what the import refuses: bad JSON, a bad value, an identity change', async () => {
    expect((await validate({ text: '{nope' })).error).toMatch(/not valid JSON/);
    expect((await validate({ text: '{"web":{"idleMinutes":0}}', merge: true })).error).toMatch(
      /\/web\/idleMinutes/,
    );
    expect((await validate({ text: '{"box":{"id":"other"}}', merge: true })).error).toMatch(
      /\/box\/id: would change the pair’s identity/,
    );
  });

  it('bounds the list and says how many more changed', () => {
    const text = JSON.stringify({ web: { idleMinutes: 30, port: 8443, httpPort: 8080 } });
    const r = validateText(text, config.current(), { merge: true, maxListed: 2 });
    expect(r).toMatchObject({ ok: true, more: 1, unchanged: false });
    expect(r.ok && r.changes.map((c) => c.path)).toEqual(['/web/httpPort', '/web/idleMinutes']);
  });

  it('needs the config in force to diff against', async () => {
    const fake = new RegistryCommands(bare).with({
      config: {
        exportText: () => '{}',
        importText: () => Promise.reject(new Error('no')),
        setIdentity: () => Promise.reject(new Error('no')),
      },
    });
    const r = await fake.handle({ command: 'config-validate', args: { text: '{}' }, transaction: 't' });
    expect(r.error).toBe('config-validate: the configuration in force cannot be read here');
  });
});
