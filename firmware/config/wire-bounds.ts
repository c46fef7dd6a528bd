// The largest values of config numbers that travel in a wire format. Every
// one of these fields is copied into a fixed-width field at run time (the
// heartbeat, a config offer, the witness area, a SCSI CDB); a value the field
// cannot hold would make the encoder throw on every heartbeat, so the schema
// refuses it when the file is read instead. A unit test encodes each bound
// with the real encoder, so these cannot drift from the formats.
import { MAX_VERSION } from './replication/offer-wire.ts';

/** configVersion: a u32 in every heartbeat (cluster/message.ts) and config offer. */
export const MAX_CONFIG_VERSION = MAX_VERSION;

/** Witness area size, in sectors (the sector count is also bounded for memory). */
export const MAX_WITNESS_SECTORS = 65_536;

/**
 * First witness LBA: the config holds it as a JSON number, which becomes the
 * u64 LBA of WRITE(16) exactly only while it is a safe integer, and the last
 * sector of the area must stay one too.
 */
export const MAX_WITNESS_LBA = Number.MAX_SAFE_INTEGER - MAX_WITNESS_SECTORS;

/** LUNs: the iSCSI LUN field's flat-space addressing holds 14 bits. */
export const MAX_LUN = 0x3fff;
