// Tells live staff consoles that something may have changed. Changes made by this process
// arrive at once; while anyone listens, the database is also checked every few seconds so
// changes made by other server processes arrive too.
import { EventEmitter } from "node:events";

export class ChangeFeed {
  private readonly mark: () => Promise<string>;
  private readonly pollMs: number;
  private readonly emitter = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;
  private lastMark: string | undefined;

  constructor(mark: () => Promise<string>, pollMs = 2000) {
    this.mark = mark;
    this.pollMs = pollMs;
    this.emitter.setMaxListeners(0);
  }

  notify(): void {
    this.emitter.emit("change");
  }

  subscribe(listener: () => void): () => void {
    this.emitter.on("change", listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.emitter.off("change", listener);
      if (this.emitter.listenerCount("change") === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lastMark = undefined;
  }

  private async poll(): Promise<void> {
    try {
      const mark = await this.mark();
      if (this.lastMark !== undefined && mark !== this.lastMark) this.notify();
      this.lastMark = mark;
    } catch {
      // The database is briefly unreachable: try again at the next tick.
    }
  }
}
