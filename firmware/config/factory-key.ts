// The cluster key a box leaves the factory with, apart from schema.ts (its
// default) so that rules.ts can warn about it without loading TypeBox, which
// builds the schema (docs/footprint.md).

/** The shared HMAC key shipped from the factory; rules.ts warns while in use. */
export const FACTORY_CLUSTER_KEY = '0'.repeat(64);
