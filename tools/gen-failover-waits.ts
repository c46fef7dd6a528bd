// Generates the table of derived waits in docs/failover.md (between the
// waits:begin and waits:end markers) from the functions the daemon uses
// (firmware/failover/lease.ts, firmware/controller/failover-settings.ts), for
// the embedded defaults, the lab configs and the simulated box. Run
// `node tools/gen-failover-waits.ts` to rewrite the file, `--check` to
// only say whether it is current (exit 1 if not);
// test/unit/docs/failover-waits.test.ts fails when the two drift apart.
// (It lives with the tests because it reads the lab configs under tools/ and
// the controller's settings, which firmware/config must not import.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runGenerator, type DocBlock } from './doc-block.ts';
import { SimClock } from '../hal/clock/sim.ts';
import { SCSI_IO_TIMEOUT_MS } from '../hal/scsi/device.ts';
import { validateTiming, type HeartbeatTiming } from '../firmware/cluster/timing.ts';
import type { TandemConfig } from '../firmware/config/schema.ts';
import { defaultConfig, validateConfig } from '../firmware/config/validate.ts';
import { failoverSettings, probeTimeoutMs } from '../firmware/controller/failover-settings.ts';
import {
  DEFAULT_STOP_BUDGET_MS,
  freeGroupSettleMs,
  groupDownGraceMs,
  handoverWindowMs,
  isolatedBoundMs,
  peerClaimWaitMs,
  selfFenceDetectMs,
  stalledBoundMs,
  type LeaseInputs,
} from '../firmware/failover/lease.ts';
import type { FailoverSettings } from '../firmware/failover/machine.ts';
import { SimBox } from '../firmware/sim/box.ts';

export const DOC_FILE = fileURLToPath(new URL('../docs/failover.md', import.meta.url));

export const LAB_CONFIG = fileURLToPath(new URL('../tools/lab/configs/a.json', import.meta.url));
export const LAB_PG_CONFIG = fileURLToPath(new URL('../tools/lab/configs/pg-a.json', import.meta.url));

/** One column of the table: a config as the daemon (or the sim) runs it, and what it derives from it. */
export interface Column {
  readonly name: string;
  readonly config: TandemConfig;
  readonly timing: HeartbeatTiming;
  /** What the daemon hands the failover machine (buildController → failoverSettings). */
  readonly settings: FailoverSettings;
  readonly lease: LeaseInputs;
}

export function column(name: string, config: TandemConfig): Column {
  // As buildController does: the heartbeat timing is checked, then the settings derived.
  const timing = validateTiming(config.cluster.heartbeat);
  if (!timing.ok) throw new Error(`${name}: ${timing.error.field}: ${timing.error.detail}`);
  const settings = failoverSettings(config, 'A', timing.value);
  const wd = config.failover.watchdog;
  return {
    name,
    config,
    timing: timing.value,
    settings,
    lease: {
      intervalMs: timing.value.intervalMs,
      deadtimeMs: timing.value.deadtimeMs,
      ioTimeoutMs: probeTimeoutMs(timing.value),
      stopBudgetMs: DEFAULT_STOP_BUDGET_MS,
      watchdog: wd.enabled ? { timeoutMs: wd.timeoutS * 1000, marginMs: wd.marginMs } : null,
    },
  };
}

