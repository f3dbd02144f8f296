import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { FastifyBaseLogger } from 'fastify'
import type { Job, jobModel } from './model.js'
import { duplicatesOf } from '../duplicate-key.js'

/** A job to schedule: its business key, type, payload and due time (see JobRunner.schedule). */
export interface JobSpec {
  key: string
  type: string
  payload: Record<string, unknown>
  dueAt: Date
  move?: boolean
  maxAttempts?: number
}

/** What a handler may answer: nothing (done), or "not yet, run me again at …". */
export type JobOutcome = void | { rescheduleAt: Date }
export type JobHandler = (payload: Record<string, unknown>, job: Job) => Promise<JobOutcome>

export interface JobRunnerOptions {
  /** this worker's name in leases; unique per process */
  owner?: string
  leaseMs?: number
  pollMs?: number
  now?: () => Date
  log?: Pick<FastifyBaseLogger, 'error' | 'warn' | 'info'>
}


/**
 * A durable job queue in the database. Any number of processes run it: a job is claimed with a lease (one atomic
 * update), a job whose worker died is taken over when its lease expires, failures retry with exponential backoff,
 * and every job has a business key so scheduling the same work twice keeps one job. Handlers must be idempotent.
 */
export class JobRunner {
  readonly owner: string
  private readonly handlers = new Map<string, JobHandler>()
  private readonly dropWhenDone = new Set<string>()
  private timer: NodeJS.Timeout | null = null
  private running: Promise<unknown> | null = null
  private stopped = true

  constructor(
    private readonly Job: ReturnType<typeof jobModel>,
    private readonly options: JobRunnerOptions = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  }

  private now(): Date {
    return this.options.now?.() ?? new Date()
  }

  /**
   * `dropWhenDone`: a finished job of this type is deleted rather than kept as done — for many short jobs whose
   * effect is recorded elsewhere (a message's push: the message holds its outcome), so the queue stays small.
   */
  register(type: string, handler: JobHandler, options: { dropWhenDone?: boolean } = {}): void {
    this.handlers.set(type, handler)
    if (options.dropWhenDone) this.dropWhenDone.add(type)
    else this.dropWhenDone.delete(type)
  }

  /**
   * Schedules a job under its business key. An existing queued job with the key keeps its place unless `dueAt` is
   * given with `move: true`, which moves it (a delivery moves the confirmation date); done jobs are left alone.
   */
  async schedule(key: string, type: string, payload: Record<string, unknown>, dueAt: Date, options: { move?: boolean; maxAttempts?: number } = {}): Promise<void> {
    await this.scheduleMany([{ key, type, payload, dueAt, ...options }])
  }

  /** Schedules several jobs in one write (see schedule). */
  async scheduleMany(jobs: JobSpec[]): Promise<void> {
    if (jobs.length === 0) return
    const fresh = ({ key, type, maxAttempts }: JobSpec) => ({ key, type, state: 'queued', attempts: 0, maxAttempts: maxAttempts ?? 10 })
    const moves = jobs.filter((j) => j.move)
    const inserts = jobs.filter((j) => !j.move)
    // move: update the queued job, or create it; a done or running job with the key makes the insert a duplicate,
    // which leaves it alone
    if (moves.length > 0) {
      const ops = moves.map((j) => ({ updateOne: { filter: { _id: j.key, state: 'queued' }, update: { $set: { dueAt: j.dueAt, payload: j.payload }, $setOnInsert: fresh(j) }, upsert: true } }))
      await duplicatesOf(() => this.Job.bulkWrite(ops as never, { ordered: false }))
    }
    // the others: inserted where no job has the key (a duplicate is a job already scheduled, kept as it is)
    if (inserts.length > 0) {
      const now = this.now()
      const docs = inserts.map((j) => ({ _id: j.key, ...fresh(j), dueAt: j.dueAt, payload: j.payload, leaseOwner: null, leaseToken: null, leaseUntil: null, lastError: null, doneAt: null, createdAt: now, updatedAt: now }))
      await duplicatesOf(() => this.Job.collection.insertMany(docs as never[], { ordered: false }))
    }
  }

  /** Claims the next due job (or one whose lease expired), runs it, and records the outcome. False when none was due. */
  async runOnce(): Promise<boolean> {
    return (await this.runBatch(1)) > 0
  }

