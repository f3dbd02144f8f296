import fp from 'fastify-plugin'
import { Types } from 'mongoose'
import { duplicatesOf } from '../duplicate-key.js'
import type { JobRunner, JobSpec } from '../jobs/runner.js'
import { domainEventModel } from './model.js'
import routes from './routes.js'

/** A domain event as written and as consumers receive it. */
export interface DomainEvent {
  /** the business key of the change that caused it: unique */
  key: string
  type: string
  memberId: Types.ObjectId | null
  payload: Record<string, unknown>
  at: Date
}

/** A domain event as a writer hands it over (`_id` = key, as the ledger's pending ops keep it). */
export type DomainEventInput = Omit<DomainEvent, 'memberId'> & { _id?: string; memberId?: Types.ObjectId | string | null }

export interface ConsumerContext {
  /** `${consumer}:${event key}` — the business key the handler's effects carry, so a second delivery changes nothing */
  key: string
  attempt: number
}

export type ConsumerHandler = (event: DomainEvent, context: ConsumerContext) => Promise<void>

export interface ConsumerStatus {
  consumer: string
  types: string[]
  /** deliveries waiting, being handled or backing off after a failure */
  queued: number
  /** deliveries that failed every attempt: they wait for an operator */
  failed: number
  /** the latest failures, with their attempts and error */
  problems: { eventKey: string; state: string; attempts: number; lastError: string | null }[]
}

const JOB_PREFIX = 'event:'
const CONSUMER_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/

/**
 * Domain events and their consumers. A module registers a named consumer for event types; writing an event first
 * schedules one delivery job per consumer of its type (keyed `event:{consumer}:{event key}`), then records the event.
 * The job queue does the rest: every delivery runs at least once, in any process, is taken over if its worker dies
 * (lease), retried with backoff when the handler throws, and left `failed` (visible in status()) after its attempts
 * — without holding back other events or consumers. Nothing reads the log by position, so an event inserted "late"
 * by another process can't be skipped. Handlers make their effects idempotent with `context.key`.
 */
export class DomainEvents {
  private readonly consumers = new Map<string, { types: Set<string>; maxAttempts: number }>()

  constructor(
    private readonly DomainEvent: ReturnType<typeof domainEventModel>,
    private readonly jobs: JobRunner,
    private readonly now: () => Date,
  ) {}

  /** Registers a consumer (once per process, at start-up, before any event is written). */
  consume(name: string, types: string[], handler: ConsumerHandler, options: { maxAttempts?: number } = {}): void {
    if (!CONSUMER_NAME.test(name)) throw new Error(`consumer name ${name} must be lowercase words joined by . or -`)
    if (this.consumers.has(name)) throw new Error(`consumer ${name} is registered twice`)
    this.consumers.set(name, { types: new Set(types), maxAttempts: options.maxAttempts ?? 20 })
    this.jobs.register(`${JOB_PREFIX}${name}`, async (payload, job) => {
      const event = fromPayload(payload.event as Record<string, unknown>)
      await handler(event, { key: `${name}:${event.key}`, attempt: job.attempts ?? 1 })
    })
  }

  /** The consumers registered for a type. */
  consumersOf(type: string): string[] {
    return [...this.consumers].filter(([, c]) => c.types.has(type)).map(([name]) => name)
  }

  async write(event: DomainEventInput): Promise<void> {
    await this.writeMany([event])
  }

  /**
   * Writes events, each once: their deliveries first (so a crash in between leaves an event delivered, and the
   * writer's retry records it), then the events. `checkFirst` leaves out the events already recorded, deliveries
   * and all (cheaper than rejected writes when most exist already, as when finishing a crashed change). Without it,
   * a repeated event's deliveries are scheduled again: harmless while its delivery jobs exist (the same keys), a
   * second delivery once they have been purged — handlers are idempotent by their delivery key either way.
   */
  async writeMany(events: DomainEventInput[], options: { checkFirst?: boolean } = {}): Promise<void> {
    if (events.length === 0) return
    const docs = events.map((e) => ({
      _id: e.key,
      key: e.key,
      type: e.type,
      memberId: e.memberId ? new Types.ObjectId(e.memberId) : null,
      payload: e.payload,
      at: e.at,
    }))
    let fresh = docs
    if (options.checkFirst) {
      // an event already recorded had its deliveries scheduled before it was: scheduling them again could deliver
      // it twice, once its done delivery jobs have been purged
      const existing = new Set((await this.DomainEvent.find({ _id: { $in: docs.map((d) => d._id) } }, { _id: 1 }).lean()).map((d) => String(d._id)))
      fresh = docs.filter((d) => !existing.has(d._id))
    }
    if (fresh.length === 0) return
    const dueAt = this.now()
    const deliveries: JobSpec[] = fresh.flatMap((doc) =>
      this.consumersOf(doc.type).map((name) => ({
        key: `${JOB_PREFIX}${name}:${doc.key}`,
        type: `${JOB_PREFIX}${name}`,
        payload: { event: doc },
        dueAt,
        maxAttempts: this.consumers.get(name)!.maxAttempts,
      })),
    )
    await this.jobs.scheduleMany(deliveries)
    await duplicatesOf(() => this.DomainEvent.collection.insertMany(fresh as never[], { ordered: false }))
  }

