import {
  type CouponUseResult,
  ShopEventDataSchemas,
  ShopEventSchema,
  type MemberRef,
  type ShopEvent,
  type ShopEventResult,
  type ShopEventStatus,
} from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Types } from 'mongoose'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ValidationFailed } from '../../core/errors.js'
import { reportedTime } from '../../core/times.js'
import { duplicatesOf } from '../../core/duplicate-key.js'
import { compileCheck, describeFirstError } from '../../core/strict-input.js'
import type { DomainEventInput, DomainEvents } from '../../core/events/index.js'
import { GroupCommit } from '../../core/group-commit.js'
import { backoffMs } from '../../core/jobs/runner.js'
import { checkMemberRef, memberRefKey } from '../members/repository.js'
import { keyPart, orderEventKey } from '../loyalty/keys.js'
import { newLeaseOwner, leaseFields, type FactMerge, type OrderService, type SettleOutcome } from '../loyalty/orders.js'
import type { ShopModels } from './models.js'

/** The envelope (eventId, type, occurredAt, data.orderId), then the data by type. */
const envelopeCheck = compileCheck(ShopEventSchema)
const dataChecks = new Map<string, { schema: TSchema; check: TypeCheck<TSchema> }>(
  Object.entries(ShopEventDataSchemas).map(([type, schema]) => [type, { schema, check: compileCheck(schema as TSchema) }]),
)

/** A batch route's answer for an event that failed validation. */
export interface Rejection {
  eventId: string
  status: 'rejected'
  code: string
  message: string
}

/** An accepted event waiting to be applied. */
interface Queued {
  event: ShopEvent
  receivedAt: Date
}

/** Events applied together at most. */
const MAX_BATCH = 100

/** The share of time applying takes while events keep arriving. */
const APPLY_SHARE_UNDER_LOAD = 0.25

export const APPLY_QUEUED_JOB = 'shop.apply-queued'

/**
 * Shop events in. Accepting an event records it durably (the queue) and answers at once; applying it — merging its
 * facts into the order, settling the order, recording it in shop_events — follows within moments, in batches: the
 * events that arrive while one batch is being applied go together in the next, so a batch costs about as many
 * database commands as one event. An event stays queued until it is applied, so nothing accepted is lost when a
 * process dies: the recovery job applies what was left behind, and retries failures with backoff. A replay of an
 * event already accepted changes nothing and says so.
 */
export class ShopEventService {
  private lastAcceptAt = 0
  /** events handed to the applier and not yet through it (the recovery job leaves them alone) */
  private readonly inHand = new Set<string>()
  private readonly acceptor = new GroupCommit<ShopEvent, ShopEventResult | Error>((events) => this.record(events), { maxBatch: 500, maxInFlight: 1 })
  private readonly applier = new GroupCommit<Queued, void>((events) => this.applyQueued(events), { maxBatch: MAX_BATCH, maxInFlight: 1 })

  constructor(
    private readonly models: ShopModels,
    private readonly orders: OrderService,
    private readonly events: DomainEvents,
    private readonly now: () => Date,
    private readonly log?: Pick<FastifyBaseLogger, 'warn' | 'error'>,
    /** names the member of an order not settled yet (order.created's domain event carries the member when known) */
    private readonly members?: { findManyByRefKeys(refKeys: string[]): Promise<Map<string, { _id: Types.ObjectId }>> },
    /** what became of the coupon codes an order.paid carried (the coupons module), for the event's status */
    private readonly couponUses?: (orderId: string) => Promise<CouponUseResult[]>,
  ) {}

  /**
   * Checks an event — the envelope, then the data against its type's schema — and answers it as it will be stored:
   * only the fields the schemas know (unknown fields are ignored, and never stored: a `$`-prefixed or dotted key the
   * database refuses cannot reach it). Throws 400 naming the first wrong field.
   */
  validate(input: unknown): ShopEvent {
    if (!envelopeCheck.Check(input)) throw new ValidationFailed(describeFirstError(envelopeCheck.Errors(input), '', 'the event'))
    const { schema, check } = dataChecks.get(input.type)!
    if (!check.Check(input.data)) throw new ValidationFailed(describeFirstError(check.Errors(input.data), 'data'))
    // in place: a copy would walk the unknown fields too, which may nest without end
    const data = Value.Clean(schema, input.data) as ShopEvent['data']
    // a member named only by fields we do not know is no member
    checkMemberRef((data as { member?: Record<string, unknown> }).member)
    // what is left must still be a whole event
    if (!check.Check(data)) throw new ValidationFailed(describeFirstError(check.Errors(data), 'data'))
    checkLineIds(input.type, data as { lines?: { lineId: string }[] })
    checkTimes(input.type, input.occurredAt, data as Record<string, unknown>, this.now())
    return { eventId: input.eventId, type: input.type, occurredAt: input.occurredAt, data }
  }

