import type { CouponTemplate, CreateMallItem, MallItem, MemberMallItem, MemberMallItemList, UpdateMallItem } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { Conflict, NotFound, ValidationFailed } from '../../core/errors.js'
import type { CouponsService } from '../coupons/index.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MemberRepository } from '../members/repository.js'
import type { MallItemDoc, MallModels } from './models.js'
import { refusalFor } from './rules.js'

type Actor = { actor: string; role: string }

/** Items of the mall: kept by operators (audited), shown to members with what each can redeem now. */
export class MallItems {
  constructor(
    private readonly models: MallModels,
    private readonly deps: { coupons: CouponsService; tiers: TierTable; members: MemberRepository; audit: AuditLog; now: () => Date },
  ) {}

  async create(input: CreateMallItem, by: Actor): Promise<MallItem> {
    if (input.kind === 'coupon' && !input.couponTemplateId) throw new ValidationFailed('body.couponTemplateId: is required for a coupon item')
    if (input.kind === 'gift' && input.couponTemplateId) throw new ValidationFailed('body.couponTemplateId: a gift has no coupon template')
    if (input.couponTemplateId && !(await this.deps.coupons.template(input.couponTemplateId))) {
      throw new ValidationFailed(`body.couponTemplateId: no coupon template ${input.couponTemplateId}`)
    }
    const from = input.availableFrom ? new Date(input.availableFrom) : null
    const to = input.availableTo ? new Date(input.availableTo) : null
    checkWindow(from, to)
    if (input.tiers) await this.checkTiers(input.tiers)
    const now = this.deps.now()
    const doc = {
      _id: new Types.ObjectId(),
      kind: input.kind,
      name: input.name,
      description: input.description ?? '',
      images: input.images ?? [],
      pointsPrice: input.pointsPrice,
      cashFen: input.cashFen ?? null,
      couponTemplateId: input.couponTemplateId ? new Types.ObjectId(input.couponTemplateId) : null,
      stock: input.stock,
      stockLeft: input.stock,
      tiers: input.tiers ?? null,
      perMemberLimit: input.perMemberLimit ?? null,
      availableFrom: from,
      availableTo: to,
      status: input.status ?? 'active',
      takes: [],
      returns: [],
      createdAt: now,
      updatedAt: now,
    }
    await this.models.MallItem.collection.insertOne(doc as never)
    await this.deps.audit.record({ ...by, action: 'mall-item.create', details: { itemId: doc._id.toString(), ...input }, at: now })
    return adminView(doc as unknown as MallItemDoc)
  }

  async list(filter: { status?: string; kind?: string } = {}): Promise<MallItem[]> {
    const query: Record<string, unknown> = {}
    if (filter.status) query.status = filter.status
    if (filter.kind) query.kind = filter.kind
    const docs = await this.models.MallItem.find(query).sort({ createdAt: -1 }).limit(500).lean<MallItemDoc[]>()
    return docs.map(adminView)
  }

  async get(id: string): Promise<MallItem> {
    return adminView(await this.doc(id))
  }

  async doc(id: string): Promise<MallItemDoc> {
    const doc = Types.ObjectId.isValid(id) ? await this.models.MallItem.findById(id).lean<MallItemDoc>() : null
    if (!doc) throw new NotFound(`mall item ${id} not found`)
    return doc
  }

  /**
   * Edits an item. A new total stock moves stockLeft by the difference in one update guarded by the stock read, so
   * redemptions under way can neither take it below 0 nor be forgotten; below what is redeemed now it is a 409.
   */
  async update(id: string, input: UpdateMallItem, by: Actor): Promise<MallItem> {
    let current = await this.doc(id)
    const set: Record<string, unknown> = {}
    for (const field of ['name', 'description', 'images', 'pointsPrice', 'cashFen', 'tiers', 'perMemberLimit', 'status'] as const) {
      if (input[field] !== undefined) set[field] = input[field]
    }
    if (input.tiers) await this.checkTiers(input.tiers)
    const from = input.availableFrom === undefined ? current.availableFrom : input.availableFrom === null ? null : new Date(input.availableFrom)
    const to = input.availableTo === undefined ? current.availableTo : input.availableTo === null ? null : new Date(input.availableTo)
    checkWindow(from ?? null, to ?? null)
    if (input.availableFrom !== undefined) set.availableFrom = from
    if (input.availableTo !== undefined) set.availableTo = to
    const now = this.deps.now()
    set.updatedAt = now
    for (let attempt = 0; ; attempt++) {
      if (input.stock === undefined || input.stock === current.stock) {
        await this.models.MallItem.updateOne({ _id: current._id }, { $set: set })
        break
      }
      const delta = input.stock - current.stock
      const done = await this.models.MallItem.updateOne(
        { _id: current._id, stock: current.stock, stockLeft: { $gte: -delta } },
        { $set: set, $inc: { stock: delta, stockLeft: delta } },
      )
      if (done.modifiedCount === 1) break
      current = await this.doc(id)
      if (current.stockLeft + (input.stock - current.stock) < 0) {
        throw new Conflict(`stock ${input.stock} is below the ${current.stock - current.stockLeft} already redeemed`)
      }
      if (attempt >= 20) throw new Conflict('the item kept changing; try again')
    }
    await this.deps.audit.record({ ...by, action: 'mall-item.update', details: { itemId: id, ...input }, at: now })
    return this.get(id)
  }

