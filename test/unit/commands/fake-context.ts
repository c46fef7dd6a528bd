// A command context of plain objects: a status snapshot, a failover host
// whose state machine records each operator command and answers with the
// transition the test chose, and an alarm list.
import type {
  CommandContext,
  FailoverOps,
  OperatorOp,
  TransitionView,
} from '../../../firmware/commands/context.ts';
import type { ControllerStatus } from '../../../firmware/status/snapshot.ts';

export interface FakeHost extends FailoverOps {
  /** Every operator command the machine received. */
  readonly ops: { op: OperatorOp; groups: readonly string[] | undefined }[];
  readonly cleaned: (readonly string[] | undefined)[];
  /** The transition the next command reports (undefined: the machine is stopped). */
  next: TransitionView | undefined;
}

export const GO: TransitionView = {
  from: 'active',
  to: 'releasing',
  outcome: 'go',
  actions: ['stop-groups'],
  text: 'switchover: releasing',
};

export function fakeHost(held: readonly string[] = ['db']): FakeHost {
  const listeners = new Set<(r: TransitionView) => void>();
  const host: FakeHost = {
    ops: [],
    cleaned: [],
    next: GO,
    failover: {
      onTransition: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      command: (op, groups) => {
        host.ops.push({ op, groups });
        const r = host.next;
        if (r !== undefined) for (const l of listeners) l(r);
      },
      status: () => ({ maintenance: { on: false, epoch: 0 } }),
    },
    fencer: {
      snapshot: () => ({
        ourKey: 0xa1n,
        keys: [0xa1n, 0xb2n],
        reservation: { key: 0xa1n, type: 5 },
        weAreFenced: false,
      }),
    },
    groupStatus: () => [
      { name: 'db', preferred: 'A', owner: 'A', state: 'running', failedOn: [] },
      { name: 'web', preferred: 'B', owner: 'B', state: 'running', failedOn: [] },
    ],
    heldGroups: () => held,
    cleanup: (groups) => {
      host.cleaned.push(groups);
      return Promise.resolve({ cleared: groups ?? ['db', 'web'], restarted: [] });
    },
  };
  return host;
}

export const STATUS = {
  boxId: 'box1',
  controller: 'A',
  state: 'active',
  peer: { id: 'B', state: 'alive', paths: [{ path: 'serial', state: 'up' }] },
  groups: [],
  diskAccess: true,
} as unknown as ControllerStatus;

export function fakeContext(host: FailoverOps | undefined = fakeHost()): CommandContext & {
  acked: { id: unknown; by: unknown }[];
} {
  const acked: { id: unknown; by: unknown }[] = [];
  return {
    acked,
    status: { current: () => STATUS },
    counters: () => ({ sent: 3 }),
    host: () => host,
    alarms: {
      active: () => [{ id: 1, code: 'MQTT_DOWN' }],
      acknowledge: (id, by) => {
        acked.push({ id, by });
        return { ok: true, value: { id, by } };
      },
    },
    events: { query: () => [] },
  };
}