function labColumn(name: string, file: string): Column {
  const r = validateConfig(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.ok) throw new Error(`${file}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return column(name, r.config);
}

/** The config `npm start` runs (firmware/sim/main.ts builds its box with no timing or failover options). */
async function simConfig(): Promise<TandemConfig> {
  const box = new SimBox({ clock: new SimClock() });
  try {
    return box.configOf('A');
  } finally {
    await box.stop();
  }
}

export async function columns(): Promise<Column[]> {
  return [
    column('defaults', defaultConfig()),
    labColumn('lab', LAB_CONFIG),
    labColumn('lab pg', LAB_PG_CONFIG),
    column('sim', await simConfig()),
  ];
}

/** The minimum non-zero fence delay of firmware/config/rules.ts (a unit test checks it against checkRules). */
export function minFenceDelayMs(c: Column): number {
  return c.timing.intervalMs + SCSI_IO_TIMEOUT_MS;
}

type Cell = number | 'off';

/** The rows: what, how it is derived, and its value in a column. */
export const ROWS: readonly {
  readonly what: string;
  readonly formula: string;
  readonly value: (c: Column) => Cell;
}[] = [
  {
    what: 'watchdog timeout',
    formula: '`failover.watchdog.timeoutS` (when `enabled`)',
    value: (c) => c.lease.watchdog?.timeoutMs ?? 'off',
  },
  { what: 'fence delay', formula: '`failover.fenceDelayMs`', value: (c) => c.settings.fenceDelayMs },
  {
    what: 'failure memory',
    formula: '`failover.failureTimeoutMs` (0: until cleanup)',
    value: (c) => c.settings.failureTimeoutMs,
  },
  {
    what: 'automatic failback after',
    formula: '`failover.autoFailback.delayMs` (when `enabled`)',
    value: (c) => (c.settings.autoFailback.enabled ? c.settings.autoFailback.delayMs : 'off'),
  },
  {
    what: 'SCSI I/O timeout',
    formula: '`SCSI_IO_TIMEOUT_MS` (sbd’s)',
    value: () => SCSI_IO_TIMEOUT_MS,
  },
  { what: 'stop budget', formula: '`DEFAULT_STOP_BUDGET_MS`', value: () => DEFAULT_STOP_BUDGET_MS },
  {
    what: 'watchdog margin',
    formula: '`failover.watchdog.marginMs` (when `enabled`)',
    value: (c) => c.lease.watchdog?.marginMs ?? 'off',
  },
  {
    what: 'disk probe I/O timeout',
    formula: '`probeTimeoutMs`: deadtime, at most the SCSI I/O timeout',
    value: (c) => c.lease.ioTimeoutMs,
  },
  {
    what: 'self-fence detection',
    formula: '`selfFenceDetectMs`: interval + max(deadtime + interval, interval + probe timeout)',
    value: (c) => selfFenceDetectMs(c.lease),
  },
  {
    what: 'isolated bound',
    formula: '`isolatedBoundMs`: self-fence detection + stop budget',
    value: (c) => isolatedBoundMs(c.lease),
  },
  {
    what: 'stalled bound',
    formula: '`stalledBoundMs`: interval + watchdog timeout + margin',
    value: (c) => (c.lease.watchdog === null ? 'off' : stalledBoundMs(c.lease)),
  },
  {
    what: '**takeover wait** after the last beat heard',
    formula: '`minTakeoverWaitMs`: max(isolated bound, stalled bound)',
    value: (c) => c.settings.takeoverWaitMs,
  },
  {
    what: 'takeover by the second fencer',
    formula: 'takeover wait + fence delay',
    value: (c) => c.settings.takeoverWaitMs + c.settings.fenceDelayMs,
  },
  {
    what: 'shortest non-zero fence delay allowed',
    formula: 'interval + SCSI I/O timeout (`rules.ts`)',
    value: minFenceDelayMs,
  },
  {
    what: 'a free group settles',
    formula: '`freeGroupSettleMs`: 3 x interval (0 for one the peer released)',
    value: (c) => freeGroupSettleMs(c.timing),
  },
  {
    what: 'a release or a join is remembered',
    formula: '`handoverWindowMs`: 2 x deadtime',
    value: (c) => handoverWindowMs(c.timing),
  },
  {
    what: 'a stopping daemon waits for the peer’s claim',
    formula: '`peerClaimWaitMs`: 2 x deadtime',
    value: (c) => peerClaimWaitMs(c.timing),
  },
  {
    what: '`GROUP_DOWN` after',
    formula: '`groupDownGraceMs`: takeover wait + fence delay + 2 x deadtime',
    value: (c) =>
      groupDownGraceMs({
        takeoverWaitMs: c.settings.takeoverWaitMs,
        fenceDelayMs: c.settings.fenceDelayMs,
        deadtimeMs: c.timing.deadtimeMs,
      }),
  },
];

export function renderTable(cols: readonly Column[]): string {
  const head = ['value (ms)', 'derived as', ...cols.map((c) => c.name)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of ROWS) {
    lines.push(`| ${[row.what, row.formula, ...cols.map((c) => String(row.value(c)))].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The generated block of docs/failover.md (tools/doc-block.ts). */
export const WAITS_BLOCK: DocBlock = {
  file: DOC_FILE,
  name: 'waits',
  what: 'waits table',
  regenerate: 'node tools/gen-failover-waits.ts',
  lines: async () => [
    '<!-- generated by `node tools/gen-failover-waits.ts` from firmware/failover/lease.ts and controller/failover-settings.ts: edit those, not this table -->',
    '',
    'Columns: **defaults** is what the daemon runs with no config file (its heartbeat timing:',
    '[heartbeat.md, Defaults](heartbeat.md#defaults)); **lab** is `tools/lab/configs/a.json` and **lab pg**',
    '`pg-a.json` (the lab timing, no fence delay; a watchdog only in pg); **sim** is the simulated box of `npm start`',
    '(the lab timing, no watchdog, the default fence delay). Every number is in ms.',
    '',
    renderTable(await columns()),
    '',
  ],
};

if (import.meta.main) runGenerator(WAITS_BLOCK);
