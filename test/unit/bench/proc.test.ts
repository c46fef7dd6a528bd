// The footprint bench's /proc arithmetic (tools/bench/_proc.ts): the fields
// it takes from stat and status, the CPU percent and the start time, checked
// on fixed text and once against this very process.
import { describe, expect, it } from 'vitest';
import {
  clockTicks,
  cpuPercent,
  megabytes,
  parseRssKb,
  parseStat,
  parseUptime,
  readRssKb,
  readStartedAtMs,
  readStat,
  startedAtMs,
  twoDecimals,
} from '../../../tools/bench/_proc.ts';

/** A real line of `cat /proc/self/stat`, with utime 7, stime 3, starttime 6951644. */
const STAT =
  '3037 (cat) R 3034 3034 27865 0 -1 4194304 98 0 0 0 7 3 0 0 20 0 1 0 6951644 3133440 417 ' +
  '18446744073709551615 94476459220992 94476459240873 140728468826112 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0';

describe('/proc parsing', () => {
  it('takes utime + stime and starttime from stat', () => {
    expect(parseStat(STAT)).toEqual({ cpuTicks: 10, startTicks: 6951644 });
  });

  it('counts fields from the last ")", whatever the command name holds', () => {
    const odd = STAT.replace('(cat)', '(no de) 1 2 (x))');
    expect(parseStat(odd)).toEqual({ cpuTicks: 10, startTicks: 6951644 });
  });

  it('refuses a stat line cut short or without a command name', () => {
    expect(() => parseStat('3037 (cat) R 3034')).toThrow(/field 14/);
    expect(() => parseStat('3037 cat R')).toThrow(/command name/);
  });

  it('takes VmRSS from status, and refuses a status without one (a zombie)', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1234 kB\nVmRSS:\t   76543 kB\nRssAnon:\t 25000 kB\n';
    expect(parseRssKb(status)).toBe(76543);
    expect(() => parseRssKb('Name:\tnode\nState:\tZ (zombie)\n')).toThrow(/VmRSS/);
  });

  it('takes seconds since boot from /proc/uptime', () => {
    expect(parseUptime('69516.45 85681.28\n')).toBe(69516.45);
    expect(() => parseUptime('\n')).toThrow(/uptime/);
  });
});

describe('the arithmetic', () => {
  it('CPU percent of one core: ticks over wall time', () => {
    // 36 ticks of 10 ms in 60 s: 0.36 s of CPU, 0.6 % of one core.
    expect(cpuPercent(1000, 1036, 100, 60_000)).toBeCloseTo(0.6, 10);
    expect(cpuPercent(5, 5, 100, 60_000)).toBe(0);
    // Two cores busy for the whole time: 200 %.
    expect(cpuPercent(0, 200, 100, 1000)).toBe(200);
  });

  it('refuses CPU time going back or no wall time', () => {
    expect(() => cpuPercent(10, 9, 100, 1000)).toThrow(/went back/);
    expect(() => cpuPercent(0, 1, 100, 0)).toThrow();
  });

  it('a process start as wall-clock time: now minus its age', () => {
    // Started 1000.00 s after boot, now 1002.50 s after boot: 2.5 s ago.
    expect(startedAtMs(100_000, 1002.5, 100, 1_700_000_000_000)).toBe(1_700_000_000_000 - 2500);
    // Tick rounding may put the start a hair after uptime: age 0, not negative.
    expect(startedAtMs(100_001, 1000.0, 100, 5000)).toBe(5000);
    expect(() => startedAtMs(200_000, 1000, 100, 5000)).toThrow(/future/);
  });

  it('MB with one decimal, percent with two', () => {
    expect(megabytes(76543)).toBe(74.7);
    expect(megabytes(1024)).toBe(1);
    expect(twoDecimals(0.456)).toBe(0.46);
  });
});

describe('this process', () => {
  it('has a plausible RSS, CPU time and start', async () => {
    const tck = await clockTicks();
    expect(tck).toBeGreaterThan(0);
    expect(readRssKb(process.pid)).toBeGreaterThan(10_000);
    expect(readStat(process.pid).cpuTicks).toBeGreaterThan(0);
    const started = readStartedAtMs(process.pid, tck);
    const age = Date.now() - started;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(process.uptime() * 1000 + 1000);
  });
});
