// The failover machine's single entry of events: an event raised while
// another is being handled (an action that dispatches synchronously) waits
// its turn, so each transition sees the state the previous one left.
export class EventQueue<E> {
  private readonly handle: (e: E) => void;
  private readonly queue: E[] = [];
  private draining = false;

  constructor(handle: (e: E) => void) {
    this.handle = handle;
  }

  push(event: E): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) this.handle(e);
    } finally {
      this.draining = false;
    }
  }
}