  /**
   * Claims up to `max` due jobs (or ones whose lease expired) — the due ones' ids in one query, then one command of
   * conditional updates by id that lease those still claimable to this worker under a token of this claim — and runs
   * them one after another.
   * Before each job its lease is renewed if need be (a conditional update on the token): a job whose lease ran out while the
   * batch worked, and that another worker took, is skipped, never run twice at once (renewed once a quarter of the
   * lease has passed since the claim; before that no one else can have taken it). Claiming a batch keeps the
   * worker's cost per job low however many jobs wait (a database without an index for the claim scans them once per
   * batch, not once per job). Answers how many ran.
   */
  async runBatch(max = DEFAULT_BATCH): Promise<number> {
    const now = this.now()
    const leaseMs = this.options.leaseMs ?? 60_000
    const claimable = (at: Date): Record<string, unknown> => ({
      // only the types this worker can run: a process without a handler leaves the job to one that has it
      type: { $in: [...this.handlers.keys()] },
      $or: [
        { state: 'queued', dueAt: { $lte: at } },
        { state: 'running', leaseUntil: { $lte: at } },
      ],
    })
    const due = await this.Job.find(claimable(now), { _id: 1 }).sort({ dueAt: 1 }).limit(max).lean()
    if (due.length === 0) return 0
    const token = randomBytes(6).toString('hex')
    // one conditional update per job, by id (in one command): each takes the job only if it is still claimable
    await this.Job.bulkWrite(
      due.map((j) => ({
        updateOne: {
          filter: { _id: j._id, ...claimable(now) },
          update: { $set: { state: 'running', leaseOwner: this.owner, leaseToken: token, leaseUntil: new Date(now.getTime() + leaseMs) }, $inc: { attempts: 1 } },
        },
      })) as never,
      { ordered: false },
    )
    const claimed = (await this.Job.find({ _id: { $in: due.map((j) => j._id) } }).lean<Job[]>())
      .filter((j) => j.leaseToken === token && j.leaseOwner === this.owner && j.state === 'running')
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
    let ran = 0
    for (const job of claimed) {
      // a quarter of the lease gone since the claim: renew it first, if this claim still holds it
      if (this.now().getTime() - now.getTime() > leaseMs / 4) {
        const renewed = await this.Job.updateOne(
          { _id: job._id, leaseOwner: this.owner, leaseToken: token, state: 'running' },
          { $set: { leaseUntil: new Date(this.now().getTime() + leaseMs) } },
        )
        if (renewed.matchedCount === 0) continue
      }
      await this.execute(job, token)
      ran++
    }
    return ran
  }

  /** Runs one claimed job and records its outcome (done, rescheduled, or failed with backoff). */
  private async execute(job: Job, token: string): Promise<void> {
    const handler = this.handlers.get(job.type)
    const mine = { _id: job._id, leaseOwner: this.owner, leaseToken: token, state: 'running' as const }
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`)
      const outcome = await handler((job.payload ?? {}) as Record<string, unknown>, job)
      if (outcome && 'rescheduleAt' in outcome) {
        await this.Job.updateOne(mine, { $set: { state: 'queued', dueAt: outcome.rescheduleAt, leaseOwner: null, leaseToken: null, leaseUntil: null, attempts: 0 } })
      } else {
        if (this.dropWhenDone.has(job.type)) await this.Job.deleteOne(mine)
        else await this.Job.updateOne(mine, { $set: { state: 'done', doneAt: this.now(), leaseOwner: null, leaseToken: null, leaseUntil: null, lastError: null } })
      }
    } catch (error) {
      const attempts = job.attempts ?? 1
      const failed = attempts >= (job.maxAttempts ?? 10)
      this.options.log?.warn({ err: error, job: job.key, attempts }, failed ? 'job failed for good' : 'job failed, will retry')
      await this.Job.updateOne(mine, {
        $set: {
          state: failed ? 'failed' : 'queued',
          dueAt: new Date(this.now().getTime() + backoffMs(attempts)),
          lastError: (error as Error).message ?? String(error),
          leaseOwner: null,
          leaseToken: null,
          leaseUntil: null,
        },
      })
    }
  }

  /** Runs due jobs until none is left (at most `limit`); answers how many ran. */
  async drain(limit = 10_000): Promise<number> {
    let count = 0
    for (let ran = -1; count < limit && ran !== 0; count += ran) ran = await this.runBatch(Math.min(DEFAULT_BATCH, limit - count))
    return count
  }

  /** Drops finished jobs done before `before`: their effects are keyed elsewhere, so dropping them is safe. */
  async purgeDone(before: Date): Promise<number> {
    return (await this.Job.deleteMany({ state: 'done', doneAt: { $lt: before } })).deletedCount
  }

  /** Jobs of these types that are queued, running or failed (for status pages and tests). */
  async unfinished(types: string[]): Promise<Job[]> {
    return this.Job.find({ type: { $in: types }, state: { $ne: 'done' } }).lean<Job[]>()
  }

  /** Jobs of any type that failed for good or keep failing (`minAttempts` or more), oldest first (reconcile). */
  async troubled(minAttempts = 3, limit = 200): Promise<Job[]> {
    return this.Job.find({ $or: [{ state: 'failed' }, { state: { $ne: 'done' }, attempts: { $gte: minAttempts } }] })
      .sort({ dueAt: 1 })
      .limit(limit)
      .lean<Job[]>()
  }

  /** Polls for due jobs every `pollMs` until stop(). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    const tick = async () => {
      if (this.stopped) return
      this.running = this.drain(100).catch((error) => this.options.log?.error({ err: error }, 'job runner tick failed'))
      await this.running
      this.running = null
      if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 1000)
    }
    this.timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
  }
}

/** Jobs one claim takes at most. */
const DEFAULT_BATCH = 100

/** 2 s, 4 s, 8 s … capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(3_600_000, 1000 * 2 ** Math.max(1, attempts))
}