  /**
   * One event (the webhook): throws 400 if invalid; answers once it is recorded. Events accepted at the same moment
   * are recorded together (one insert and one read for all of them); one that cannot be recorded fails alone.
   */
  async accept(input: unknown): Promise<ShopEventResult> {
    const result = await this.acceptor.submit(this.validate(input))
    if (result instanceof Error) throw result
    return result
  }

  /** Many events (the batch route, the import): each answers like a single event, or `rejected` if invalid. */
  async acceptMany(events: unknown[]): Promise<(ShopEventResult | Rejection)[]> {
    const results: (ShopEventResult | Rejection)[] = new Array(events.length)
    const valid: { index: number; event: ShopEvent }[] = []
    events.forEach((input, index) => {
      try {
        valid.push({ index, event: this.validate(input) })
      } catch (error) {
        const e = error as { code?: string; message: string }
        results[index] = { eventId: eventIdOf(input), status: 'rejected', code: e.code ?? 'VALIDATION_FAILED', message: e.message }
      }
    })
    const recorded = await this.record(valid.map((v) => v.event))
    valid.forEach(({ index, event }, k) => {
      const result = recorded[k]!
      results[index] = result instanceof Error ? { eventId: event.eventId, status: 'rejected', code: 'INTERNAL', message: 'it could not be recorded; send it again' } : result
    })
    return results
  }

  /**
   * Records valid events in the queue and hands the new ones to the applier. A replay is either still queued (the
   * insert hits its key) or already applied, that is recorded in shop_events — which applying does before taking
   * the event off the queue, so one of the two checks always sees it. The first copy of an event in the list counts.
   * An event the database refuses answers its own error; the others are recorded all the same.
   */
  private async record(events: ShopEvent[]): Promise<(ShopEventResult | Error)[]> {
    const fresh = [...firstCopies(events, (e) => e.eventId).values()]
    if (fresh.length === 0) return []
    const receivedAt = this.now()
    const queued = fresh.map((event) => ({ _id: event.eventId, event, receivedAt, attempts: 0, lastError: null, retryAt: null }))
    const { duplicates, failed } = await writeOutcomes(() => this.models.ShopEventQueue.collection.insertMany(queued as never[], { ordered: false }))
    const failures = new Map([...failed].map(([k, error]) => [fresh[k]!.eventId, error]))
    if (failures.size > 0) this.log?.error({ err: [...failures.values()][0], eventIds: [...failures.keys()] }, 'shop events could not be recorded')
    const inserted = fresh.filter((_, k) => !duplicates.has(k) && !failed.has(k))
    const ids = { _id: { $in: inserted.map((e) => e.eventId) } }
    const applied = new Set(inserted.length === 0 ? [] : (await this.models.ShopEvent.find(ids, { _id: 1 }).lean()).map((d) => String(d._id)))
    if (applied.size > 0) await this.models.ShopEventQueue.deleteMany({ _id: { $in: [...applied] } })
    this.apply(inserted.filter((e) => !applied.has(e.eventId)).map((event) => ({ event, receivedAt })))
    const accepted = new Set(inserted.filter((e) => !applied.has(e.eventId)))
    return events.map((event) => {
      const failure = failures.get(event.eventId)
      if (failure) return failure
      const status = accepted.delete(event) ? ('accepted' as const) : ('duplicate' as const)
      return { eventId: event.eventId, status }
    })
  }

