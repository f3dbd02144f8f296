import type { Coupon, CouponSource } from '@member-center/shared'
import { createHash, randomInt } from 'node:crypto'
import { Types } from 'mongoose'
import { duplicatesOf, isDuplicateKey } from '../../core/duplicate-key.js'
import { LimitReached, NotAvailable, NotFound, OutOfStock, TierNotEligible } from '../../core/errors.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MemberRepository } from '../members/repository.js'
import type { CouponDoc, CouponModels, CouponTemplateDoc } from './models.js'
import { rulesText, validityWindow } from './rules.js'
import type { CouponTemplates } from './templates.js'

export interface IssueRequest {
  templateId: string
  memberId: string | Types.ObjectId
  /** the issuing program's business key (mall:{redemptionId}, birthday:{memberId}:{year}, …): one coupon per key */
  key: string
  source: CouponSource
  at?: Date
  /** valid until this instant instead of the template's validity (the birthday gift: through the birthday month) */
  validUntil?: Date
}

export interface IssueResult {
  status: 'issued' | 'duplicate'
  coupon: Coupon
}

/** A pending issue older than this was left by a process that died: the sweep (or a retry) finishes or undoes it. */
export const STALE_PENDING_MS = 60_000

/** Code alphabet without look-alikes (no 0/O, 1/I/L): staff type it at the counter when a scan fails. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
const CODE_LENGTH = 12

/**
 * The id of the coupon issued under a business key: the first 12 bytes of the key's SHA-256. The coupon is found by
 * its key through the primary key (one read, whatever the collection's size), and two issues with one key collide on
 * it.
 */
export function couponIdFor(key: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(key).digest('hex').slice(0, 24))
}

/** A coupon code: 12 characters from 31, about 59 bits of randomness (crypto.randomInt) — not guessable. */
export function newCouponCode(): string {
  let code = ''
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return code
}

/**
 * The one issuing service every program uses. Exactly once per business key, and the template's total stock and
 * per-member limit hold under any concurrency, without multi-document transactions:
 *  1. the coupon is inserted `pending` under its unique issue key (a second request with the key stops here);
 *  2. a unit of stock is taken by a conditional update (`stockLeft > 0`), recorded on the coupon (`stockTaken`);
 *  3. the member's slot is taken by a conditional upsert on the claim counter (`count < limit`), recorded (`slotTaken`);
 *  4. the coupon becomes `usable`.
 * A refusal at 2 or 3 gives back what was taken and deletes the pending coupon (the key is free again). A process
 * dying between steps leaves a pending coupon the sweep finishes (both steps recorded) or undoes (gives back what its
 * flags say it took). Only a death between a counter update and its flag loses a unit — stock or a slot is then
 * under-sold, never over-sold — and reconcile reports the counter that disagrees with the coupons.
 */
export class CouponIssuer {
  constructor(
    private readonly models: CouponModels,
    private readonly templates: CouponTemplates,
    private readonly members: MemberRepository,
    private readonly tiers: TierTable,
    private readonly now: () => Date,
  ) {}

  async issue(req: IssueRequest): Promise<IssueResult> {
    const memberId = new Types.ObjectId(req.memberId)
    const existing = await this.byKey(req.key)
    if (existing) return this.settleExisting(existing)
    const template = await this.templates.doc(req.templateId)
    if (!template) throw new NotFound(`coupon template ${req.templateId} not found`)
    const at = req.at ?? this.now()
    try {
      await this.checkEligible(template, memberId, at)
    } catch (refusal) {
      // the same key issued by another request a moment ago took the last unit or the member's slot: that coupon is
      // this request's answer, not the refusal
      const other = await this.byKey(req.key)
      if (other) return this.settleExisting(other)
      throw refusal
    }
    const window = validityWindow(template.validity as never, at)!

    const coupon = await this.insertPending(template, memberId, req, at, window)
    if (!coupon) {
      // the same key, at the same moment: the other request issues it
      const other = await this.byKey(req.key)
      if (!other) throw new Error(`coupon issue ${req.key} vanished`)
      return this.settleExisting(other)
    }
    await this.complete(coupon, template)
    return { status: 'issued', coupon: couponView((await this.models.Coupon.findById(coupon._id).lean<CouponDoc>())!, this.now()) }
  }

