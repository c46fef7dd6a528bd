// The two documents of an upgrade, stored on the data partition (they
// survive the reboot into the other slot) and, for the plan, sent to the
// peer: each is checked against its schema whenever it is read, from disk or
// from the wire, before anything trusts a field.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { join } from 'node:path';
import { DocumentStore, type Validator } from '../store/document-store.ts';
import { UPGRADE_STEPS, type UpgradeStep } from '../status/snapshot.ts';

const Version = Type.String({ pattern: '^[\\w.+-]{1,32}$' });
const Controller = Type.Union([Type.Literal('A'), Type.Literal('B')]);
const Slot = Type.Union([Type.Literal('A'), Type.Literal('B')]);

/** The steps that end a plan. */
export const ENDED: readonly UpgradeStep[] = ['done', 'failed', 'aborted'];

/** A bundle: an http(s) URL each controller downloads, or a path present on both. */
export const BundleSource = Type.String({ minLength: 1, maxLength: 1024, pattern: '^(https?://|/)[^\\s]*$' });

export const PlanSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    bundle: BundleSource,
    /** The bundle's version (RAUC's manifest), known after preflight. */
    version: Type.Union([Version, Type.Null()]),
    /** What both ran at the start. */
    from: Version,
    /** Updated first (the standby at the start), then second (the active then). */
    first: Controller,
    second: Controller,
    failback: Type.Boolean(),
    step: Type.Union(UPGRADE_STEPS.map((s) => Type.Literal(s))),
    /** What is happening now, or why it stopped (every reason, one per entry). */
    detail: Type.Array(Type.String({ maxLength: 400 }), { maxItems: 16 }),
    /** Of the current step, when it has one (an install). */
    percent: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()]),
    startedAt: Type.Integer({ minimum: 0 }),
    updatedAt: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type Plan = Static<typeof PlanSchema>;

/**
 * Written just before the reboot into a newly installed slot: that boot is a
 * trial, marked good only when the health check passes (trial.ts).
 */
export const TrialSchema = Type.Object(
  {
    slot: Slot,
    version: Version,
    /** The slot that ran before: where a failed trial falls back to. */
    from: Slot,
    fromVersion: Version,
    at: Type.Integer({ minimum: 0 }),
    /**
     * The kernel's boot id when it was installed: the same id at start means
     * the daemon restarted before the reboot (not a fallback).
     */
    bootId: Type.Optional(Type.String({ maxLength: 64 })),
    /** Set on the old slot after a fallback, so it is said once and kept for status. */
    outcome: Type.Union([Type.Literal('pending'), Type.Literal('good'), Type.Literal('fell-back')]),
  },
  { additionalProperties: false },
);
export type Trial = Static<typeof TrialSchema>;

export function validatorOf<T extends TSchema>(schema: T, what: string): Validator<Static<T>> {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return { ok: true, value };
    const errors = [...check.Errors(value)].slice(0, 5).map((e) => `${what}${e.path || '/'}: ${e.message}`);
    return { ok: false, error: errors };
  };
}

const DOC_BYTES = 16 * 1024;

export function planStore(stateDir: string): DocumentStore<Plan> {
  return new DocumentStore(
    join(stateDir, 'upgrade', 'plan.json'),
    validatorOf(PlanSchema, 'plan'),
    undefined,
    DOC_BYTES,
  );
}

export function trialStore(stateDir: string): DocumentStore<Trial> {
  return new DocumentStore(
    join(stateDir, 'upgrade', 'trial.json'),
    validatorOf(TrialSchema, 'trial'),
    undefined,
    DOC_BYTES,
  );
}
