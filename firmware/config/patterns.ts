// The text rules config fields are held to that code outside the schema also
// checks by hand (a user name on a command, the box id of the identity file,
// a path an agent hands on). Here, apart from schema.ts, because the schema
// is built with TypeBox and the front-panel and web processes, which check
// these, should not load it (docs/footprint.md).

/** Absolute, no "." or ".." segments, no shell metacharacters (resource-schemas.ts). */
export const PATH = '^(/[A-Za-z0-9_@:+-][A-Za-z0-9_.@:+-]*)+$';

/** A web user's name (web.users[].name; users/users.ts checks the same rule on commands). */
export const WEB_USER_NAME = '^[a-z][a-z0-9._-]{0,31}$';

/** The box id (box.id, a slug), which the identity file must carry too. */
export const BOX_ID = '^[a-z0-9][a-z0-9-]{0,62}$';