  /** The active items (not past their window) with what this member can redeem now, newest first. */
  async forMember(memberId: string, filter: { kind?: string; redeemable?: boolean } = {}): Promise<MemberMallItemList> {
    const now = this.deps.now()
    const query: Record<string, unknown> = { status: 'active', $or: [{ availableTo: null }, { availableTo: { $gt: now } }] }
    if (filter.kind) query.kind = filter.kind
    const docs = await this.models.MallItem.find(query).sort({ createdAt: -1 }).limit(200).lean<MallItemDoc[]>()
    const context = await this.memberContext(memberId, docs)
    let items = docs.map((d) => memberView(d, context))
    if (filter.redeemable === true) items = items.filter((i) => i.redeemable)
    if (filter.redeemable === false) items = items.filter((i) => !i.redeemable)
    return { items, points: context.points }
  }

  /** One item as this member sees it (paused items too: a link to one says it is not available). */
  async oneForMember(memberId: string, id: string): Promise<MemberMallItem> {
    const doc = await this.doc(id)
    return memberView(doc, await this.memberContext(memberId, [doc]))
  }

  private async memberContext(memberId: string, docs: MallItemDoc[]): Promise<MemberContext> {
    const templateIds = [...new Set(docs.map((d) => d.couponTemplateId?.toString()).filter((t): t is string => !!t))]
    const [member, tiers, claims, templates] = await Promise.all([
      this.deps.members.findById(memberId),
      this.deps.tiers.current(),
      // the member's slots of the items with a limit, by _id (the only index FerretDB reads)
      this.models.MallClaim.find({ _id: { $in: docs.filter((d) => d.perMemberLimit).map((d) => `${d._id.toString()}:${memberId}`) } }, { itemId: 1, n: 1 }).lean(),
      Promise.all(templateIds.map(async (t) => [t, await this.deps.coupons.template(t)] as const)),
    ])
    if (!member) throw new NotFound(`member ${memberId} not found`)
    return {
      now: this.deps.now(),
      points: member.points?.available ?? 0,
      tierCode: tiers.find((t) => t.level === member.tierLevel)?.code ?? null,
      held: new Map(claims.map((c) => [c.itemId.toString(), c.n])),
      templates: new Map(templates),
    }
  }

  private async checkTiers(codes: string[]): Promise<void> {
    const known = new Set((await this.deps.tiers.current()).map((t) => t.code))
    const unknown = codes.filter((c) => !known.has(c))
    if (unknown.length > 0) throw new ValidationFailed(`body.tiers: unknown tier codes ${unknown.join(', ')} (the tier table has ${[...known].join(', ')})`)
  }
}

interface MemberContext {
  now: Date
  points: number
  tierCode: string | null
  held: Map<string, number>
  templates: Map<string, CouponTemplate | null>
}

function checkWindow(from: Date | null, to: Date | null): void {
  if (from && to && from.getTime() >= to.getTime()) throw new ValidationFailed('body.availableTo: must be after availableFrom')
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

function baseView(d: MallItemDoc) {
  return {
    id: d._id.toString(),
    kind: d.kind as 'coupon' | 'gift',
    name: d.name,
    description: d.description ?? '',
    images: d.images ?? [],
    pointsPrice: d.pointsPrice,
    cashFen: d.cashFen ?? null,
    stockLeft: d.stockLeft,
    tiers: (d.tiers as string[] | null | undefined) ?? null,
    perMemberLimit: d.perMemberLimit ?? null,
    availableFrom: iso(d.availableFrom),
    availableTo: iso(d.availableTo),
    status: d.status as 'active' | 'paused',
    couponTemplateId: d.couponTemplateId ? d.couponTemplateId.toString() : null,
  }
}

export function adminView(d: MallItemDoc): MallItem {
  return {
    ...baseView(d),
    stock: d.stock,
    redeemed: d.stock - d.stockLeft,
    createdAt: (d.createdAt as Date).toISOString(),
    updatedAt: (d.updatedAt as Date).toISOString(),
  }
}

function memberView(d: MallItemDoc, c: MemberContext): MemberMallItem {
  const template = d.couponTemplateId ? c.templates.get(d.couponTemplateId.toString()) : null
  const held = c.held.get(d._id.toString()) ?? 0
  const reason =
    d.kind === 'coupon' && !template
      ? 'NOT_AVAILABLE'
      : refusalFor(
          {
            status: d.status,
            availableFrom: d.availableFrom ?? null,
            availableTo: d.availableTo ?? null,
            tiers: (d.tiers as string[] | null) ?? null,
            stockLeft: d.stockLeft,
            perMemberLimit: d.perMemberLimit ?? null,
            pointsPrice: d.pointsPrice,
          },
          { now: c.now, tierCode: c.tierCode, points: c.points, held },
          template,
        )
  return {
    ...baseView(d),
    couponRules: template?.rulesText ?? null,
    redeemedByMe: held,
    redeemable: reason === null,
    ...(reason ? { reason } : {}),
  }
}
