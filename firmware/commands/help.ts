// Help and docs text, generated from the registry so they cannot drift from
// what the commands accept: tandemctl's command list and `help COMMAND`, and
// the command table of docs/mqtt.md (tools/gen-command-docs.ts).
import type { TSchema } from '@sinclair/typebox';
import { mustOf } from './args.ts';
import type { CommandDef } from './define.ts';
import { REGISTRY } from './registry.ts';

/** Where a summary starts in the command list. */
const COLUMN = 30;
const WIDTH = 100;

/** How tandemctl writes a command: `alarms ack ID [--by NAME]`. */
export function synopsis(def: CommandDef): string {
  const parts = [...def.cli.words];
  for (const p of def.cli.positionals ?? []) parts.push(p.optional === true ? `[${p.metavar}]` : p.metavar);
  for (const f of def.cli.flags ?? [])
    parts.push(`[${f.metavar === undefined ? f.flag : `${f.flag} ${f.metavar}`}]`);
  const file = def.cli.file;
  if (file !== undefined) parts.push(file.optional ? '[FILE]' : 'FILE');
  const secrets = def.cli.secrets ?? [];
  if (secrets.length > 0) parts.push(`< ${secrets.map((s) => s.metavar).join(' ')}`);
  return parts.join(' ');
}

/** Words of `text` in lines of at most `width` - `indent`, each after `indent` spaces. */
function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l);
}

/** One entry of a two-column list: the name, then its text (on the next line if the name is long). */
function entry(name: string, text: string): string[] {
  const body = wrap(text, COLUMN);
  const head = `  ${name}`;
  if (head.length < COLUMN - 1 && body.length > 0) {
    body[0] = head.padEnd(COLUMN) + (body[0] ?? '').slice(COLUMN);
    return body;
  }
  return [head, ...body];
}

/** "Must be a group name (...)": the rule a value follows, as a sentence. */
function valueRule(schema: TSchema): string {
  const must = mustOf(schema);
  return must.charAt(0).toUpperCase() + must.slice(1);
}

/** An argument's description and its rule: "the group to move. Must be a group name (...)". */
const explained = (description: unknown, rule: string): string => `${String(description)}. ${rule}`;

/** tandemctl's command list, one entry per command (the console shell lists those its role may run). */
export function commandList(defs: readonly CommandDef[] = REGISTRY): string {
  return defs.flatMap((def) => entry(synopsis(def), def.summary)).join('\n');
}

/** The commands whose tandemctl words start with `words` (help config -> the four config commands). */
export function commandsSpelled(words: readonly string[]): CommandDef[] {
  return REGISTRY.filter((def) => words.every((w, i) => def.cli.words[i] === w));
}

/** `tandemctl help COMMAND`: the synopsis, the summary, each argument, the role and the MQTT name. */
export function commandHelp(def: CommandDef): string {
  const lines = [`usage: tandemctl ${synopsis(def)}`, '', ...wrap(def.summary, 0)];
  const args: string[] = [];
  for (const p of def.cli.positionals ?? []) {
    const schema = def.args.properties[p.arg];
    if (schema === undefined) continue;
    const rule =
      p.choices === undefined ? valueRule(schema) : `Must be ${Object.keys(p.choices).join(' or ')}`;
    args.push(...entry(p.metavar, explained(schema.description, rule)));
  }
  for (const f of def.cli.flags ?? []) {
    const schema = def.args.properties[f.arg];
    if (schema === undefined) continue;
    const name = f.metavar === undefined ? f.flag : `${f.flag} ${f.metavar}`;
    const rule =
      f.metavar === undefined
        ? `A switch; ${f.flag}=yes or ${f.flag}=no also work`
        : f.convert === 'time'
          ? `${f.metavar} is ISO 8601, epoch ms, or an age like 30s, 15m, 2h, 7d`
          : valueRule(schema);
    args.push(...entry(name, explained(schema.description, rule)));
  }
  for (const s of def.cli.secrets ?? []) {
    const schema = def.args.properties[s.arg];
    if (schema === undefined) continue;
    args.push(
      ...entry(
        s.metavar,
        explained(
          schema.description,
          `${valueRule(schema)}; read from standard input, one line, never from the command line (asked without echo on a terminal)`,
        ),
      ),
    );
  }
  if (def.cli.file !== undefined) {
    args.push(
      ...entry(
        'FILE',
        def.cli.file.mode === 'read'
          ? 'the file tandemctl reads and sends as the document'
          : `where tandemctl writes it (mode 0600)${def.cli.file.optional ? '; without FILE, to stdout' : ''}`,
      ),
    );
  }
  if (args.length > 0) lines.push('', 'arguments:', ...args);
  lines.push('', `role: ${roleText(def)}`);
  lines.push(`MQTT: request/${def.name}${mqttArgs(def)}`);
  return lines.join('\n');
}

/** "viewer", or "viewer; admin with includeSecrets". */
function roleText(def: CommandDef): string {
  const s = def.stronger;
  return s === undefined ? def.role : `${def.role}; ${s.role} with ${s.when}`;
}

function mqttArgs(def: CommandDef): string {
  const required = new Set(def.args.required ?? []);
  const keys = Object.keys(def.args.properties).map((k) => (required.has(k) ? k : `${k}?`));
  return keys.length === 0 ? ', no args' : `, args ${keys.join(', ')}`;
}

/** Markdown text: characters that would start emphasis or code are escaped. */
const md = (text: string): string => text.replace(/[\\`*_]/g, (c) => `\\${c}`);

/** The command list of docs/mqtt.md: one item per command, one sub-item per argument. */
export function docsList(): string {
  return REGISTRY.map((def) => {
    const required = new Set(def.args.required ?? []);
    const args = Object.entries(def.args.properties).map(
      ([key, schema]) =>
        `  - \`${key}${required.has(key) ? '' : '?'}\`: ${md(explained(schema.description, valueRule(schema)))}.`,
    );
    const head = `- \`${def.name}\` (${roleText(def)}): ${md(def.summary)}.${args.length === 0 ? ' No args.' : ''}`;
    return [head, ...args].join('\n');
  }).join('\n');
}
