// The front panel's operator state: mute the buzzer, blink the identify LED.
// Both change what every surface shows (status: muted, locate), so they need
// an operator, like acknowledging an alarm. The state lives beside the alarms
// (alarms/panel-signals.ts), in memory.
import { argObject, booleanArg, oneOfArg, Optional, patternArg, textArg } from './args.ts';
import type { CommandContext } from './context.ts';
import { defineCommand, fail, ok } from './define.ts';

const by = () =>
  Optional(
    patternArg('^\\S.{0,63}$', 64, 'a name of at most 64 characters', 'who asks (default: the channel)'),
  );

const actor = (ctx: CommandContext, given: string | undefined): string =>
  given ?? ctx.defaultActor ?? 'operator';

/** A bare node handler has no alarms, so nothing sounds or blinks on it. */
const missing = (command: string) => fail(`command ${command}: no alarms or panel state on this handler`);

export const panelCommands = [
  defineCommand({
    name: 'mute',
    summary: 'silence the buzzer for the alarms active now (a new alarm sounds again)',
    role: 'operator',
    args: argObject({ by: by() }),
    cli: { words: ['mute'], flags: [{ arg: 'by', flag: '--by', metavar: 'NAME' }] },
    run: (ctx, args) => {
      const alarms = ctx.alarms;
      if (alarms?.mute === undefined) return missing('mute');
      const r = alarms.mute(actor(ctx, args.by));
      return ok({ muted: r.state.muted, silenced: r.silenced });
    },
  }),
  defineCommand({
    name: 'locate',
    summary: "blink (on) or stop (off) this controller's identify LED",
    role: 'operator',
    args: argObject({
      on: booleanArg('on (true): the identify LED blinks until off (false) or a daemon restart'),
      by: by(),
    }),
    cli: {
      words: ['locate'],
      positionals: [{ arg: 'on', metavar: 'on|off', choices: { on: true, off: false } }],
      flags: [{ arg: 'by', flag: '--by', metavar: 'NAME' }],
    },
    run: (ctx, args) => {
      const alarms = ctx.alarms;
      if (alarms?.locate === undefined) return missing('locate');
      return ok({ locate: alarms.locate(args.on, actor(ctx, args.by)).locate });
    },
  }),
  defineCommand({
    name: 'panel-fault',
    summary: 'the panel process reports a fault of its own (PANEL_FAULT), or that it recovered',
    role: 'operator',
    args: argObject({
      part: oneOfArg(['lcd', 'gpio', 'button'] as const, 'the part at fault'),
      on: booleanArg('true: raise PANEL_FAULT for the part; false: clear it'),
      detail: Optional(textArg(200, 'what went wrong (the driver error, the stuck key)')),
    }),
    cli: {
      words: ['panel-fault'],
      positionals: [
        { arg: 'part', metavar: 'lcd|gpio|button' },
        { arg: 'on', metavar: 'on|off', choices: { on: true, off: false } },
      ],
      flags: [{ arg: 'detail', flag: '--detail', metavar: 'TEXT' }],
    },
    run: (ctx, args) => {
      const alarms = ctx.alarms;
      if (alarms?.panelFault === undefined) return missing('panel-fault');
      alarms.panelFault(args.part, args.on ? (args.detail ?? 'fault') : null);
      return ok({ part: args.part, fault: args.on });
    },
  }),
];