  /**
   * Where an event stands: queued (with its failed attempts), applied or parked; null if never accepted. An applied
   * or parked event that reported a fact in an impossible order (delivered before paid…) says so.
   */
  async status(eventId: string): Promise<ShopEventStatus | null> {
    const [recorded, queued] = await Promise.all([
      this.models.ShopEvent.findById(eventId, { state: 1, orderId: 1, type: 1 }).lean(),
      this.models.ShopEventQueue.findById(eventId, { attempts: 1, lastError: 1 }).lean(),
    ])
    if (recorded) {
      const anomalies = recorded.orderId ? (await this.orders.anomalies(recorded.orderId)).filter((a) => a.eventId === eventId) : []
      const coupons = recorded.type === 'order.paid' && recorded.orderId && this.couponUses ? await this.couponUses(recorded.orderId) : []
      return {
        eventId,
        status: recorded.state as 'applied' | 'parked',
        ...(anomalies.length > 0 ? { anomalies: anomalies.map((a) => ({ kind: a.kind, at: a.at.toISOString(), usedAt: a.usedAt.toISOString() })) } : {}),
        ...(coupons.length > 0 ? { coupons } : {}),
      }
    }
    if (queued) return { eventId, status: 'queued', attempts: queued.attempts, lastError: queued.lastError ?? null }
    return null
  }

  /**
   * Events that look stuck (reconcile): queued and failed at least once, or still queued `olderThanMs` after they
   * were received (nothing applied them). Answers at most `limit`, oldest first.
   */
  async stuck(olderThanMs = 10 * 60_000, limit = 100): Promise<{ eventId: string; receivedAt: Date; attempts: number; lastError: string | null }[]> {
    const before = new Date(this.now().getTime() - olderThanMs)
    const docs = await this.models.ShopEventQueue.find(
      { $or: [{ attempts: { $gt: 0 } }, { lastError: { $ne: null } }, { receivedAt: { $lte: before } }] },
      { receivedAt: 1, attempts: 1, lastError: 1 },
    )
      .sort({ receivedAt: 1 })
      .limit(limit)
      .lean()
    return docs.map((d) => ({ eventId: String(d._id), receivedAt: d.receivedAt, attempts: d.attempts ?? 0, lastError: d.lastError ?? null }))
  }

  /** Events parked for want of a member whose orders have now been settled (the member appeared): applied now. */
  async markAdopted(orderIds: string[]): Promise<void> {
    await this.models.ShopEvent.updateMany({ orderId: { $in: orderIds }, state: 'parked' }, { $set: { state: 'applied' } })
  }

  /** Resolves once every event this process has accepted so far has been applied (or has failed for now). */
  idle(): Promise<void> {
    return this.applier.idle()
  }

  /**
   * The recovery job: applies queued events that should have been applied by now — accepted by a process that died
   * before applying them, or failed and due for a retry. Answers how many it took up.
   */
  async applyLeftBehind(olderThanMs = 30_000): Promise<number> {
    const now = this.now()
    const due = await this.models.ShopEventQueue.find(
      { receivedAt: { $lte: new Date(now.getTime() - olderThanMs) }, $or: [{ retryAt: null }, { retryAt: { $lte: now } }] },
      { event: 1, receivedAt: 1 },
    )
      .limit(1000)
      .lean()
    const left = due.filter((d) => !this.inHand.has(String(d._id)))
    await Promise.all(left.map((d) => this.submit({ event: d.event as ShopEvent, receivedAt: d.receivedAt })))
    return left.length
  }

  /** Hands accepted events to the applier; it never fails (applyQueued keeps failures queued). */
  private apply(items: Queued[]): void {
    this.lastAcceptAt = Date.now()
    for (const item of items) this.submit(item).catch((error) => this.log?.error({ err: error }, 'applying shop events failed'))
  }

  private async submit(item: Queued): Promise<void> {
    this.inHand.add(item.event.eventId)
    try {
      await this.applier.submit(item)
    } finally {
      this.inHand.delete(item.event.eventId)
    }
  }

  /**
   * Applies queued events and takes them off the queue. A batch that fails is applied again event by event, so one
   * bad event does not hold back the others; an event that fails stays queued with its error and a retry time.
   */
  private async applyQueued(items: Queued[]): Promise<void[]> {
    const started = Date.now()
    await this.applyOrKeep(items)
    // accepting comes first: while events are pouring in, applying takes at most its share of the time, and the
    // shop's calls stay fast; once they stop, the queue is worked off at full speed
    if (Date.now() - this.lastAcceptAt < 200) {
      const took = Date.now() - started
      await new Promise((resolve) => setTimeout(resolve, (took * (1 - APPLY_SHARE_UNDER_LOAD)) / APPLY_SHARE_UNDER_LOAD))
    }
    return items.map(() => undefined)
  }

