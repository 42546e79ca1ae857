// A queue of CSR names with N workers: a name is never processed by two workers at once, and a
// name added while it is being processed runs once more afterwards (it may have changed).
export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private wake: (() => void) | undefined;

  add(name: string): void {
    if (this.active.has(name)) this.dirty.add(name);
    else this.waiting.add(name);
    this.wake?.();
  }

  get size(): number {
    return this.waiting.size + this.active.size;
  }

  /** Runs handle for queued names with `workers` in parallel until stopped() is true. */
  async run(workers: number, handle: (name: string) => Promise<void>, stopped: () => boolean): Promise<void> {
    const worker = async () => {
      while (!stopped()) {
        const name = this.next();
        if (name === undefined) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, 1000);
          });
          continue;
        }
        this.active.add(name);
        try {
          await handle(name);
        } finally {
          this.active.delete(name);
          if (this.dirty.delete(name)) this.add(name);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
  }

  private next(): string | undefined {
    for (const name of this.waiting) {
      this.waiting.delete(name);
      return name;
    }
    return undefined;
  }
}
