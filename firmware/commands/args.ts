// Argument schemas, as TypeBox types. Every argument is bounded (string
// lengths and patterns, integer ranges) and every command's argument object
// refuses keys it does not declare, so nothing like __proto__ or constructor
// gets through. Each schema carries two texts: `description` for help and
// docs, and `must` for the error that names the argument when a value fails.
import {
  Type,
  type TBoolean,
  type TInteger,
  type TLiteral,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnion,
} from '@sinclair/typebox';
import { CONFIG_TEXT_BYTES } from '../core/limits.ts';

/** A config document is small; this bounds what a request can make us parse (core/limits.ts). */
export const MAX_CONFIG_TEXT = CONFIG_TEXT_BYTES;

/** Group names as the config allows them (firmware/config/schema.ts bounds them further). */
const GROUP_NAME = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

/** A command's arguments: only the declared keys, each checked by its schema. */
export function argObject<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false });
}

/** An argument that may be left out. */
export const Optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** The text that ends "args.NAME: must ..." when a value fails its schema. */
export function mustOf(schema: TSchema): string {
  const must = (schema as { must?: unknown }).must;
  return typeof must === 'string' ? `must ${must}` : 'has the wrong type';
}

export function groupArg(description: string): TString {
  return Type.String({
    pattern: GROUP_NAME,
    maxLength: 64,
    description,
    must: 'be a group name (letters, digits, _ . -; at most 64)',
  });
}

export function booleanArg(description: string): TBoolean {
  return Type.Boolean({ description, must: 'be true or false' });
}

export function integerArg(min: number, max: number, description: string): TInteger {
  return Type.Integer({
    minimum: min,
    maximum: max,
    description,
    must: `be an integer from ${min} to ${max}`,
  });
}

export function patternArg(pattern: string, maxLength: number, what: string, description: string): TString {
  return Type.String({ pattern, maxLength, description, must: `be ${what}` });
}

export function textArg(maxLength: number, description: string): TString {
  return Type.String({
    minLength: 1,
    maxLength,
    description,
    must: `be a non-empty string of at most ${maxLength} characters`,
  });
}

export function oneOfArg<const T extends readonly string[]>(
  values: T,
  description: string,
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v: T[number]) => Type.Literal(v)),
    { description, must: `be one of ${values.join(', ')}` },
  );
}