  private async applyOrKeep(items: Queued[]): Promise<void> {
    try {
      await this.applyBatch(items)
      await this.models.ShopEventQueue.deleteMany({ _id: { $in: items.map((q) => q.event.eventId) } })
    } catch (error) {
      if (items.length > 1) {
        for (const item of items) await this.applyOrKeep([item])
        return
      }
      const eventId = items[0]!.event.eventId
      const queued = await this.models.ShopEventQueue.findOneAndUpdate(
        { _id: eventId },
        { $inc: { attempts: 1 }, $set: { lastError: (error as Error).message ?? String(error) } },
        { returnDocument: 'after' },
      ).lean()
      const attempts = queued?.attempts ?? 1
      await this.models.ShopEventQueue.updateOne({ _id: eventId }, { $set: { retryAt: new Date(this.now().getTime() + backoffMs(attempts)) } })
      this.log?.warn({ err: error, eventId, attempts }, 'shop event not applied; it stays queued and will be retried')
    }
  }

  /**
   * Applies events together: the shop_events check, fact merges, settlement of their orders, order domain events,
   * shop_events records — each one command for the whole batch. The record comes last: a crash before it leaves the
   * event queued, and applying it again changes nothing, since merging facts and settling are idempotent. Copies
   * racing past the check all merge the same facts; the order's lease lets one settle; the record's primary key
   * lets one say "applied".
   */
  private async applyBatch(items: Queued[]): Promise<void> {
    const first = firstCopies(items, (q) => q.event.eventId)
    const seen = new Set((await this.models.ShopEvent.find({ _id: { $in: [...first.keys()] } }, { _id: 1 }).lean()).map((d) => String(d._id)))
    const fresh = [...first.values()].filter((q) => !seen.has(q.event.eventId))
    if (fresh.length === 0) return
    const events = fresh.map((q) => q.event)

    // orders this batch creates are created leased to it, so settling them needn't take the lease in another write
    const owner = newLeaseOwner()
    await this.orders.recordFacts(events.map(factMerge), leaseFields(owner, new Date()))
    const settled = await this.orders.settleMany([...new Set(events.map((e) => e.data.orderId))], owner)
    await this.writeOrderEvents(events, settled)
    await duplicatesOf(() =>
      this.models.ShopEvent.collection.insertMany(
        fresh.map(({ event, receivedAt }) => ({
          _id: event.eventId,
          eventId: event.eventId,
          type: event.type,
          occurredAt: new Date(event.occurredAt),
          orderId: event.data.orderId,
          data: event.data,
          state: settled.get(event.data.orderId)?.result === 'parked' ? 'parked' : 'applied',
          receivedAt,
        })) as never[],
        { ordered: false },
      ),
    )
  }

  /**
   * Order facts become domain events: order.created (payment reminders), order.paid, order.refunded and
   * order.cancelled (messaging, lifecycle, purchase statistics), order.shipped, order.delivered and
   * order.logistics_update (shipping care). Each has a key of its own — order:{orderId}:paid,
   * order:{orderId}:refund:{refundId}, order:{orderId}:cancelled… with the ids encoded (keys.ts) — so a replay, or a
   * second payment report for the same order, writes nothing new.
   */
  private async writeOrderEvents(events: ShopEvent[], settled: Map<string, SettleOutcome>): Promise<void> {
    const at = this.now()
    // an order placed and not paid is not settled: its member, when known, is looked up by the shop's reference
    const unsettledRefs = events
      .filter((e) => e.type === 'order.created' && !settled.get(e.data.orderId)?.memberId)
      .map((e) => memberRefKey((e.data as unknown as { member: MemberRef }).member))
    const known = unsettledRefs.length > 0 && this.members ? await this.members.findManyByRefKeys(unsettledRefs) : new Map<string, { _id: Types.ObjectId }>()
    const docs = events.flatMap((event): DomainEventInput[] => {
      const d = event.data as Record<string, unknown> & { orderId: string }
      const memberId = settled.get(d.orderId)?.memberId ?? (d.member ? (known.get(memberRefKey(d.member as MemberRef))?._id ?? null) : null)
      const doc = (key: string, payload: Record<string, unknown>) => [{ key, type: event.type, memberId, payload: { orderId: d.orderId, ...payload }, at }]
      switch (event.type) {
        case 'order.created':
          return doc(orderEventKey(d.orderId, 'created'), {
            createdAt: factTime(event, d.createdAt),
            channel: d.channel ?? null,
            store: d.store ?? null,
            lines: eventLines(d.lines as OrderLine[]),
          })
        case 'order.paid': {
          const lines = d.lines as OrderLine[]
          return doc(orderEventKey(d.orderId, 'paid'), {
            paidAt: factTime(event, d.paidAt),
            paidFen: lines.reduce((sum, l) => sum + l.paidFen, 0),
            channel: d.channel ?? null,
            store: d.store ?? null,
            advisor: d.advisor ?? null,
            lines: eventLines(lines),
            couponCodes: (d.couponCodes as string[] | undefined) ?? [],
          })
        }
        case 'order.refunded': {
          const refundId = d.refundId as string
          const lines = d.lines as { lineId: string; refundFen: number }[]
          return doc(orderEventKey(d.orderId, `refund:${keyPart(refundId)}`), {
            refundId,
            refundFen: lines.reduce((sum, l) => sum + l.refundFen, 0),
            at: factTime(event, d.refundedAt),
          })
        }
        case 'order.cancelled':
          return doc(orderEventKey(d.orderId, 'cancelled'), { at: factTime(event, d.cancelledAt) })
        case 'order.shipped':
          return doc(orderEventKey(d.orderId, 'shipped'), { carrier: d.carrier, trackingNo: d.trackingNo, at: factTime(event, d.shippedAt) })
        case 'order.delivered':
          return doc(orderEventKey(d.orderId, 'delivered'), { at: factTime(event, d.deliveredAt) })
        case 'order.logistics_update':
          return doc(`shop:${event.eventId}`, logisticsEntry(event))
        default:
          return []
      }
    })
    await this.events.writeMany(docs, { checkFirst: true })
  }
}

