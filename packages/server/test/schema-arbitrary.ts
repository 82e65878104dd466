/**
 * fast-check arbitraries generated from the server's JSON Schema as shipped
 * (schema/protocol.schema.json; the subset of JSON Schema that schemas.ts
 * emits): valid values, and at every node now and then a
 * hostile one instead — a wrong type, a value nested thousands of levels
 * deep, a huge string, list or map, or prototype names (`__proto__`,
 * `constructor`, `toString`…) as keys and strings.
 */
import { readFileSync } from 'node:fs';
import fc, { type Arbitrary } from 'fast-check';
import type { FuzzHint, KeySpec, ProtocolSchemaIndex } from '../src/schemas.js';

/** A JSON Schema node of the shipped file. */
export type JsonSchema = Record<string, any>;

/** The shipped file, as a user of the package reads it. */
export const PROTOCOL = JSON.parse(readFileSync(new URL('../schema/protocol.schema.json', import.meta.url), 'utf8')) as ProtocolSchemaIndex & { $defs: Record<string, JsonSchema> };

export const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf'] as const;

/** A value too deep for `JSON.stringify`: {@link toJson} writes it as text. */
export class Deep {
  constructor(readonly depth: number, readonly shape: 'array' | 'object') {}
  text(): string {
    return this.shape === 'array' ? '['.repeat(this.depth) + ']'.repeat(this.depth) : '{"a":'.repeat(this.depth) + '0' + '}'.repeat(this.depth);
  }
}

/** JSON text of a generated value ({@link Deep} parts spliced in as text; own `__proto__` keys kept). */
export function toJson(value: unknown): string {
  if (value instanceof Deep) return value.text();
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Replaces every string (and key) `$name` by `ids[name]`: member ids are known only at run time. */
export function bind(value: unknown, ids: Readonly<Record<string, string>>): unknown {
  const sub = (s: string) => (s.startsWith('$') && Object.hasOwn(ids, s.slice(1)) ? ids[s.slice(1)] : s);
  if (typeof value === 'string') return sub(value);
  if (value instanceof Deep || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => bind(v, ids));
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(value)) out[sub(k)] = bind(v, ids);
  return out;
}

/** Realistic values for strings that carry an `x-fuzz` hint. */
export type Pools = Partial<Record<FuzzHint, readonly string[]>>;

const protoString = fc.constantFrom<string>(...PROTO_NAMES);

/** Hostile values: wrong types, deep, huge, prototype-named. */
export const hostile: Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: protoString },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1e308, -0, 2 ** 53) },
  { weight: 4, arbitrary: fc.integer({ min: 1000, max: 20000 }).chain((depth) => fc.constantFrom(new Deep(depth, 'array'), new Deep(Math.min(depth, 9000), 'object'))) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 60000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => i % 2 === 0)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 2000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, true]))) },
  { weight: 2, arbitrary: fc.dictionary(protoString, fc.oneof(fc.boolean(), fc.constant({}), protoString), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** One arbitrary for a schema: valid most of the time, hostile at any node with probability about 1/(1 + `calm`). */
export function arbitrary(schema: JsonSchema, pools: Pools = {}, calm = 6): Arbitrary<unknown> {
  const valid = validOf(schema, pools, calm);
  return fc.oneof({ weight: calm, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

function stringOf(schema: JsonSchema, pools: Pools): Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 64, 200);
  const random = schema.pattern
    ? fc.stringMatching(new RegExp(schema.pattern), { size: 'small' }).map((s) => s.slice(0, max)).filter((s) => s.length >= min)
    : fc.string({ minLength: min, maxLength: max });
  const pool = pools[schema['x-fuzz'] as FuzzHint];
  return fc.oneof(
    ...(pool?.length ? [{ weight: 6, arbitrary: fc.constantFrom(...pool) }] : []),
    { weight: 3, arbitrary: random },
    { weight: 1, arbitrary: protoString },
    { weight: 1, arbitrary: fc.constant('x'.repeat(schema.maxLength ?? 64) + 'y') },
  );
}

function keyOf(spec: KeySpec, pools: Pools): Arbitrary<string> {
  const pool = spec.fuzz ? pools[spec.fuzz] : undefined;
  const random = spec.pattern
    ? fc.stringMatching(new RegExp(spec.pattern), { size: 'small' }).map((s) => s.slice(0, spec.max)).filter((s) => s.length >= spec.min)
    : fc.string({ minLength: spec.min, maxLength: Math.min(spec.max, 40) });
  return fc.oneof(
    ...(pool?.length ? [{ weight: 4, arbitrary: fc.constantFrom(...pool) }] : []),
    { weight: 3, arbitrary: random },
    { weight: 2, arbitrary: protoString },
    { weight: 1, arbitrary: fc.constantFrom('*', '', 'k'.repeat(spec.max + 1), 'a\nb', 'A B') },
  );
}

/** What a node is, from its JSON Schema keywords. */
function kindOf(schema: JsonSchema): string {
  if ('const' in schema) return 'Literal';
  if (schema.anyOf) return 'Union';
  if (schema['x-max-depth'] !== undefined) return 'BoundedJson';
  if (schema.type === 'object') return schema.patternProperties ? 'Record' : 'Object';
  return String(schema.type);
}

function validOf(schema: JsonSchema, pools: Pools, calm: number): Arbitrary<unknown> {
  switch (kindOf(schema)) {
    case 'boolean': return fc.boolean();
    case 'integer': return fc.integer({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9 });
    case 'number': return fc.double({ min: schema.minimum, max: schema.maximum, noNaN: true });
    case 'null': return fc.constant(null);
    case 'Literal': return fc.constant(schema.const);
    case 'string': return stringOf(schema, pools);
    case 'Union': return fc.oneof(...(schema.anyOf as JsonSchema[]).map((b) => arbitrary(b, pools, calm)));
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(arbitrary(schema.items as JsonSchema, pools, calm), { minLength: min, maxLength: Math.max(min, Math.min(schema.maxItems ?? 6, 6)) });
    }
    case 'Object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, arbitrary(s, pools, calm)]));
      const requiredKeys = (schema.required ?? []) as string[];
      const record = fc.record(model, { requiredKeys });
      // Now and then an unknown field, often a prototype name.
      return fc.oneof(
        { weight: 8, arbitrary: record },
        { weight: 1, arbitrary: fc.tuple(record, fc.oneof(protoString, fc.string({ maxLength: 10 })), hostile).map(([r, k, v]) => Object.assign(Object.create(null), r, { [k]: v })) },
      );
    }
    case 'Record': {
      const [value] = Object.values(schema.patternProperties as Record<string, JsonSchema>);
      return fc.dictionary(keyOf(schema['x-key'] as KeySpec, pools), arbitrary(value, pools, calm), { maxKeys: 4 });
    }
    case 'BoundedJson': return fc.jsonValue({ maxDepth: 4 });
    default: throw new Error(`no arbitrary for the schema ${JSON.stringify(schema).slice(0, 200)}`);
  }
}
