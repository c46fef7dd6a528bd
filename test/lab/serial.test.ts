// The null-modem stand-in: bytes written to ttyA arrive at ttyB and back, and
// each fault mode really alters the stream.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { labFiles } from '../../tools/lab/files.ts';
import { labOk } from './lab-helpers.ts';

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
  });
}

const received = { A: [] as Buffer[], B: [] as Buffer[] };
let ports: { A: SerialPort; B: SerialPort };

async function sendAndCollect(
  from: 'A' | 'B',
  data: Buffer,
  waitMs: number,
): Promise<{ bytes: Buffer; firstAtMs: number | null }> {
  const to = from === 'A' ? 'B' : 'A';
  received[to].length = 0;
  const t0 = Date.now();
  let firstAt: number | null = null;
  const onData = () => {
    firstAt ??= Date.now() - t0;
  };
  ports[to].on('data', onData);
  ports[from].write(data);
  const deadline = t0 + waitMs;
  while (Date.now() < deadline && Buffer.concat(received[to]).length < data.length)
    await new Promise((r) => setTimeout(r, 20));
  ports[to].off('data', onData);
  return { bytes: Buffer.concat(received[to]), firstAtMs: firstAt };
}

describe('serial null-modem', () => {
  beforeAll(async () => {
    ports = { A: await openPort(labFiles.tty('A')), B: await openPort(labFiles.tty('B')) };
    ports.A.on('data', (d: Buffer) => received.A.push(d));
    ports.B.on('data', (d: Buffer) => received.B.push(d));
  });
  afterAll(async () => {
    await new Promise((r) => ports.A.close(r));
    await new Promise((r) => ports.B.close(r));
  });
  afterEach(async () => {
    await labOk(['heal', 'serial']);
  });

  it('carries bytes both ways', async () => {
    const ab = await sendAndCollect('A', Buffer.from('hello from A\n'), 2000);
    expect(ab.bytes.toString()).toBe('hello from A\n');
    const ba = await sendAndCollect('B', Buffer.from('hello from B\n'), 2000);
    expect(ba.bytes.toString()).toBe('hello from B\n');
  });

  it('loses bytes while cut, carries them again after heal', async () => {
    await labOk(['cut', 'serial']);
    const lost = await sendAndCollect('A', Buffer.from('lost'), 500);
    expect(lost.bytes.length).toBe(0);
    await labOk(['heal', 'serial']);
    const back = await sendAndCollect('A', Buffer.from('back'), 2000);
    expect(back.bytes.toString()).toBe('back');
  });

  it('corrupt mode alters bytes', async () => {
    await labOk(['serial-mode', 'corrupt', '1']);
    const data = Buffer.alloc(64, 0x55);
    const got = await sendAndCollect('B', data, 2000);
    expect(got.bytes.length).toBe(64);
    // Every byte had one bit flipped.
    for (const b of got.bytes) expect(b).not.toBe(0x55);
  });

  it('delay mode delays', async () => {
    await labOk(['serial-mode', 'delay', '400']);
    const got = await sendAndCollect('A', Buffer.from('slow'), 3000);
    expect(got.bytes.toString()).toBe('slow');
    expect(got.firstAtMs).not.toBeNull();
    expect(got.firstAtMs ?? 0).toBeGreaterThanOrEqual(350);
  });

  it('survives a controller closing and reopening its tty', async () => {
    await new Promise((r) => ports.B.close(r));
    ports.B = await openPort(labFiles.tty('B'));
    ports.B.on('data', (d: Buffer) => received.B.push(d));
    const got = await sendAndCollect('A', Buffer.from('reopened'), 2000);
    expect(got.bytes.toString()).toBe('reopened');
  });

  it('rejects a malformed mode', async () => {
    await expect(labOk(['serial-mode', 'corrupt', '7'])).rejects.toThrow(/FRACTION/);
  });
});