/** What a rejected batch item is called in the answer: its eventId when it has a usable one. */
function eventIdOf(input: unknown): string {
  const id = (input as { eventId?: unknown } | null)?.eventId
  return typeof id === 'string' && id.length <= 128 ? id : ''
}

/**
 * Runs an unordered insert and sorts the writes that failed: duplicate keys (already recorded) and others, each
 * with its error, while the rest went through. A failure of the whole command (no per-write errors) is rethrown.
 */
async function writeOutcomes(write: () => Promise<unknown>): Promise<{ duplicates: Set<number>; failed: Map<number, Error> }> {
  try {
    return { duplicates: await duplicatesOf(write), failed: new Map() }
  } catch (error) {
    const found = (error as { writeErrors?: unknown } | null)?.writeErrors
    const writeErrors = (Array.isArray(found) ? found : found ? [found] : []) as { code?: number; index?: number; errmsg?: string; err?: { code?: number; index?: number; errmsg?: string } }[]
    const outcomes = writeErrors.map((e) => ({ code: e.code ?? e.err?.code, index: e.index ?? e.err?.index, message: e.errmsg ?? e.err?.errmsg }))
    if (outcomes.length === 0 || outcomes.some((e) => e.index == null)) throw error
    const duplicates = new Set<number>()
    const failed = new Map<number, Error>()
    for (const o of outcomes) {
      if (o.code === 11000) duplicates.add(o.index!)
      else failed.set(o.index!, new Error(`the event could not be recorded: ${o.message ?? `error ${o.code}`}`))
    }
    return { duplicates, failed }
  }
}

/** The first item with each key, by key, in the order given. */
function firstCopies<T>(items: T[], key: (item: T) => string): Map<string, T> {
  const first = new Map<string, T>()
  for (const item of items) if (!first.has(key(item))) first.set(key(item), item)
  return first
}

/** When a fact happened: the event's own time field, or when the event occurred. */
function factTime(event: ShopEvent, field: unknown): Date {
  return new Date((field as string | undefined) ?? event.occurredAt)
}

function logisticsEntry(event: ShopEvent) {
  const d = event.data as Record<string, unknown>
  return { at: factTime(event, d.at), status: d.status as string, description: (d.description as string | undefined) ?? null }
}

type OrderLine = { lineId: string; sku: string; name: string; quantity: number; paidFen: number; category?: string; listPriceFen?: number }

/** An order line as the order keeps it: the fields the schema knows, category and list price null when not sent. */
function storedLine(l: OrderLine) {
  return { lineId: l.lineId, sku: l.sku, name: l.name, quantity: l.quantity, paidFen: l.paidFen, category: l.category ?? null, listPriceFen: l.listPriceFen ?? null }
}

