// Options every MQTT client of the firmware passes, for memory's sake.
//
// `writeCache: false`: mqtt-packet otherwise fills a cache of the 65 536
// two-byte big-endian numbers at the first packet it writes, one Buffer each:
// 6.3 MB of heap in the daemon (a heap snapshot of the lab's daemon), and as
// much in the panel and web processes, to save an allocation of two bytes per
// packet that writes a length or id. The setting is global to mqtt-packet, so
// every client in a process passes it.
export const CLIENT_MEMORY = { writeCache: false } as const;
