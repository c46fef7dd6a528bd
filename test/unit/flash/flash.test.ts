// The flash tool end to end on file targets (tools/flash): a GPT image built
// here is written and read back, the controller's files land on its data
// partition (read back with debugfs), and every refusal names its reason.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDataFiles } from '../../../tools/flash/data-files.ts';
import { flash, type FlashOutput, type FlashRequest } from '../../../tools/flash/flash.ts';
import { buildImage, DATA_OFFSET, requireTools, sparseFile } from './image-fixture.ts';

let dir: string;
let image: string;
const lines: string[] = [];
const out: FlashOutput = { log: (l) => lines.push(l), progress: { isTTY: false, write: () => true } };

function debugfsCat(target: string, path: string): string {
  return execFileSync('debugfs', ['-R', `cat /${path}`, `${target}?offset=${DATA_OFFSET}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

function debugfsMode(target: string, path: string): string {
  const st = execFileSync('debugfs', ['-R', `stat /${path}`, `${target}?offset=${DATA_OFFSET}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return /Mode:\s+(\d+)/.exec(st)?.[1] ?? '';
}

function req(target: string, more: Partial<FlashRequest> = {}): FlashRequest {
  return { image, target, controller: 'A', box: 'rack1-box3', ...more };
}

beforeAll(() => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'tandem-flash-test-'));
  image = buildImage(dir, 'tandem.img');
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('flash', () => {
  it('writes the image to a new file, verifies it by SHA-256 and writes the identity', async () => {
    const target = join(dir, 'a.img');
    const report = await flash(req(target), out);
    expect(report.targetSha256).toBe(report.imageSha256);
    expect(report.imageSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lines.join('\n')).toContain(`target sha256 ${report.imageSha256}`);
    expect(JSON.parse(debugfsCat(target, 'tandem/etc/identity.json'))).toEqual({
      controller: 'A',
      box: 'rack1-box3',
    });
  });

  it('writes a validated config beside the identity, 0600', async () => {
    const target = join(dir, 'b.img');
    const config = join(dir, 'box.json');
    writeFileSync(config, JSON.stringify({ box: { id: 'rack1-box3' } }));
    await flash(req(target, { controller: 'B', config }), out);
    expect(JSON.parse(debugfsCat(target, 'tandem/etc/identity.json'))).toEqual({
      controller: 'B',
      box: 'rack1-box3',
    });
    expect(debugfsCat(target, 'tandem/etc/tandem.json')).toBe(readFileSync(config, 'utf8'));
    expect(debugfsMode(target, 'tandem/etc/tandem.json')).toBe('0600');
  });

  it('writeDataFiles adds and replaces files on a flashed target', async () => {
    const target = join(dir, 'c.img');
    await flash(req(target), out);
    await writeDataFiles(target, [{ path: 'tandem/etc/network', content: 'one\n', mode: 0o644 }]);
    await writeDataFiles(target, [{ path: 'tandem/etc/network', content: 'two\n', mode: 0o640 }]);
    expect(debugfsCat(target, 'tandem/etc/network')).toBe('two\n');
    expect(debugfsMode(target, 'tandem/etc/network')).toBe('0640');
    await expect(writeDataFiles(target, [{ path: '../x', content: '', mode: 0o600 }])).rejects.toThrow(
      /no \. or \.\./,
    );
  });

  it('refuses a target holding a filesystem unless --force names exactly it', async () => {
    const target = join(dir, 'ext4.img');
    sparseFile(target, 8 * 1024 * 1024);
    execFileSync('mkfs.ext4', ['-q', '-F', target]);
    await expect(flash(req(target), out)).rejects.toThrow(/already holds ext4 filesystem.*--force/);
    await expect(flash(req(target, { force: join(dir, 'other.img') }), out)).rejects.toThrow(
      /--force names .*other\.img, not the target/,
    );
    const report = await flash(req(target, { force: target }), out);
    expect(report.targetSha256).toBe(report.imageSha256);
  });

  it('refuses a target that already holds a partition table', async () => {
    const target = join(dir, 'again.img');
    await flash(req(target), out);
    await expect(flash(req(target), out)).rejects.toThrow(/gpt partition table/);
  });

  it('refuses an image without the data partition', async () => {
    const odd = buildImage(dir, 'no-data.img', ['boot', 'rootfs-a', 'rootfs-b', 'spare']);
    await expect(flash(req(join(dir, 'x.img'), { image: odd }), out)).rejects.toThrow(
      /not a Tandem controller image: no partition labelled "data"/,
    );
  });

  it('refuses a corrupted GPT: header CRC, entries CRC, no GPT at all', async () => {
    const header = join(dir, 'bad-header.img');
    copyFileSync(image, header);
    const bytes = readFileSync(header);
    bytes[512 + 60] = (bytes[512 + 60] ?? 0) ^ 0xff; // inside the disk GUID
    writeFileSync(header, bytes);
    await expect(flash(req(join(dir, 'y.img'), { image: header }), out)).rejects.toThrow(/header CRC32/);

    const entries = join(dir, 'bad-entries.img');
    const e = readFileSync(image);
    e[1024 + 56] = 0x41; // the first partition's name
    writeFileSync(entries, e);
    await expect(flash(req(join(dir, 'y.img'), { image: entries }), out)).rejects.toThrow(/entries CRC32/);

    const plain = join(dir, 'plain.img');
    sparseFile(plain, 1024 * 1024);
    await expect(flash(req(join(dir, 'y.img'), { image: plain }), out)).rejects.toThrow(/no protective MBR/);
  });

  it('refuses a bad --controller, --box or --config, naming each problem', async () => {
    const target = join(dir, 'z.img');
    await expect(flash(req(target, { controller: 'C', box: 'Rack_1' }), out)).rejects.toThrow(
      /--controller "C": must be A or B; --box "Rack_1": not a box id/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ box: { id: 'rack1-box3', colour: 'red' }, eventlog: { maxRows: 1 } }),
    );
    const refused = flash(req(target, { config: bad }), out);
    await expect(refused).rejects.toThrow(/\/box\/colour: is not a known setting/);
    await expect(refused).rejects.toThrow(/\/eventlog\/maxRows/);
    const other = join(dir, 'other-box.json');
    writeFileSync(other, JSON.stringify({ box: { id: 'rack9' } }));
    await expect(flash(req(target, { config: other }), out)).rejects.toThrow(
      /box\.id is "rack9", but --box is "rack1-box3"/,
    );
    await expect(flash(req(target, { config: join(dir, 'none.json') }), out)).rejects.toThrow(/cannot open/);
  });
});
