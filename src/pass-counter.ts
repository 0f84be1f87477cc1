// Counts the finished passes of a polling job, so a caller (a test) can wait for "n more
// passes" instead of sleeping to show that nothing more happens.
export class PassCounter {
  private finished = 0;
  private readonly waiters = new Set<{ until: number; resolve: () => void }>();

  /** Call when a pass has finished. */
  finishedOne(): void {
    this.finished++;
    for (const waiter of this.waiters) {
      if (this.finished < waiter.until) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  /** Resolves once `n` passes have finished after this call; with `passUnderWay`, one more (that one began before). */
  after(n: number, passUnderWay: boolean): Promise<void> {
    const until = this.finished + n + (passUnderWay ? 1 : 0);
    return new Promise((resolve) => this.waiters.add({ until, resolve }));
  }
}