  /**
   * Issues several coupons (each like `issue`, answering its result or its refusal), the batch in a few commands: the
   * keys' coupons read at once; for each template without tier or per-member rules, the group's units of stock taken
   * in one conditional update (`stockLeft ≥ n`; when fewer are left, the first ones in the group get them and the
   * others are refused), then their coupons inserted usable in one command. Whatever does not fit that path — a key
   * already issued, a template with tier or per-member rules, a key or code another issue took meanwhile (its unit
   * goes back) — goes through `issue` one by one, with the same guarantees. A process dying between the units and the
   * insert leaves those units taken with no coupon: under-sold, never over-sold, as `complete` (reconcile reports the
   * counter); a retry of the keys issues them anew.
   *
   * `fresh`: the caller has just claimed these keys (a mall redemption inserted under its own): their coupons are not
   * looked for first — one issued meanwhile still makes nothing twice (its insert collides, its unit goes back).
   * `templates`: the templates as the caller has just read them (not read again).
   */
  async issueMany(reqs: IssueRequest[], options: { fresh?: boolean; templates?: ReadonlyMap<string, CouponTemplateDoc> } = {}): Promise<(IssueResult | Error)[]> {
    const results: (IssueResult | Error)[] = new Array(reqs.length)
    const one = async (i: number) => {
      try {
        results[i] = await this.issue(reqs[i]!)
      } catch (error) {
        results[i] = error as Error
      }
    }
    // the keys' coupons and the templates, read at once (those the caller has not)
    const [existing, templates] = await Promise.all([
      options.fresh
        ? new Set<string>()
        : this.models.Coupon.find({ _id: { $in: reqs.map((r) => couponIdFor(r.key)) } }, { _id: 1 })
            .lean()
            .then((found) => new Set(found.map((c) => String(c._id)))),
      Promise.all(
        [...new Set(reqs.map((r) => r.templateId))].map(async (id) => [id, options.templates?.get(id) ?? (await this.templates.doc(id))] as const),
      ).then((found) => new Map(found)),
    ])
    const seen = new Set<string>()
    const groups = new Map<string, number[]>()
    const slow: number[] = []
    reqs.forEach((r, i) => {
      if (existing.has(String(couponIdFor(r.key))) || seen.has(r.key)) slow.push(i)
      else groups.set(r.templateId, [...(groups.get(r.templateId) ?? []), i])
      seen.add(r.key)
    })
    for (const [templateId, indexes] of groups) {
      const template = templates.get(templateId)
      if (!template || template.perMemberLimit || ((template.tiers as string[] | null) ?? []).length > 0) {
        slow.push(...indexes)
        continue
      }
      const at = this.now()
      const window = template.status === 'active' ? validityWindow(template.validity as never, at) : null
      if (!window) {
        for (const i of indexes) results[i] = new NotAvailable(`coupon template ${template.name} is ${template.status !== 'active' ? 'paused' : 'over'}`)
        continue
      }
      // the units first, then the coupons that hold them (a coupon never exists without its unit)
      const { taken, left } = await this.takeUnits(template, indexes.length)
      const short = indexes.slice(taken)
      if (short.length > 0 && left === 0) {
        // out of stock — unless another issue of the key got there meanwhile: that coupon is the answer (one still
        // between its unit and its insert is not seen: this one answers out of stock, and a retry finds the coupon)
        const issued = new Set((await this.models.Coupon.find({ _id: { $in: short.map((i) => couponIdFor(reqs[i]!.key)) } }, { _id: 1 }).lean()).map((c) => String(c._id)))
        for (const i of short) {
          if (issued.has(String(couponIdFor(reqs[i]!.key)))) slow.push(i)
          else results[i] = new OutOfStock(`coupon ${template.name} is out of stock`)
        }
      } else slow.push(...short)
      const mine = indexes.slice(0, taken)
      if (mine.length === 0) continue
      const docs = mine.map((i) => ({
        ...pendingCoupon(template, new Types.ObjectId(reqs[i]!.memberId), reqs[i]!, reqs[i]!.at ?? at, window),
        state: 'usable',
        stockTaken: true,
        slotTaken: true,
      })) as CouponDoc[]
      const collided = await duplicatesOf(() => this.models.Coupon.collection.insertMany(docs as never[], { ordered: false }))
      if (collided.size > 0) {
        // a key issued meanwhile, or a code drawn twice: their units go back, and they go one by one
        await this.models.CouponTemplate.updateOne(
          { _id: template._id },
          { $inc: template.stock !== null && template.stock !== undefined ? { stockLeft: collided.size, issued: -collided.size } : { issued: -collided.size } },
        )
      }
      const now = this.now()
      docs.forEach((doc, k) => {
        if (collided.has(k)) slow.push(mine[k]!)
        else results[mine[k]!] = { status: 'issued', coupon: couponView(doc, now) }
      })
    }
    for (const i of slow) await one(i)
    return results
  }

