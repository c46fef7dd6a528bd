// The highest config schema this firmware reads (docs/config.md, "Schema
// versions and `upgrade commit`"). A config document says its schema in its
// `schema` field (absent: 1). It rises by one with each entry of the
// migration table (migrations.ts), which reads every older schema.
export const CONFIG_SCHEMA_VERSION = 1;
