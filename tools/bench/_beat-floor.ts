// The heartbeat-cost bench's `--floor` process: what the runtime itself
// costs to heartbeat, with none of the firmware. Per interval it sends one
// UDP datagram and writes one serial frame to its peer, and reads the
// peer's: the least I/O a two-path heartbeat does, on the same node, with
// the same options (the image's `--lite-mode`) and the same loopback
// addresses and pty pair as the daemons it is compared with. No message is
// built, signed or checked; one timer, Node's own tty reader (no
// serialport), no promise.
//
// It is handed to node as program text (`--input-type=module --eval`):
// `--lite-mode` turns WebAssembly off, and with it Node's type stripping, so
// a .ts file could not be run with the image's options. It prints `HEARD`
// once it has received both kinds of frame, so that the bench measures an
// exchange and not one side talking to nothing.
// (The leading underscore keeps this helper out of `npm run bench`'s list.)

/** Size of the frames, about a heartbeat's (docs/heartbeat.md, section 1). */
export const FLOOR_FRAME_BYTES = 160;

/** argv after the program: local address, peer address, UDP port, interval ms, tty path. */
export const FLOOR_PROGRAM = `
import dgram from 'node:dgram';
import fs from 'node:fs';
import tty from 'node:tty';
const [local, peer, port, interval, ttyPath] = process.argv.slice(1);
const frame = Buffer.alloc(${FLOOR_FRAME_BYTES}, 0x5a);
let datagrams = 0, serialBytes = 0, heard = false;
const note = () => {
  if (!heard && datagrams > 0 && serialBytes > 0) { heard = true; console.log('HEARD'); }
};
const fd = fs.openSync(ttyPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
const line = new tty.ReadStream(fd);
line.setRawMode(true);
line.on('data', (b) => { serialBytes += b.length; note(); });
const sock = dgram.createSocket('udp4');
sock.on('message', () => { datagrams++; note(); });
sock.bind(Number(port), local, () => sock.connect(Number(port), peer));
sock.on('connect', () => {
  setInterval(() => {
    sock.send(frame);
    try { fs.writeSync(fd, frame); } catch { /* a full line drops the frame, as a UART would */ }
  }, Number(interval));
});
process.on('SIGTERM', () => process.exit(0));
`;
