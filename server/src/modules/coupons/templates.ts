import type { CouponTemplate, CreateCouponTemplate, UpdateCouponTemplate } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { Conflict, NotFound, ValidationFailed } from '../../core/errors.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { CouponModels, CouponTemplateDoc } from './models.js'
import { rulesText } from './rules.js'

/** Coupon templates: created, listed and edited by operators (audited). Coupons already issued keep their rules. */
export class CouponTemplates {
  constructor(
    private readonly models: CouponModels,
    private readonly tiers: TierTable,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async create(input: CreateCouponTemplate, actor: { actor: string; role: string }): Promise<CouponTemplate> {
    await this.check(input)
    const doc = await this.models.CouponTemplate.create({
      status: 'active',
      name: input.name,
      kind: input.kind,
      amountFen: input.kind === 'amount' ? input.amountFen : null,
      percentOff: input.kind === 'percent' ? input.percentOff : null,
      capFen: input.kind === 'percent' ? (input.capFen ?? null) : null,
      thresholdFen: input.thresholdFen ?? 0,
      scope: input.scope ?? { kind: 'all' },
      validity: input.validity,
      tiers: input.tiers ?? null,
      stock: input.stock ?? null,
      stockLeft: input.stock ?? null,
      issued: 0,
      perMemberLimit: input.perMemberLimit ?? null,
      notes: input.notes ?? '',
      returnOnRefund: input.returnOnRefund ?? true,
    })
    await this.audit.record({ ...actor, action: 'coupon-template.create', details: { templateId: doc._id.toString(), ...input }, at: this.now() })
    return templateView(doc.toObject() as CouponTemplateDoc)
  }

  async list(): Promise<CouponTemplate[]> {
    const docs = await this.models.CouponTemplate.find({}).sort({ createdAt: -1 }).limit(500).lean<CouponTemplateDoc[]>()
    return docs.map(templateView)
  }

  async get(id: string): Promise<CouponTemplate | null> {
    const doc = await this.doc(id)
    return doc ? templateView(doc) : null
  }

  async doc(id: string): Promise<CouponTemplateDoc | null> {
    if (!Types.ObjectId.isValid(id)) return null
    return this.models.CouponTemplate.findById(id).lean<CouponTemplateDoc>()
  }

  /**
   * Edits a live template: status, name, notes, limits, tiers, validity. Coupons already issued keep the rules they
   * were issued with. A new stock below what was issued is a 409; stockLeft moves by the difference, in one
   * conditional update so concurrent issues cannot take it below 0.
   */
  async update(id: string, input: UpdateCouponTemplate, actor: { actor: string; role: string }): Promise<CouponTemplate> {
    const current = await this.doc(id)
    if (!current) throw new NotFound(`coupon template ${id} not found`)
    if (input.tiers) await this.checkTiers(input.tiers)
    if (input.validity) checkValidity(input.validity)
    const set: Record<string, unknown> = {}
    for (const key of ['status', 'name', 'notes', 'perMemberLimit', 'tiers', 'validity'] as const) if (input[key] !== undefined) set[key] = input[key]
    if (input.stock !== undefined) {
      if (current.stock === null || current.stock === undefined) {
        // from unlimited to a stock: what is left is the stock less what was issued
        await this.setStockFromCount(current._id, input.stock)
      } else {
        const delta = input.stock - current.stock
        const guard = delta < 0 ? { stockLeft: { $gte: -delta } } : {}
        const done = await this.models.CouponTemplate.updateOne({ _id: current._id, stock: current.stock, ...guard }, { $set: { stock: input.stock }, $inc: { stockLeft: delta } })
        if (done.modifiedCount === 0) throw new Conflict(`stock ${input.stock} is below what was already issued, or the template changed meanwhile; read it again`)
      }
    }
    if (Object.keys(set).length > 0) await this.models.CouponTemplate.updateOne({ _id: current._id }, { $set: set })
    await this.audit.record({ ...actor, action: 'coupon-template.update', details: { templateId: id, ...input }, at: this.now() })
    return (await this.get(id))!
  }

  /** Unlimited → limited: the stock set, stockLeft from the issued count (guarded by the count read). */
  private async setStockFromCount(id: Types.ObjectId, stock: number): Promise<void> {
    const t = await this.models.CouponTemplate.findById(id).lean<CouponTemplateDoc>()
    if (!t || stock < t.issued) throw new Conflict(`stock ${stock} is below the coupons already issued`)
    const done = await this.models.CouponTemplate.updateOne({ _id: id, stock: null, issued: t.issued }, { $set: { stock, stockLeft: stock - t.issued } })
    if (done.modifiedCount === 0) throw new Conflict('the template changed meanwhile; try again')
  }

  private async check(input: CreateCouponTemplate): Promise<void> {
    if (input.kind === 'amount') {
      if (input.amountFen === undefined) throw new ValidationFailed('amountFen: required for kind amount')
      if (input.percentOff !== undefined || input.capFen !== undefined) throw new ValidationFailed('percentOff, capFen: only for kind percent')
      if (input.thresholdFen !== undefined && input.thresholdFen > 0 && input.amountFen > input.thresholdFen) {
        throw new ValidationFailed('amountFen: more than the threshold it needs')
      }
    } else {
      if (input.percentOff === undefined) throw new ValidationFailed('percentOff: required for kind percent')
      if (input.amountFen !== undefined) throw new ValidationFailed('amountFen: only for kind amount')
    }
    checkValidity(input.validity)
    if (input.tiers) await this.checkTiers(input.tiers)
  }

  private async checkTiers(codes: string[]): Promise<void> {
    const tiers = await this.tiers.current()
    const unknown = codes.filter((c) => !tiers.some((t) => t.code === c))
    if (unknown.length > 0) throw new ValidationFailed(`tiers: ${unknown.join(', ')} is not a tier of this program (${tiers.map((t) => t.code).join(', ')})`)
  }
}

function checkValidity(validity: CreateCouponTemplate['validity']): void {
  if ('from' in validity) {
    const from = Date.parse(validity.from)
    const to = Date.parse(validity.to)
    if (!(to > from)) throw new ValidationFailed('validity: "to" must be after "from"')
    if (from < Date.parse('2000-01-01T00:00:00Z') || to > Date.parse('2100-01-01T00:00:00Z')) throw new ValidationFailed('validity: between 2000 and 2100')
  }
}

export function templateView(t: CouponTemplateDoc): CouponTemplate {
  const rules = { kind: t.kind as 'amount' | 'percent', amountFen: t.amountFen ?? null, percentOff: t.percentOff ?? null, capFen: t.capFen ?? null, thresholdFen: t.thresholdFen ?? 0, scope: (t.scope ?? { kind: 'all' }) as CouponTemplate['scope'] }
  return {
    id: t._id.toString(),
    status: t.status as 'active' | 'paused',
    name: t.name,
    ...rules,
    validity: t.validity as CouponTemplate['validity'],
    tiers: (t.tiers as string[] | null) ?? null,
    stock: t.stock ?? null,
    issued: t.issued ?? 0,
    stockLeft: t.stockLeft ?? null,
    perMemberLimit: t.perMemberLimit ?? null,
    notes: t.notes ?? '',
    returnOnRefund: t.returnOnRefund ?? true,
    rulesText: rulesText(rules),
    createdAt: new Date(t.createdAt).toISOString(),
  }
}
