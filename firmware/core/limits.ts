// Every bound on untrusted input, in one place: how many bytes each entry
// reads, how deep and wide a JSON document may be there, and what a console
// connection may cost. Each entry checks its byte size before any parsing,
// and every refusal names the limit it hit (see bounded-json.ts and
// bounded-read.ts), so an operator can tell a hostile input from a bug.
//
// The numbers are sized from the largest legitimate input with room to
// spare: a config document is a few KiB, an export of it with secrets
// under 16 KiB; the largest request is a config import carrying one.

/** Shape limits of a JSON document, checked before JSON.parse sees it. */
export interface JsonLimits {
  /** Bytes of UTF-8 text. */
  readonly bytes: number;
  /** Nesting of objects and arrays; the top-level value is depth 1. */
  readonly depth: number;
  /** Members of any one object or elements of any one array. */
  readonly entries: number;
}

/** The text of a config document (file, import, validate). */
export const CONFIG_TEXT_BYTES = 256 * 1024;

export const LIMITS = {
  /** A config file on disk, an import or a validate. */
  config: { bytes: CONFIG_TEXT_BYTES, depth: 16, entries: 1024 },
  /** One MQTT request payload: the envelope around at most one config document. */
  mqttRequest: { bytes: 300 * 1024, depth: 8, entries: 256 },
  /** One line (request) on the control socket. */
  consoleLine: { bytes: 512 * 1024, depth: 8, entries: 256 },
  /** A request from the peer controller (firmware/peer; 16 KiB on the wire at most). */
  peerRequest: { bytes: 16 * 1024, depth: 8, entries: 256 },
  /** A response from the peer controller: an Outcome, its data as deep as a status report. */
  peerResponse: { bytes: 16 * 1024, depth: 16, entries: 4096 },
  /** One reply line tandemctl accepts (a `log --limit 10000` fits). */
  consoleReply: { bytes: 64 * 1024 * 1024, depth: 16, entries: 100_000 },
  /**
   * (The envelope limits above leave room for these, so the finer error
   * below names the argument.) A command's arguments once the envelope is
   * parsed, whatever the channel:
   * no command declares more than a handful, nested at most one level.
   */
  args: {
    /** Top-level arguments. */
    keys: 16,
    depth: 4,
    /** Values at every depth. */
    nodes: 256,
    /** Characters of every string and key together: a config document plus change. */
    chars: CONFIG_TEXT_BYTES + 4096,
  },
  /** tandemctl's own command line: words and the length of each. */
  cli: { words: 64, wordChars: 4096 },
  /** The control socket, per connection and in all. */
  console: {
    /** Bytes a connection may send per budget window; beyond it, it is closed. */
    budgetBytes: 4 * 1024 * 1024,
    budgetWindowMs: 10_000,
    /** Replies queued to a client that does not read them; beyond it, it is closed. */
    backlogBytes: 16 * 1024 * 1024,
    /** Requests in progress per connection: a client must wait for its replies. */
    pendingPerClient: 4,
    /** Requests started per connection per second; a faster client is read more slowly. */
    requestsPerSecond: 20,
    /** Connections at once; a new one beyond this evicts an idle or the heaviest one (server.ts). */
    clients: 16,
    /** A connection silent this long (no byte either way) is closed. */
    idleMs: 30_000,
    /** After a refusal, how long the reply may take to drain before the socket is destroyed. */
    lingerMs: 1_000,
  },
  /** The identity file the flash tool writes (`{"controller":"A","box":"…"}`): under 100 bytes. */
  identity: { bytes: 1024, depth: 1, entries: 8 },
  /** A small state file of the controller's own (the maintenance mark): a few dozen bytes. */
  stateFileBytes: 4096,
  /**
   * The largest MQTT packet a broker of ours accepts (the lab's mosquitto
   * max_packet_size, the simulated box's guard): a request's payload limit
   * plus 20 KiB for the topic and header. A bigger one is dropped at the
   * broker and never reaches a controller.
   */
  mqttPacketBytes: 300 * 1024 + 20 * 1024,
  /** MQTT: refusals are summarised in the event log at most once per this interval. */
  mqttRefusalSummaryMs: 60_000,
  /** The shortest mqtt.commandToken accepted: 128 bits as hex, so it cannot be guessed. */
  commandTokenMinChars: 32,
} as const satisfies Record<string, unknown>;
