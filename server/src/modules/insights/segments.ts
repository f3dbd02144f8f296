import {
  ascendingRange,
  inRange,
  intersectRange,
  recencyRange,
  RFM_THRESHOLDS,
  shanghaiDayNumber,
  startOfShanghaiDayNumber,
  type CreateSegment,
  type LifecycleStage,
  type Range,
  type Segment,
  type SegmentFilter,
  type SegmentMembersPage,
} from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { NotFound, ValidationFailed } from '../../core/errors.js'
import type { MemberOrders } from '../loyalty/member-orders.js'
import { maskPhone } from '../members/profile.js'
import type { MemberRepository } from '../members/repository.js'
import type { MessageAudience } from '../messaging/audience.js'
import type { InsightsModels, SegmentDoc } from './models.js'

const DAY_MS = 86_400_000

export interface SegmentsDeps {
  models: InsightsModels
  members: MemberRepository
  orders: MemberOrders
  audience: MessageAudience
  audit: AuditLog
  now: () => Date
}

/** What a segment reads of a member's lifecycle document (none: a prospect with nothing bought). */
interface LifecycleFacts {
  stage: LifecycleStage
  lastPurchaseAt: Date | null
  purchases12m: number
  amount12mFen: number
}

const BLANK: LifecycleFacts = { stage: 'prospect', lastPurchaseAt: null, purchases12m: 0, amount12mFen: 0 }

/** The lifecycle part of a filter, its ranges merged with the RFM scores'. */
interface LifecycleCondition {
  stages: Set<LifecycleStage> | null
  days: Range | undefined
  purchases: Range | undefined
  amount: Range | undefined
}

function lifecycleCondition(filter: SegmentFilter): LifecycleCondition | null {
  const condition: LifecycleCondition = {
    stages: filter.stages ? new Set(filter.stages) : null,
    days: intersectRange(filter.daysSinceLastPurchase, filter.rfm?.r ? recencyRange(filter.rfm.r) : undefined),
    purchases: intersectRange(filter.purchases12m, filter.rfm?.f ? ascendingRange(RFM_THRESHOLDS.frequency, filter.rfm.f) : undefined),
    amount: intersectRange(filter.amount12mFen, filter.rfm?.m ? ascendingRange(RFM_THRESHOLDS.monetaryFen, filter.rfm.m) : undefined),
  }
  return condition.stages || condition.days || condition.purchases || condition.amount ? condition : null
}

function holds(condition: LifecycleCondition, facts: LifecycleFacts, today: number): boolean {
  if (condition.stages && !condition.stages.has(facts.stage)) return false
  if (condition.days) {
    if (!facts.lastPurchaseAt || !inRange(today - shanghaiDayNumber(facts.lastPurchaseAt), condition.days)) return false
  }
  return inRange(facts.purchases12m, condition.purchases) && inRange(facts.amount12mFen, condition.amount)
}

/** The lifecycle documents a condition can match (a narrowing query; `holds` decides). */
function lifecycleQuery(condition: LifecycleCondition, today: number): Record<string, unknown> {
  const query: Record<string, unknown> = {}
  if (condition.stages) query.stage = { $in: [...condition.stages] }
  if (condition.days) {
    const last: Record<string, Date> = {}
    // days ≥ min: the last purchase day is on or before today − min; days ≤ max: on or after today − max
    if (condition.days.min !== undefined) last.$lt = startOfShanghaiDayNumber(today - condition.days.min + 1)
    if (condition.days.max !== undefined) last.$gte = startOfShanghaiDayNumber(today - condition.days.max)
    query.lastPurchaseAt = Object.keys(last).length > 0 ? last : { $ne: null }
  }
  const range = (r: Range) => ({ ...(r.min !== undefined ? { $gte: r.min } : {}), ...(r.max !== undefined ? { $lte: r.max } : {}) })
  if (condition.purchases) query.purchases12m = range(condition.purchases)
  if (condition.amount) query.amount12mFen = range(condition.amount)
  return query
}

function intersect(a: Set<string>, b: Set<string>): Set<string> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  return new Set([...small].filter((id) => large.has(id)))
}

