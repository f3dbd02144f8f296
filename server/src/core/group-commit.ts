export interface GroupCommitOptions {
  /** the most items one run takes */
  maxBatch: number
  /** how many runs may be under way at once (see `admit`) */
  maxInFlight: number
  /**
   * the fewest items a run must get for the waiting items to be shared with another run rather than go in one (a
   * run has a cost of its own, whatever its size: two small runs at once cost more than one twice as big); default 1
   */
  minShare?: number
}

/**
 * A run of items: answers each item's result, in order. With `maxInFlight` above 1, another run starts only once this
 * one calls `admit` (a run that never calls it holds the next one until it ends): a run admits the next when it is
 * done with what should not overlap — typically its reads — so runs form a pipeline (one reads while another
 * writes) rather than doing the same thing at the same moment.
 */
export type GroupRun<T, R> = (items: T[], admit: () => void) => Promise<R[]>

interface Waiting<T, R> {
  item: T
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

interface Running {
  size: number
  admitted: boolean
}

/**
 * Group commit: callers submit one item each and wait for its own result, while the items that arrive as a run is
 * under way go together in the next run. When idle, an item runs at once, alone; under load, runs grow and each
 * costs about as many database commands as one item would. A run that throws fails every item in it.
 * (Hand-written: DataLoader batches only within one tick, which concurrent HTTP requests never share.)
 *
 * The items that arrive together — the callers of a run that just ended asking again — are gathered before the next
 * run starts (the start waits for the event loop's next turn, not for the first of them). With `maxInFlight` above
 * 1, the items waiting are shared between the runs: with nothing under way, the first run takes its share (all of them
 * when the shares would be below `minShare`) and leaves the rest to the next, which starts once it is admitted; while
 * runs are under way, another starts only with at least `minShare` items and half as many as the largest of them
 * holds — fewer wait, and go with the next ones (a run of one beside a run of thirty would keep the two lopsided).
 */
export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = []
  private readonly running = new Set<Running>()
  private scheduled = false
  private readonly idleWaiters: (() => void)[] = []

  constructor(
    private readonly run: GroupRun<T, R>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const idle = this.running.size === 0 && this.queue.length === 0 && !this.scheduled
      this.queue.push({ item, resolve, reject })
      if (idle) this.pump()
      else this.schedule()
    })
  }

  /**
   * Whether items are waiting for a run, or another run than the caller's is under way: a run asking this from inside
   * learns whether more work follows it (and so whether what it can do after answering should wait for later).
   */
  othersWaiting(): boolean {
    return this.queue.length > 0 || this.running.size > 1
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Pumps on the event loop's next turn, once the items arriving together have all been submitted. */
  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.pump()
    })
  }

  private pump(): void {
    const { maxBatch, maxInFlight } = this.options
    const minShare = Math.max(1, this.options.minShare ?? 1)
    while (this.queue.length > 0 && this.running.size < maxInFlight && [...this.running].every((r) => r.admitted)) {
      let size = this.queue.length
      if (this.running.size === 0) {
        // nothing under way: this run's share, the rest for the runs that may follow it — unless the shares would be
        // smaller than `minShare`: then all in this one
        const share = Math.ceil(this.queue.length / maxInFlight)
        if (share >= minShare) size = share
      } else if (this.queue.length < minShare || this.queue.length * 2 < Math.max(...[...this.running].map((r) => r.size))) {
        break
      }
      this.start(this.queue.splice(0, Math.min(maxBatch, size)))
    }
    if (this.running.size === 0 && this.queue.length === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve())
  }

  private start(batch: Waiting<T, R>[]): void {
    const entry: Running = { size: batch.length, admitted: false }
    this.running.add(entry)
    const admit = () => {
      if (entry.admitted) return
      entry.admitted = true
      this.schedule()
    }
    Promise.resolve()
      .then(() => this.run(batch.map((w) => w.item), admit))
      .then(
        (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
        (error) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        this.running.delete(entry)
        // the callers just answered may ask again in a moment: gather them before the next run
        this.schedule()
      })
  }
}