  /**
   * Takes `n` units of a template's stock in one conditional update (`stockLeft ≥ n`), or as many as are left: answers
   * how many were taken (the first ones of the group get them) and, when not all, how many the template still had at
   * the last look (0: out of stock; more: it kept changing, the rest go one by one).
   */
  private async takeUnits(template: CouponTemplateDoc, n: number): Promise<{ taken: number; left: number }> {
    if (template.stock === null || template.stock === undefined) {
      await this.models.CouponTemplate.updateOne({ _id: template._id }, { $inc: { issued: n } })
      return { taken: n, left: 0 }
    }
    let want = n
    let left = 0
    for (let attempt = 0; attempt < 10 && want > 0; attempt++) {
      const done = await this.models.CouponTemplate.updateOne({ _id: template._id, stockLeft: { $gte: want } }, { $inc: { stockLeft: -want, issued: want } })
      if (done.modifiedCount === 1) return { taken: want, left: 0 }
      left = Math.max(0, (await this.models.CouponTemplate.findById(template._id, { stockLeft: 1 }).lean())?.stockLeft ?? 0)
      want = Math.min(want, left)
    }
    return { taken: 0, left }
  }

  /**
   * Checks what the template asks of the member and the moment, without issuing: paused, window ended, tier, limit
   * already reached, no stock left. The mall uses it to mark what a member can redeem.
   */
  async checkEligible(template: CouponTemplateDoc, memberId: Types.ObjectId, at: Date): Promise<void> {
    if (template.status !== 'active') throw new NotAvailable(`coupon template ${template.name} is paused`)
    if (!validityWindow(template.validity as never, at)) throw new NotAvailable(`coupon template ${template.name} has ended`)
    const allowed = (template.tiers as string[] | null) ?? null
    if (allowed && allowed.length > 0) {
      const [member, tiers] = await Promise.all([this.members.findById(memberId), this.tiers.current()])
      const code = tiers.find((t) => t.level === (member?.tierLevel ?? 1))?.code
      if (!code || !allowed.includes(code)) throw new TierNotEligible(`coupon ${template.name} is for tiers ${allowed.join(', ')}`)
    }
    if (template.perMemberLimit) {
      const claim = await this.models.CouponClaim.findById(claimId(template._id, memberId)).lean()
      if ((claim?.count ?? 0) >= template.perMemberLimit) throw new LimitReached(`a member may have ${template.perMemberLimit} of coupon ${template.name}`)
    }
    if (template.stockLeft !== null && template.stockLeft !== undefined && template.stockLeft <= 0) throw new OutOfStock(`coupon ${template.name} is out of stock`)
  }

  /**
   * Voids the unused coupon issued under `key` and gives its stock and member slot back (a redemption undone).
   * Answers what it found: voided, missing, or the state that stops it (used, expired).
   */
  async revoke(key: string, reason: string): Promise<'voided' | 'missing' | 'used' | 'expired'> {
    const coupon = await this.byKey(key)
    if (!coupon) return 'missing'
    if (coupon.state === 'pending') {
      await this.undo(coupon, { stock: Boolean(coupon.stockTaken), slot: Boolean(coupon.slotTaken) })
      return 'voided'
    }
    const done = await this.models.Coupon.updateOne({ _id: coupon._id, state: 'usable' }, { $set: { state: 'void', voidReason: reason } })
    if (done.modifiedCount === 0) {
      const now = (await this.models.Coupon.findById(coupon._id, { state: 1 }).lean())?.state
      return now === 'void' ? 'voided' : now === 'used' ? 'used' : 'expired'
    }
    await this.giveBack(coupon)
    return 'voided'
  }

  /** The coupons issued under these keys (ids derived from the keys: one read), by key, as members see them. */
  async byKeys(keys: string[]): Promise<Map<string, Coupon>> {
    if (keys.length === 0) return new Map()
    const byId = new Map(keys.map((key) => [String(couponIdFor(key)), key]))
    const docs = await this.models.Coupon.find({ _id: { $in: keys.map((key) => couponIdFor(key)) } }).lean<CouponDoc[]>()
    const now = this.now()
    return new Map(docs.map((c) => [byId.get(String(c._id))!, couponView(c, now)]))
  }