/** Refuses a filter that cannot mean anything: a range whose min exceeds its max, `bought` naming no product. */
export function checkFilter(filter: SegmentFilter): void {
  const ranges: [string, Range | undefined][] = [
    ['daysSinceLastPurchase', filter.daysSinceLastPurchase],
    ['purchases12m', filter.purchases12m],
    ['amount12mFen', filter.amount12mFen],
    ['pointsAvailable', filter.pointsAvailable],
    ['rfm/r', filter.rfm?.r],
    ['rfm/f', filter.rfm?.f],
    ['rfm/m', filter.rfm?.m],
  ]
  for (const [name, range] of ranges) {
    if (range?.min !== undefined && range.max !== undefined && range.min > range.max) throw new ValidationFailed(`filter/${name}: min must not exceed max`)
  }
  if (filter.bought && !filter.bought.skus?.length && !filter.bought.categories?.length) throw new ValidationFailed('filter/bought: name at least one SKU or category')
}

/**
 * Segments (issue 14): saved filters over the members, evaluated live. The members' own facts (tier, home store,
 * birthday, points, phone) are one read of the members; the lifecycle facts (stage, days since the last purchase,
 * the rolling year's purchase days and amount, RFM) one read of member_lifecycle; products bought one read of the
 * orders; consent and subscriptions one read each of messaging's — then intersected in memory as sets of ids.
 */
export class Segments {
  constructor(private readonly deps: SegmentsDeps) {}

  /** The ids of the members matching a filter now, in id order. */
  async evaluate(filter: SegmentFilter): Promise<string[]> {
    checkFilter(filter)
    const now = this.deps.now()
    const today = shanghaiDayNumber(now)
    let ids = await this.deps.members.idsMatching({
      tierLevels: filter.tierLevels,
      homeStores: filter.homeStores,
      birthdayMonths: filter.birthdayMonths,
      pointsAvailable: filter.pointsAvailable,
      hasPhone: filter.hasPhone,
    })
    const condition = lifecycleCondition(filter)
    if (condition) {
      const blankMatches = holds(condition, BLANK, today)
      // a member without a lifecycle document is blank (a prospect); when blank matches, every document is read so
      // the ones that do not match can be left out
      const docs = await this.deps.models.MemberLifecycle.find(blankMatches ? {} : lifecycleQuery(condition, today), {
        stage: 1,
        lastPurchaseAt: 1,
        purchases12m: 1,
        amount12mFen: 1,
      }).lean()
      const facts = (d: (typeof docs)[number]): LifecycleFacts => ({
        stage: d.stage as LifecycleStage,
        lastPurchaseAt: d.lastPurchaseAt ?? null,
        purchases12m: d.purchases12m ?? 0,
        amount12mFen: d.amount12mFen ?? 0,
      })
      if (blankMatches) {
        for (const d of docs) if (!holds(condition, facts(d), today)) ids.delete(d._id.toString())
      } else {
        ids = intersect(ids, new Set(docs.filter((d) => holds(condition, facts(d), today)).map((d) => d._id.toString())))
      }
    }
    if (filter.bought && ids.size > 0) {
      const since = new Date(now.getTime() - (filter.bought.withinDays ?? 365) * DAY_MS)
      ids = intersect(ids, await this.deps.orders.buyersOf({ skus: filter.bought.skus ?? [], categories: filter.bought.categories ?? [] }, since))
    }
    if (filter.marketingConsent !== undefined && ids.size > 0) {
      const off = await this.deps.audience.marketingOff()
      ids = filter.marketingConsent ? new Set([...ids].filter((id) => !off.has(id))) : intersect(ids, off)
    }
    if (filter.subscribedKinds && ids.size > 0) ids = intersect(ids, await this.deps.audience.subscribed(filter.subscribedKinds))
    return [...ids].sort()
  }

  async count(filter: SegmentFilter): Promise<{ count: number; at: string }> {
    return { count: (await this.evaluate(filter)).length, at: this.deps.now().toISOString() }
  }

  async create(input: CreateSegment, actor: { actor: string; role: string }): Promise<Segment> {
    checkFilter(input.filter)
    const doc = await this.deps.models.Segment.create({ name: input.name, description: input.description ?? '', filter: input.filter, createdBy: actor.actor })
    await this.deps.audit.record({ ...actor, action: 'segment.create', details: { segmentId: doc._id.toString(), name: input.name }, at: this.deps.now() })
    return this.view(doc.toObject() as SegmentDoc)
  }

