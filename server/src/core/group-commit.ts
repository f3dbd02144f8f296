export interface GroupCommitOptions {
  /** the most items one run takes */
  maxBatch: number
  /** how many runs may be under way at once */
  maxInFlight: number
}

interface Waiting<T, R> {
  item: T
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: callers submit one item each and wait for its own result, while the items that arrive as a run is
 * under way go together in the next run. When idle, an item runs at once, alone; under load, runs grow and each
 * costs about as many database commands as one item would. A run that throws fails every item in it.
 * (Hand-written: DataLoader batches only within one tick, which concurrent HTTP requests never share.)
 */
export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = []
  private inFlight = 0
  private readonly idleWaiters: (() => void)[] = []

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.pump()
    })
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch)
      this.inFlight++
      Promise.resolve()
        .then(() => this.run(batch.map((w) => w.item)))
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
          (error) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.inFlight--
          this.pump()
          if (this.inFlight === 0 && this.queue.length === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve())
        })
    }
  }
}
