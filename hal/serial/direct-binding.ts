// A node-serialport binding for Linux whose reads and writes are direct
// non-blocking system calls on the event loop, woken by the binding's own
// epoll poller. LinuxBinding sends each read (and the read that finds
// nothing) and each write through libuv's thread pool: four round trips
// between threads for every heartbeat, the largest part of what a short
// heartbeat interval costs an idle controller (docs/footprint.md). Opening
// (termios, the lock), drain (tcdrain), the control lines and close stay
// LinuxBinding's: the port is open O_NONBLOCK, so a read or write here
// returns at once, with EAGAIN when it would wait.
import { readSync, writeSync } from 'node:fs';
import {
  BindingsError,
  LinuxBinding,
  type BindingInterface,
  type BindingPortInterface,
  type LinuxOpenOptions,
  type LinuxPortBinding,
  type LinuxSetOptions,
  type UpdateOptions,
} from '@serialport/bindings-cpp';

/** The system call would block: wait for the poller and try again. */
function wouldBlock(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

export class DirectPortBinding implements BindingPortInterface {
  readonly openOptions: Required<LinuxOpenOptions>;
  private readonly inner: LinuxPortBinding;
  private writing: Promise<void> | null = null;

  constructor(inner: LinuxPortBinding) {
    this.inner = inner;
    this.openOptions = inner.openOptions;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  private fd(): number {
    const fd = this.inner.fd;
    if (fd === null) throw new BindingsError('Port is not open', { canceled: true });
    return fd;
  }

  /** Resolves when the poller says the port is ready; rejects (canceled) when it closes. */
  private ready(event: 'readable' | 'writable'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.inner.poller.once(event, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (buffer.length < offset + length) throw new Error('buffer is too small');
    for (;;) {
      const fd = this.fd();
      try {
        const bytesRead = readSync(fd, buffer, offset, length, null);
        // 0 is end of file, which a tty only says after a hangup: wait, never spin.
        if (bytesRead > 0) return { buffer, bytesRead };
      } catch (err) {
        if (!wouldBlock(err)) throw err; // the stream closes the port as disconnected
      }
      await this.ready('readable');
    }
  }

  write(buffer: Buffer): Promise<void> {
    const op = this.writeAll(buffer).finally(() => {
      if (this.writing === op) this.writing = null;
    });
    this.writing = op;
    return op;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const fd = this.fd();
      try {
        offset += writeSync(fd, buffer, offset, buffer.length - offset);
        continue;
      } catch (err) {
        if (!wouldBlock(err)) throw err; // the stream closes the port as disconnected
      }
      await this.ready('writable');
    }
  }

  async drain(): Promise<void> {
    await this.writing;
    await this.inner.drain();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  update(options: UpdateOptions): Promise<void> {
    return this.inner.update(options);
  }

  set(options: LinuxSetOptions): ReturnType<LinuxPortBinding['set']> {
    return this.inner.set(options);
  }

  get(): ReturnType<LinuxPortBinding['get']> {
    return this.inner.get();
  }

  getBaudRate(): ReturnType<LinuxPortBinding['getBaudRate']> {
    return this.inner.getBaudRate();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }
}

export const DirectLinuxBinding: BindingInterface<DirectPortBinding, LinuxOpenOptions> = {
  list: () => LinuxBinding.list(),
  open: async (options) => new DirectPortBinding(await LinuxBinding.open(options)),
};