/** An order's lines as its domain events carry them. */
function eventLines(lines: OrderLine[]) {
  return lines.map((l) => ({ lineId: l.lineId, sku: l.sku, category: l.category ?? null, quantity: l.quantity, paidFen: l.paidFen }))
}

/** The order fact an event reports, as a merge that applies once whatever the arrival order. */
function factMerge(event: ShopEvent): FactMerge {
  const d = event.data as Record<string, unknown> & { orderId: string; member?: MemberRef }
  const orderId = d.orderId
  const ref = d.member ? { memberRef: memberRefKey(d.member) } : {}
  const merge = (missing: Record<string, unknown>, update: Record<string, unknown>): FactMerge => ({ orderId, missing, update })
  switch (event.type) {
    case 'order.paid': {
      const lines = (d.lines as OrderLine[]).map(storedLine)
      // the first payment report wins; a conflicting second one for the same order is ignored
      return merge(
        { paid: null },
        { $set: { paid: { at: factTime(event, d.paidAt), channel: d.channel ?? null, store: d.store ?? null, advisor: d.advisor ?? null, lines, eventId: event.eventId }, ...ref } },
      )
    }
    case 'order.created': {
      // an order placed, not paid: kept for payment reminders; settlement looks only at the payment
      const lines = (d.lines as OrderLine[]).map(storedLine)
      return merge(
        { created: null },
        { $set: { created: { at: factTime(event, d.createdAt), channel: d.channel ?? null, store: d.store ?? null, lines } }, $setOnInsert: ref },
      )
    }
    case 'order.shipped':
      return merge(
        { shipped: null },
        { $set: { shipped: { at: factTime(event, d.shippedAt), carrier: d.carrier, trackingNo: d.trackingNo, eventId: event.eventId } }, $setOnInsert: ref },
      )
    case 'order.logistics_update': {
      const entry = logisticsEntry(event)
      return merge({ 'logistics.at': { $ne: entry.at } }, { $push: { logistics: entry }, $setOnInsert: ref })
    }
    case 'order.delivered':
      return merge({ deliveredAt: null }, { $set: { deliveredAt: factTime(event, d.deliveredAt), deliveredEventId: event.eventId }, $setOnInsert: ref })
    case 'order.refunded': {
      const refund = { refundId: d.refundId as string, at: factTime(event, d.refundedAt), eventId: event.eventId, lines: d.lines as { lineId: string; refundFen: number }[] }
      return merge({ 'refunds.refundId': { $ne: refund.refundId } }, { $push: { refunds: refund }, $setOnInsert: ref })
    }
    case 'order.cancelled':
      return merge({ cancelledAt: null }, { $set: { cancelledAt: factTime(event, d.cancelledAt), cancelledEventId: event.eventId }, $setOnInsert: ref })
  }
}


/** 400 naming the line ids an order (or a refund) repeats: each line is settled, and reversed, by its id. */
function checkLineIds(type: ShopEvent['type'], data: { lines?: { lineId: string }[] }): void {
  if (type !== 'order.paid' && type !== 'order.created' && type !== 'order.refunded') return
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const { lineId } of data.lines ?? []) (seen.has(lineId) ? repeated : seen).add(lineId)
  if (repeated.size === 0) return
  const named = [...repeated].slice(0, 5).map((id) => JSON.stringify(id)).join(', ')
  throw new ValidationFailed(
    type !== 'order.refunded'
      ? `data.lines: line ids repeat (${named}); each line of an order needs its own lineId`
      : `data.lines: line ids repeat (${named}); a refund names each line once, with the amount refunded on it`,
  )
}

/** The time fields of each event type (besides occurredAt). */
const TIME_FIELDS: Record<ShopEvent['type'], string[]> = {
  'order.created': ['createdAt'],
  'order.paid': ['paidAt'],
  'order.shipped': ['shippedAt'],
  'order.logistics_update': ['at'],
  'order.delivered': ['deliveredAt'],
  'order.refunded': ['refundedAt'],
  'order.cancelled': ['cancelledAt'],
}

/** 400 for a time of the event that names no real instant or lies outside the plausible range (core/times.ts). */
function checkTimes(type: ShopEvent['type'], occurredAt: string, data: Record<string, unknown>, now: Date): void {
  const fields: [string, unknown][] = [['occurredAt', occurredAt], ...TIME_FIELDS[type].map((f): [string, unknown] => [`data.${f}`, data[f]])]
  for (const [path, value] of fields) if (typeof value === 'string') reportedTime(path, value, now)
}