  async update(id: string, input: CreateSegment, actor: { actor: string; role: string }): Promise<Segment> {
    checkFilter(input.filter)
    const doc = await this.deps.models.Segment.findOneAndUpdate(
      { _id: this.idOf(id), deletedAt: null },
      { $set: { name: input.name, description: input.description ?? '', filter: input.filter } },
      { returnDocument: 'after', lean: true },
    )
    if (!doc) throw new NotFound(`segment ${id} not found`)
    await this.deps.audit.record({ ...actor, action: 'segment.update', details: { segmentId: id, name: input.name }, at: this.deps.now() })
    return this.view(doc as SegmentDoc)
  }

  async remove(id: string, actor: { actor: string; role: string }): Promise<void> {
    const result = await this.deps.models.Segment.updateOne({ _id: this.idOf(id), deletedAt: null }, { $set: { deletedAt: this.deps.now() } })
    if (result.matchedCount === 0) throw new NotFound(`segment ${id} not found`)
    await this.deps.audit.record({ ...actor, action: 'segment.delete', details: { segmentId: id }, at: this.deps.now() })
  }

  async get(id: string): Promise<Segment> {
    return this.view(await this.doc(id))
  }

  /** The segment's stored document (404 when unknown or deleted). */
  async doc(id: string): Promise<SegmentDoc> {
    const doc = await this.deps.models.Segment.findOne({ _id: this.idOf(id), deletedAt: null }).lean<SegmentDoc>()
    if (!doc) throw new NotFound(`segment ${id} not found`)
    return doc
  }

  async list(): Promise<{ items: Omit<Segment, 'count'>[] }> {
    const docs = await this.deps.models.Segment.find({ deletedAt: null }).sort({ createdAt: -1 }).limit(500).lean<SegmentDoc[]>()
    return { items: docs.map((d) => this.fields(d)) }
  }

  /** A page of the segment's members now, in id order, with what a marketer looks at. */
  async members(id: string, page: number, pageSize: number): Promise<SegmentMembersPage> {
    const ids = await this.evaluate((await this.doc(id)).filter as SegmentFilter)
    const slice = ids.slice((page - 1) * pageSize, page * pageSize).map((i) => new Types.ObjectId(i))
    const [rows, stages] = await Promise.all([
      this.deps.members.segmentRows(slice),
      this.deps.models.MemberLifecycle.find({ _id: { $in: slice } }, { stage: 1, lastPurchaseAt: 1, purchases12m: 1, amount12mFen: 1 }).lean(),
    ])
    const stageOf = new Map(stages.map((s) => [s._id.toString(), s]))
    const items = slice.flatMap((oid) => {
      const member = rows.get(oid.toString())
      if (!member) return []
      const stage = stageOf.get(oid.toString())
      return [
        {
          id: oid.toString(),
          nickname: member.nickname,
          phone: member.phone ? maskPhone(member.phone) : null,
          tierLevel: member.tierLevel,
          stage: (stage?.stage ?? 'prospect') as LifecycleStage,
          lastPurchaseAt: stage?.lastPurchaseAt ? stage.lastPurchaseAt.toISOString() : null,
          purchases12m: stage?.purchases12m ?? 0,
          amount12mFen: stage?.amount12mFen ?? 0,
          pointsAvailable: member.points?.available ?? 0,
          homeStore: member.homeStore ?? null,
        },
      ]
    })
    return { items, total: ids.length, page, pageSize }
  }

  private idOf(id: string): Types.ObjectId {
    if (!Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/.test(id)) throw new NotFound(`segment ${id} not found`)
    return new Types.ObjectId(id)
  }

  private fields(doc: SegmentDoc): Omit<Segment, 'count'> {
    return {
      id: doc._id.toString(),
      name: doc.name,
      description: doc.description ?? '',
      filter: doc.filter as SegmentFilter,
      createdBy: doc.createdBy,
      createdAt: (doc as unknown as { createdAt: Date }).createdAt.toISOString(),
      updatedAt: (doc as unknown as { updatedAt: Date }).updatedAt.toISOString(),
    }
  }

  private async view(doc: SegmentDoc): Promise<Segment> {
    return { ...this.fields(doc), count: (await this.evaluate(doc.filter as SegmentFilter)).length }
  }
}