  /** Finishes or undoes pending issues left by processes that died (older than STALE_PENDING_MS). */
  async repairPending(): Promise<number> {
    const stale = await this.models.Coupon.find({ state: 'pending', issuedAt: { $lte: new Date(this.now().getTime() - STALE_PENDING_MS) } }).lean<CouponDoc[]>()
    for (const coupon of stale) {
      if (coupon.stockTaken && coupon.slotTaken) await this.models.Coupon.updateOne({ _id: coupon._id, state: 'pending' }, { $set: { state: 'usable' } })
      else await this.undo(coupon, { stock: Boolean(coupon.stockTaken), slot: Boolean(coupon.slotTaken) })
    }
    return stale.length
  }

  private async settleExisting(coupon: CouponDoc): Promise<IssueResult> {
    // another request with this key is still taking stock and the slot: wait for it (a few seconds at most)
    for (let i = 0; coupon.state === 'pending' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20 + i * 5))
      const again = await this.models.Coupon.findById(coupon._id).lean<CouponDoc>()
      if (!again) throw new OutOfStock('the coupon could not be issued (another request with the same key was refused)')
      coupon = again
    }
    if (coupon.state === 'pending') {
      // its process died mid-issue: finish it here
      const template = await this.templates.doc(coupon.templateId.toString())
      if (!template) throw new NotFound('coupon template not found')
      await this.complete(coupon, template)
      coupon = (await this.models.Coupon.findById(coupon._id).lean<CouponDoc>())!
    }
    return { status: 'duplicate', coupon: couponView(coupon, this.now()) }
  }

  /** Step 1: the pending coupon under its key, with a fresh code (another draw on the rare code collision). */
  private async insertPending(template: CouponTemplateDoc, memberId: Types.ObjectId, req: IssueRequest, at: Date, window: { from: Date; until: Date }): Promise<CouponDoc | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = pendingCoupon(template, memberId, req, at, window)
      try {
        await this.models.Coupon.collection.insertOne(doc as never)
        return doc as unknown as CouponDoc
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        // the key's id (or its issueKey) is taken: another request issues it; otherwise the code was, draw another
        const keyTaken = await this.byKey(req.key)
        if (keyTaken) return null
      }
    }
    throw new Error('could not draw an unused coupon code')
  }

  /**
   * Steps 2–4 for a pending coupon: stock, the member's slot, then one write that records both and makes it usable. A
   * refusal undoes what this call took. (A process dying between a step and that write leaves flags that under-state
   * what it took: the sweep undoes the coupon and one unit is under-sold, which reconcile reports.)
   */
  private async complete(coupon: CouponDoc, template: CouponTemplateDoc): Promise<void> {
    const taken = { stock: Boolean(coupon.stockTaken), slot: Boolean(coupon.slotTaken) }
    if (!taken.stock) {
      const limited = template.stock !== null && template.stock !== undefined
      const done = await this.models.CouponTemplate.updateOne(
        limited ? { _id: template._id, stockLeft: { $gt: 0 } } : { _id: template._id },
        limited ? { $inc: { stockLeft: -1, issued: 1 } } : { $inc: { issued: 1 } },
      )
      if (done.modifiedCount === 0) {
        await this.undo(coupon, taken)
        throw new OutOfStock(`coupon ${template.name} is out of stock`)
      }
      taken.stock = true
    }
    if (!taken.slot && template.perMemberLimit) {
      const id = claimId(template._id, coupon.memberId)
      try {
        await this.models.CouponClaim.updateOne(
          { _id: id, count: { $lt: template.perMemberLimit } },
          { $inc: { count: 1 }, $setOnInsert: { templateId: template._id, memberId: coupon.memberId } },
          { upsert: true },
        )
      } catch (error) {
        // the counter exists and is at the limit: the upsert's insert hit its _id
        if (!isDuplicateKey(error)) throw error
        await this.undo(coupon, taken)
        throw new LimitReached(`a member may have ${template.perMemberLimit} of coupon ${template.name}`)
      }
    }
    // (no limit: nothing to count; a limit set later counts from then on)
    taken.slot = true
    await this.models.Coupon.updateOne({ _id: coupon._id, state: 'pending' }, { $set: { stockTaken: true, slotTaken: true, state: 'usable' } })
  }

  /** The coupon issued under `key`: by its id, or by the key itself for coupons issued before ids came from keys. */
  private async byKey(key: string): Promise<CouponDoc | null> {
    return (await this.models.Coupon.findById(couponIdFor(key)).lean<CouponDoc>()) ?? (await this.models.Coupon.findOne({ issueKey: key }).lean<CouponDoc>())
  }

  /** Gives back what a pending coupon took (`taken`), then deletes it (its key is free again). */
  private async undo(coupon: CouponDoc, taken: { stock: boolean; slot: boolean }): Promise<void> {
    const claimed = await this.models.Coupon.findOneAndDelete({ _id: coupon._id, state: 'pending' }).lean<CouponDoc>()
    if (claimed) await this.giveBack({ ...claimed, stockTaken: taken.stock, slotTaken: taken.slot })
  }

  /** Gives a coupon's unit of stock and member slot back to its template (a voided or undone coupon). */
  private async giveBack(coupon: CouponDoc): Promise<void> {
    const template = await this.models.CouponTemplate.findById(coupon.templateId, { stock: 1 }).lean()
    if (coupon.stockTaken && template) {
      const limited = template.stock !== null && template.stock !== undefined
      await this.models.CouponTemplate.updateOne({ _id: coupon.templateId }, { $inc: limited ? { stockLeft: 1, issued: -1 } : { issued: -1 } })
    }
    if (coupon.slotTaken) await this.models.CouponClaim.updateOne({ _id: claimId(coupon.templateId, coupon.memberId), count: { $gt: 0 } }, { $inc: { count: -1 } })
  }
}

