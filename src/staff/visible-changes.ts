// Change events for a console that may see only some hand-offs (agents): a change is passed
// on only when what this account may see has changed (StaffStore.changeMarkFor), checked at
// most once per `delayMs` however many changes arrive, so a busy helpline costs one small
// query per agent and interval, and an agent learns nothing of hand-offs they cannot open.
export class VisibleChanges {
  private readonly mark: () => Promise<string>;
  private readonly send: () => void;
  private readonly delayMs: number;
  private last: Promise<string | undefined>;
  private scheduled = false;

  constructor(mark: () => Promise<string>, send: () => void, delayMs = 200) {
    this.mark = mark;
    this.send = send;
    this.delayMs = delayMs;
    this.last = this.read();
  }

  /** Something changed somewhere: check (soon) whether it is something this account sees. */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => void this.check(), this.delayMs).unref();
  }

  private async check(): Promise<void> {
    this.scheduled = false;
    const before = await this.last;
    this.last = this.read();
    const now = await this.last;
    // Unreadable (database briefly away): pass the change on; the queue itself is filtered.
    if (now === undefined || now !== before) this.send();
  }

  private read(): Promise<string | undefined> {
    return this.mark().catch(() => undefined);
  }
}