  /** A member's events, newest first. */
  async ofMember(memberId: string | Types.ObjectId, limit = 50): Promise<DomainEvent[]> {
    return this.DomainEvent.find({ memberId: new Types.ObjectId(memberId) }).sort({ at: -1 }).limit(limit).lean<DomainEvent[]>()
  }

  /**
   * Delivers a type's events recorded since `since` to a consumer added after they were written (a new module on
   * an existing database). Deliveries already made are not repeated (their jobs exist, done or not).
   */
  async backfill(name: string, since: Date): Promise<number> {
    const consumer = this.consumers.get(name)
    if (!consumer) throw new Error(`no consumer ${name}`)
    let count = 0
    const cursor = this.DomainEvent.find({ type: { $in: [...consumer.types] }, at: { $gte: since } }).lean().cursor()
    let batch: JobSpec[] = []
    const flush = async () => {
      await this.jobs.scheduleMany(batch)
      count += batch.length
      batch = []
    }
    for await (const doc of cursor) {
      batch.push({ key: `${JOB_PREFIX}${name}:${doc._id}`, type: `${JOB_PREFIX}${name}`, payload: { event: doc }, dueAt: this.now(), maxAttempts: consumer.maxAttempts })
      if (batch.length >= 500) await flush()
    }
    await flush()
    return count
  }

  /** Each consumer's unfinished deliveries: how many wait, how many failed for good, and the latest problems. */
  /**
   * The events a consumer has not handled yet (queued, retrying or failed): reconciliation leaves what they will
   * change alone until they are handled.
   */
  async pending(name: string): Promise<DomainEvent[]> {
    const jobs = await this.jobs.unfinished([`${JOB_PREFIX}${name}`])
    return jobs.map((j) => fromPayload((j.payload as { event: Record<string, unknown> }).event))
  }

  async status(): Promise<ConsumerStatus[]> {
    const names = [...this.consumers.keys()]
    const unfinished = await this.jobs.unfinished(names.map((n) => `${JOB_PREFIX}${n}`))
    return names.map((name) => {
      const mine = unfinished.filter((j) => j.type === `${JOB_PREFIX}${name}`)
      return {
        consumer: name,
        types: [...this.consumers.get(name)!.types],
        queued: mine.filter((j) => j.state !== 'failed').length,
        failed: mine.filter((j) => j.state === 'failed').length,
        problems: mine
          .filter((j) => j.lastError)
          .slice(0, 20)
          .map((j) => ({ eventKey: j.key.slice(`${JOB_PREFIX}${name}:`.length), state: j.state, attempts: j.attempts ?? 0, lastError: j.lastError ?? null })),
      }
    })
  }
}

function fromPayload(raw: Record<string, unknown>): DomainEvent {
  return {
    key: String(raw.key ?? raw._id),
    type: String(raw.type),
    memberId: raw.memberId ? new Types.ObjectId(String(raw.memberId)) : null,
    payload: (raw.payload as Record<string, unknown>) ?? {},
    at: new Date(raw.at as string | Date),
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    events: DomainEvents
  }
}

export default fp(
  async (app) => {
    const { DomainEvent } = await app.db.register({ DomainEvent: domainEventModel(app.db.connection) })
    app.decorate('events', new DomainEvents(DomainEvent, app.jobs, app.now))
    await app.register(routes, { prefix: '/api/admin' })
  },
  { name: 'events', dependencies: ['database', 'jobs', 'clock', 'auth'] },
)