/** The claim counter of one member for one template. */
export function claimId(templateId: Types.ObjectId, memberId: Types.ObjectId): string {
  return `${templateId.toString()}:${memberId.toString()}`
}

/** A coupon as members and staff see it at `now`: a usable one whose validity has ended reads expired. */
export function couponView(c: CouponDoc, now: Date): Coupon {
  const rules = { kind: c.kind as 'amount' | 'percent', amountFen: c.amountFen ?? null, percentOff: c.percentOff ?? null, capFen: c.capFen ?? null, thresholdFen: c.thresholdFen ?? 0, scope: (c.scope ?? { kind: 'all' }) as Coupon['scope'] }
  const expired = c.state === 'expired' || (c.state === 'usable' && c.validUntil.getTime() < now.getTime())
  return {
    id: c._id.toString(),
    code: c.code,
    templateId: c.templateId.toString(),
    name: c.name ?? '',
    ...rules,
    notes: c.notes ?? '',
    rulesText: rulesText(rules),
    state: (expired ? 'expired' : c.state === 'pending' ? 'usable' : c.state) as Coupon['state'],
    source: c.source as Coupon['source'],
    validFrom: c.validFrom.toISOString(),
    validUntil: c.validUntil.toISOString(),
    issuedAt: c.issuedAt.toISOString(),
    usedAt: c.usedAt ? c.usedAt.toISOString() : null,
    usedBy: (c.usedBy as Coupon['usedBy']) ?? null,
  }
}

/** A pending coupon under its key's id, with a fresh code and the template's rules copied. */
function pendingCoupon(template: CouponTemplateDoc, memberId: Types.ObjectId, req: IssueRequest, at: Date, window: { from: Date; until: Date }): CouponDoc {
  return {
    _id: couponIdFor(req.key),
    code: newCouponCode(),
    issueKey: req.key,
    templateId: template._id,
    memberId,
    source: req.source,
    state: 'pending',
    stockTaken: false,
    slotTaken: false,
    name: template.name,
    kind: template.kind,
    amountFen: template.amountFen ?? null,
    percentOff: template.percentOff ?? null,
    capFen: template.capFen ?? null,
    thresholdFen: template.thresholdFen ?? 0,
    scope: template.scope ?? { kind: 'all' },
    notes: template.notes ?? '',
    returnOnRefund: template.returnOnRefund ?? true,
    validFrom: window.from,
    validUntil: req.validUntil ?? window.until,
    issuedAt: at,
    usedAt: null,
    usedBy: null,
    voidReason: null,
    expiringNotified: false,
    createdAt: at,
    updatedAt: at,
  } as unknown as CouponDoc
}
