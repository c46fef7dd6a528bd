// The failover drill's report (docs/drill.md): what an auditor keeps. One
// schema for every place a report is read: the store (the previous drill,
// read back from disk) and the peer (its phases come over the peer
// channel); each is checked against it before a field is trusted.
import { Type, type Static } from '@sinclair/typebox';

const Controller = Type.Union([Type.Literal('A'), Type.Literal('B')]);
const Text = Type.String({ maxLength: 400 });
const Ms = Type.Integer({ minimum: 0, maximum: 86_400_000 });

/**
 * The phases a drill times. The start phases are the takeover history's
 * (status/takeover-phases.ts: disk, mounted, database up, VIP announced);
 * the others are the drill's own (docs/drill.md says what each measures).
 */
export const DRILL_PHASES = [
  'stop',
  'release',
  'disk',
  'mounted',
  'database up',
  'VIP announced',
  'pause',
  'detected',
  'restarted',
  'silence',
] as const;
export type DrillPhaseName = (typeof DRILL_PHASES)[number];

export const PhaseSchema = Type.Object(
  {
    name: Type.Union(DRILL_PHASES.map((p) => Type.Literal(p))),
    ms: Ms,
    /** The controller whose clock timed it. */
    on: Controller,
  },
  { additionalProperties: false },
);
export type DrillPhase = Static<typeof PhaseSchema>;

export const STEP_KINDS = ['switchover', 'failback', 'resource', 'path'] as const;
export type DrillStepKind = (typeof STEP_KINDS)[number];

export const StepSchema = Type.Object(
  {
    kind: Type.Union(STEP_KINDS.map((k) => Type.Literal(k))),
    /** The group moved, the group/resource killed, or the heartbeat path muted. */
    subject: Type.String({ maxLength: 80 }),
    ok: Type.Boolean(),
    /** What happened, or why the step failed. */
    detail: Text,
    phases: Type.Array(PhaseSchema, { maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type DrillStep = Static<typeof StepSchema>;

export const CheckSchema = Type.Object(
  { check: Type.String({ maxLength: 80 }), ok: Type.Boolean(), detail: Text },
  { additionalProperties: false },
);
export type PreflightCheck = Static<typeof CheckSchema>;

export const SlowerSchema = Type.Object(
  {
    /** "switchover db pause": step kind, subject and phase. */
    phase: Type.String({ maxLength: 200 }),
    previousMs: Ms,
    ms: Ms,
  },
  { additionalProperties: false },
);
export type SlowerPhase = Static<typeof SlowerSchema>;

export const ReportSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    /** The controller the drill ran on, and who asked for it. */
    by: Controller,
    actor: Type.String({ maxLength: 80 }),
    firmwareVersion: Type.String({ maxLength: 64 }),
    startedAt: Type.Integer({ minimum: 0 }),
    endedAt: Type.Integer({ minimum: 0 }),
    result: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
    preflight: Type.Array(CheckSchema, { maxItems: 32 }),
    steps: Type.Array(StepSchema, { maxItems: 128 }),
    /** The drill this one is compared with (its id and start), null for the first. */
    previous: Type.Union([
      Type.Object(
        { id: Type.String({ pattern: '^[0-9a-f]{16}$' }), startedAt: Type.Integer({ minimum: 0 }) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    /** Phases more than SLOWER_RATIO times as long as in the previous drill. */
    slower: Type.Array(SlowerSchema, { maxItems: 512 }),
  },
  { additionalProperties: false },
);
export type DrillReport = Static<typeof ReportSchema>;
