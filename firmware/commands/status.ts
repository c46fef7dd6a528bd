// The read-only view of this controller: status, peer, paths. Answered from
// the live snapshot the LCD and MQTT also show, so every surface agrees.
import { argObject } from './args.ts';
import { defineCommand, ok } from './define.ts';

export const statusCommands = [
  defineCommand({
    name: 'status',
    summary: 'this controller, its peer, paths and groups',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['status'] },
    run: (ctx) => ok(ctx.status.current()),
  }),
  defineCommand({
    name: 'peer',
    summary: 'the peer controller and each heartbeat path',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['peer'] },
    run: (ctx) => ok(ctx.status.current().peer),
  }),
  defineCommand({
    name: 'paths',
    summary: 'heartbeat paths',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['paths'] },
    run: (ctx) => ok({ paths: ctx.status.current().peer.paths, counters: ctx.counters() }),
  }),
];
