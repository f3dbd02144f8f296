import {
  credit,
  debit,
  unchanged,
  type Coupon,
  type CreateRedemption,
  type GiftOrder,
  type RedeemRefusal,
  type Redemption,
  type RedemptionPage,
  type RedemptionStatus,
} from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import { createHash, randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { duplicatesOf, isDuplicateKey } from '../../core/duplicate-key.js'
import {
  Conflict,
  InsufficientPoints,
  LimitReached,
  NotAvailable,
  NotFound,
  OutOfStock,
  TierNotEligible,
  ValidationFailed,
} from '../../core/errors.js'
import type { DomainEventInput, DomainEvents } from '../../core/events/index.js'
import { fingerprint } from '../../core/fingerprint.js'
import { GroupCommit } from '../../core/group-commit.js'
import { afterCursor, encodeCursor } from '../../core/page-cursor.js'
import type { JobOutcome, JobRunner, JobSpec } from '../../core/jobs/runner.js'
import type { CouponsService } from '../coupons/index.js'
import { couponIdFor } from '../coupons/issuing.js'
import type { CouponTemplateDoc } from '../coupons/models.js'
import { templateView } from '../coupons/templates.js'
import { keyPart } from '../loyalty/keys.js'
import type { LedgerService, MemberOps } from '../loyalty/ledger.js'
import type { TierTable } from '../loyalty/tier-table.js'
import { memberRefKey, type Member, type MemberRepository } from '../members/repository.js'
import { giftView } from './gift-orders.js'
import { TERMINAL_STATES, type GiftOrderDoc, type MallItemDoc, type MallModels, type RedemptionDoc, type RedemptionState } from './models.js'
import { refusalFor, refusalMessage } from './rules.js'

/** The steps of a redemption; `afterStep` hooks run once a step's writes are done (tests stop a process there). */
export type SagaStep = 'created' | 'stock-taken' | 'points-taken' | 'delivered' | 'done' | 'failed' | 'cancelled'

export interface RedemptionOptions {
  /** runs after each step with the redemptions that went through it (test-only: a crash test hangs in it) */
  afterStep?: (step: SagaStep, redemptionIds: string[]) => Promise<void>
  /** when the repair job of a redemption runs (default 60 s after it starts); it finds it done, or finishes it */
  repairAfterMs?: number
  /** how long a process may work on a redemption before another (the repair job) may take it over (default 30 s) */
  leaseMs?: number
  /** the most redemptions one batch takes (default 100) */
  maxBatch?: number
}

export const REPAIR_JOB = 'mall.redemption-repair'

/**
 * The stock an item must still have once a batch has its units for the batch to take the unit, the points and the
 * coupon at once (see RedemptionService): other processes would have to take this many units in the few milliseconds
 * since the checks read it for the unit to be refused after the points were spent.
 */
export const AMPLE_STOCK = 100
/** Batches answered whose bookkeeping may still be being written before the next batch waits for the oldest. */
const MAX_TAILS = 2
/**
 * A batch of this many redemptions (or one with requests waiting behind it) is taken for load: requests arrive faster
 * than a batch takes, so its bookkeeping is written after the answer, beside the next batch's reads.
 */
const UNDER_LOAD = 8

/** Ledger and coupon keys of a redemption (the id is an ObjectId; keyPart keeps the scheme safe for any id). */
export const spendKey = (rid: string) => `mall:${keyPart(rid)}:spend`
export const returnKey = (rid: string) => `mall:${keyPart(rid)}:return`
const probeKey = (rid: string) => `mall:${keyPart(rid)}:probe`
export const couponKey = (rid: string) => `mall:${keyPart(rid)}`
/** The repair job of a batch of redemptions (keyed by the batch's run: a repeat of it schedules nothing new). */
export const repairJobKey = (runId: string) => `mall:repair:${keyPart(runId)}`
const cancelJobKey = (rid: string) => `mall:cancel:${keyPart(rid)}`
export const redeemedEventKey = (rid: string) => `mall:${keyPart(rid)}:redeemed`
/** The order id a gift ships under (the shop's `orderId`). */
export const giftOrderId = (rid: string) => `MG${rid}`
/** A member's idempotency key, scoped to the member. */
export const redemptionKey = (memberId: string, idempotencyKey: string) => `${memberId}:${keyPart(idempotencyKey)}`
/**
 * A redemption's id: 12 bytes of the SHA-256 of its key (member and idempotency key), so a repeated request finds its
 * redemption by _id (the one index every MongoDB-protocol server uses well) and two at once collide on insert.
 */
export const redemptionIdFor = (key: string) => new Types.ObjectId(createHash('sha256').update(key).digest('hex').slice(0, 24))
export const claimId = (itemId: Types.ObjectId | string, memberId: Types.ObjectId | string) => `${itemId.toString()}:${memberId.toString()}`

const REFUSALS: Record<RedeemRefusal, new (message: string) => Error> = {
  NOT_AVAILABLE: NotAvailable,
  TIER_NOT_ELIGIBLE: TierNotEligible,
  OUT_OF_STOCK: OutOfStock,
  LIMIT_REACHED: LimitReached,
  INSUFFICIENT_POINTS: InsufficientPoints,
}
const REFUSAL_CODES = new Set<string>(Object.keys(REFUSALS))

/** The error a refusal code answers with. */
export function refusalError(code: string, message: string): Error {
  const Refusal = REFUSALS[code as RedeemRefusal]
  return Refusal ? new Refusal(message) : new Conflict(message)
}

interface RedeemRequest {
  memberId: string
  input: CreateRedemption
  key: string
  requestHash: string
}

type Outcome =
  | { kind: 'created'; doc: RedemptionDoc; gift: GiftOrderDoc | null; coupon: RedemptionCoupon | null }
  | { kind: 'replay' }
  | { kind: 'error'; error: Error }

/** The coupon a redemption shows: the one issued under its key. */
type RedemptionCoupon = NonNullable<Redemption['coupon']>

/** One redemption on its way through the steps, in memory. */
interface Saga {
  doc: RedemptionDoc
  limit: number | null
  /** refused by a step: compensated, then failed with this */
  refusal?: Error
  /** something unexpected: left where it is for the repair job */
  broken?: Error
  coupon?: RedemptionCoupon
  gift?: GiftOrderDoc
  /** holds its slot of the item (claimed, or found claimed) */
  slot?: boolean
}

const ok = (s: Saga) => !s.refusal && !s.broken

export interface RedemptionDeps {
  models: MallModels
  ledger: LedgerService
  coupons: CouponsService
  members: MemberRepository
  tiers: TierTable
  events: DomainEvents
  jobs: JobRunner
  audit: AuditLog
  now: () => Date
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>
}

/**
 * Redemptions, without multi-document transactions. The redemption document is the saga's log; each step is one
 * conditional write keyed by the redemption's id, and leaves its own record where it writes, so running a step again
 * changes nothing:
 *
 *   0. the repair job (one per batch, listing its redemption ids) is scheduled, then the redemptions are inserted
 *      `created`, each under an id derived from the member's idempotency key (two requests with one key: one insert);
 *   1. the member's slot (items with a per-member limit): a conditional upsert on the (item, member) claim — below
 *      the limit, this id not in `rids`;
 *   2. a unit of stock: `stockLeft ≥ n` → `$inc −n`, the ids pushed to the item's `takes` in the same update (the
 *      record of this step: a repair finds its id there);
 *   3. the points, through the ledger under `mall:{id}:spend` (soonest-expiring first; the ledger's entry under that
 *      key is the record: a repeat spends nothing);
 *   4. the coupon, issued under `mall:{id}` (the coupon is the record), or the gift order `MG{id}` (likewise);
 *   5. recorded `done` (one update for the batch), then the ids leave the item's `takes`, and `mall.redeemed` is
 *      written. (Redemptions made before the ledger's entry served as step 3's record were also recorded
 *      `points-taken` in between; a repair still finishes them.)
 * A refusal at any step compensates what was taken — the coupon revoked, the points returned under
 * `mall:{id}:return`, the unit given back (only while the id is in `takes`), the slot released — and ends `failed`.
 * A process dying between any two writes leaves the redemption with an expired lease; its repair job takes it over
 * and runs the remaining steps (each finds its own earlier effect by its key) or the compensation it had begun.
 *
 * Requests arriving together go through the steps together (group commit): one command per step for the batch (the
 * ledger's applyMany, one stock update per item), so a hot item costs about as many writes per batch as one
 * redemption would, and refusals the batch can already see (out of stock, no points) write nothing.
 *
 * Two things keep a hot item's batches short (each batch waits for the one before it, so a batch's length is the
 * mall's throughput):
 *  - an item with ample stock left (AMPLE_STOCK after the batch's units, as the checks just read it) takes steps 2, 3
 *    and 4 at once — the unit, the points and the coupon (a gift's order still waits for the points: a gift order is
 *    never shown to fulfilment before its points are spent). Their refusals are as rare as a check gone stale in a few
 *    milliseconds, and compensate as any late refusal does. With less stock left, the unit is taken first, so a
 *    batch racing for the last units is refused before it spends anything;
 *  - under load (a batch of UNDER_LOAD redemptions or more, or requests waiting behind it), a batch is answered once
 *    its redemptions' effects are all there (unit, points, coupon or gift order), and step 5 — recording them done,
 *    mall.redeemed, the ids out of `takes` — follows while the next batch reads (`tails`; at most MAX_TAILS at once).
 *    Every read of redemptions in this process waits for the bookkeeping under way (`settled`), so a member never
 *    sees an answered redemption as processing here; another process may, for those few milliseconds, as it may see
 *    any redemption under way. A crash in between leaves what a crash after step 4 does: the repair job records them
 *    done. A batch that is not under load (or whose requests were all refused) answers only once its own step 5 and
 *    the earlier batches' are written: a burst whose last batch is small leaves everything recorded when it is answered.
 */
export class RedemptionService {
  private readonly batcher: GroupCommit<RedeemRequest, Outcome>
  private readonly processOwner = `mall:${randomBytes(4).toString('hex')}:${process.pid}`
  private runs = 0
  /** step 5 of batches already answered, being written (never rejects: a failure is logged, the repair job finishes) */
  private readonly tails = new Set<Promise<void>>()
  /** the coupon template of each item seen (an item's template never changes): read beside the item, not after it */
  private readonly templateOfItem = new Map<string, string>()

  constructor(
    private readonly deps: RedemptionDeps,
    private readonly options: RedemptionOptions = {},
  ) {
    // two batches at once when there are enough requests for both (each batch costs ~15 commands whatever its size:
    // below 32 each, one batch of all does better than two halves)
    this.batcher = new GroupCommit((requests, admit) => this.runBatch(requests, admit), { maxBatch: options.maxBatch ?? 100, maxInFlight: 2, minShare: 32 })
  }

  private get models() {
    return this.deps.models
  }

  private now(): Date {
    return this.deps.now()
  }

  private newOwner(): string {
    return `${this.processOwner}:${++this.runs}`
  }

  private leaseUntil(now: Date): Date {
    return new Date(now.getTime() + (this.options.leaseMs ?? 30_000))
  }

  /** Resolves when no batch is queued or running, and every answered batch's bookkeeping is written. */
  async idle(): Promise<void> {
    await this.batcher.idle()
    await this.settled()
  }

  /**
   * Resolves once the bookkeeping of the batches answered so far is written (reads of redemptions wait for it; not for
   * batches answered after the read began, which it cannot have been told about).
   */
  async settled(): Promise<void> {
    if (this.tails.size > 0) await Promise.all([...this.tails])
  }

  /**
   * Redeems an item for a member: `created` true with the new redemption (201), or false with the one this
   * idempotency key made before (200). Refusals throw their 409.
   */
  async redeem(memberId: string, input: CreateRedemption): Promise<{ created: boolean; redemption: Redemption }> {
    const key = redemptionKey(memberId, input.idempotencyKey)
    const requestHash = fingerprint([input.itemId, input.address ?? null])
    const outcome = await this.batcher.submit({ memberId, input, key, requestHash })
    if (outcome.kind === 'error') throw outcome.error
    if (outcome.kind === 'created') return { created: true, redemption: this.viewOf(outcome.doc, outcome.gift, outcome.coupon) }
    return { created: false, redemption: await this.replay(key, requestHash) }
  }

  /** A request whose key made a redemption before: that redemption (waiting briefly for one under way), or its refusal. */
  private async replay(key: string, requestHash: string): Promise<Redemption> {
    await this.settled()
    let doc: RedemptionDoc | null = null
    for (let i = 0; i < 60; i++) {
      doc = await this.models.Redemption.findById(redemptionIdFor(key)).lean<RedemptionDoc>()
      if (!doc) throw new Error(`redemption ${key} vanished`)
      if (doc.requestHash !== requestHash) throw new Conflict('this idempotencyKey was used for another redemption (another item or address); use a new key')
      if (TERMINAL_STATES.includes(doc.state)) break
      // its process died: finish it here rather than wait for the repair job
      if (!doc.leaseUntil || doc.leaseUntil.getTime() <= this.now().getTime()) {
        await this.repair(doc._id.toString())
        continue
      }
      await new Promise((r) => setTimeout(r, Math.min(200, 10 + i * 10)))
    }
    if (doc!.state === 'failed') {
      const failure = doc!.failure as { code: string; message: string }
      throw refusalError(failure.code, failure.message)
    }
    return (await this.views([doc!]))[0]!
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the batch: checks, then the steps for every redemption of the batch at once

  private async runBatch(requests: RedeemRequest[], admit: () => void): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(requests.length)
    try {
      await this.batch(requests, outcomes, admit)
    } catch (error) {
      for (let i = 0; i < requests.length; i++) if (!outcomes[i]) outcomes[i] = { kind: 'error', error: error as Error }
    }
    return outcomes
  }

  /**
   * One batch: the checks' reads, then the steps. Two batches may be under way at once, each in its own phase: the
   * next one starts its reads once this one is done with its own (`admit`), and reads while this one writes. (What
   * they share holds as between two processes: every step is a conditional write, the ledger's guarded by the
   * member's revision.)
   */
  private async batch(requests: RedeemRequest[], outcomes: Outcome[], admit: () => void): Promise<void> {
    const now = this.now()
    // the same key twice in one batch: the later ones answer what the first gets
    const first = new Map<string, number>()
    const repeats: number[] = []
    requests.forEach((r, i) => (first.has(r.key) ? repeats.push(i) : first.set(r.key, i)))
    const fresh = [...first.values()]
    // what the checks read, at once: the redemptions already made under these keys (a redemption's id derives from
    // its key: a repeated key finds its redemption by _id), the items, the members, the tiers — one read each — and
    // the coupon templates of the items seen before
    const itemIds = [...new Set(fresh.map((i) => requests[i]!.input.itemId))]
    const memberIds = [...new Set(fresh.map((i) => requests[i]!.memberId))]
    const early = new Map<string, Promise<CouponTemplateDoc | null>>()
    for (const id of itemIds) {
      const templateId = this.templateOfItem.get(id)
      if (templateId && !early.has(templateId)) early.set(templateId, this.deps.coupons.templates.doc(templateId))
    }
    const [existing, items, members, tiers] = await Promise.all([
      this.models.Redemption.find({ _id: { $in: fresh.map((i) => redemptionIdFor(requests[i]!.key)) } }, { key: 1 })
        .lean()
        .then((docs) => new Set(docs.map((d) => d.key as string))),
      this.models.MallItem.find({ _id: { $in: itemIds.map((id) => new Types.ObjectId(id)) } }, { takes: 0, returns: 0 })
        .lean<MallItemDoc[]>()
        .then((docs) => new Map(docs.map((d) => [d._id.toString(), d]))),
      this.deps.members
        .findManyByRefKeys(memberIds.map((m) => memberRefKey({ memberId: m })))
        .then((found) => new Map(memberIds.map((m) => [m, found.get(memberRefKey({ memberId: m })) ?? null]))),
      this.deps.tiers.current(),
    ])
    const candidates = fresh.filter((i) => {
      if (!existing.has(requests[i]!.key)) return true
      outcomes[i] = { kind: 'replay' }
      return false
    })
    // then the coupon templates of items not seen before, and the members' claims on the items with a per-member limit
    if (this.templateOfItem.size > 10_000) this.templateOfItem.clear()
    for (const [id, d] of items) if (d.couponTemplateId) this.templateOfItem.set(id, d.couponTemplateId.toString())
    const templateIds = [...new Set([...items.values()].map((d) => d.couponTemplateId?.toString()).filter((t): t is string => !!t))]
    const limited = candidates.filter((i) => items.get(requests[i]!.input.itemId)?.perMemberLimit != null)
    const [templates, claims] = await Promise.all([
      Promise.all(templateIds.map(async (t) => [t, await (early.get(t) ?? this.deps.coupons.templates.doc(t))] as const)).then((e) => new Map(e)),
      limited.length === 0
        ? new Map<string, number>()
        : this.models.MallClaim.find({ _id: { $in: limited.map((i) => claimId(requests[i]!.input.itemId, requests[i]!.memberId)) } }, { n: 1 })
            .lean()
            .then((docs) => new Map(docs.map((d) => [String(d._id), d.n as number]))),
    ])

    admit()

    // the checks, in arrival order, as if each accepted request had already taken its unit, slot and points
    const stockLeft = new Map([...items].map(([id, d]) => [id, d.stockLeft]))
    const points = new Map([...members].map(([id, m]) => [id, m?.points?.available ?? 0]))
    const held = new Map(claims)
    const sagas: { index: number; saga: Saga }[] = []
    for (const i of candidates) {
      const { memberId, input, key, requestHash } = requests[i]!
      const item = items.get(input.itemId)
      const member = members.get(memberId)
      if (!item) {
        outcomes[i] = { kind: 'error', error: new NotFound(`mall item ${input.itemId} not found`) }
        continue
      }
      if (!member) {
        outcomes[i] = { kind: 'error', error: new NotFound(`member ${memberId} not found`) }
        continue
      }
      if (item.kind === 'gift' && !input.address) {
        outcomes[i] = { kind: 'error', error: new ValidationFailed('body.address: a gift needs the shipping address') }
        continue
      }
      const templateDoc = item.couponTemplateId ? templates.get(item.couponTemplateId.toString()) : null
      const template = templateDoc ? templateView(templateDoc) : null
      const cid = claimId(item._id, memberId)
      const refusal =
        item.kind === 'coupon' && !template
          ? 'NOT_AVAILABLE'
          : refusalFor(
              {
                status: item.status,
                availableFrom: item.availableFrom ?? null,
                availableTo: item.availableTo ?? null,
                tiers: (item.tiers as string[] | null) ?? null,
                stockLeft: stockLeft.get(input.itemId)!,
                perMemberLimit: item.perMemberLimit ?? null,
                pointsPrice: item.pointsPrice,
              },
              { now, tierCode: tiers.find((t) => t.level === member.tierLevel)?.code ?? null, points: points.get(memberId)!, held: held.get(cid) ?? 0 },
              template,
            )
      if (refusal) {
        outcomes[i] = { kind: 'error', error: refusalError(refusal, refusalMessage(refusal, item.name, { limit: item.perMemberLimit, price: item.pointsPrice })) }
        continue
      }
      stockLeft.set(input.itemId, stockLeft.get(input.itemId)! - 1)
      points.set(memberId, points.get(memberId)! - item.pointsPrice)
      held.set(cid, (held.get(cid) ?? 0) + 1)
      const doc = {
        _id: redemptionIdFor(key),
        key,
        requestHash,
        memberId: new Types.ObjectId(memberId),
        itemId: item._id,
        kind: item.kind,
        itemName: item.name,
        pointsPrice: item.pointsPrice,
        cashFen: item.cashFen ?? null,
        couponTemplateId: item.couponTemplateId ?? null,
        address: item.kind === 'gift' ? input.address : null,
        state: 'created' as RedemptionState,
        failure: null,
        coupon: null,
        // the gift order's id derives from the redemption's (it is inserted with the coupon's step, and shown once there)
        giftOrderId: item.kind === 'gift' ? giftOrderId(redemptionIdFor(key).toString()) : null,
        leaseOwner: null as string | null,
        leaseUntil: this.leaseUntil(now),
        createdAt: now,
        updatedAt: now,
      }
      sagas.push({ index: i, saga: { doc: doc as unknown as RedemptionDoc, limit: item.perMemberLimit ?? null } })
    }

    let deferred = false
    if (sagas.length > 0) {
      const owner = this.newOwner()
      for (const { saga } of sagas) saga.doc.leaseOwner = owner
      // the items with ample stock left once this batch has its units (see the class comment)
      const ample = new Set([...stockLeft].filter(([, left]) => left >= AMPLE_STOCK).map(([id]) => id))
      // the bookkeeping of earlier batches still being written: at most MAX_TAILS of them before this one writes
      while (this.tails.size >= MAX_TAILS) await Promise.race(this.tails)
      // 0. the repair jobs first: from here on, a crash leaves nothing the job runner won't finish or undo
      await this.deps.jobs.scheduleMany([this.repairJob(owner, sagas.map(({ saga }) => saga.doc._id.toString()), now)])
      // (the fields still null are left out: each field is work on every write of the document, and a missing field
      // reads as null)
      const taken = await duplicatesOf(() => this.models.Redemption.collection.insertMany(sagas.map(({ saga }) => withoutNulls(saga.doc)) as never[], { ordered: false }))
      // a key another process inserted at the same moment: that redemption is the answer
      const live = sagas.filter(({ index }, n) => {
        if (!taken.has(n)) return true
        outcomes[index] = { kind: 'replay' }
        return false
      })
      await this.hook('created', live.map(({ saga }) => saga))
      const known = new Map([...members].filter((e): e is [string, Member] => e[1] !== null))
      deferred = await this.forward(
        live.map(({ saga }) => saga),
        owner,
        // the templates just read are those the coupons are issued from (a moment later: as if issued with the check)
        { known, firstRun: true, ample, templates: new Map([...templates].filter((e): e is [string, CouponTemplateDoc] => e[1] !== null)) },
      )
      for (const { index, saga } of live) {
        if (saga.broken) this.deps.log.warn({ err: saga.broken, redemptionId: saga.doc._id.toString(), state: saga.doc.state }, 'redemption left to its repair job')
        if (saga.broken) outcomes[index] = { kind: 'error', error: saga.broken }
        else if (saga.refusal) outcomes[index] = { kind: 'error', error: saga.refusal }
        else outcomes[index] = { kind: 'created', doc: saga.doc, gift: saga.gift ?? null, coupon: saga.coupon ?? null }
      }
    }

    for (const i of repeats) {
      const owner = outcomes[first.get(requests[i]!.key)!]!
      if (owner.kind === 'created' && owner.doc.requestHash !== requests[i]!.requestHash) {
        outcomes[i] = { kind: 'error', error: new Conflict('this idempotencyKey was used for another redemption (another item or address); use a new key') }
      } else outcomes[i] = owner.kind === 'created' ? { kind: 'replay' } : owner
    }
    // a batch that wrote its own bookkeeping answers once the earlier batches' is written too: the last batch of a burst
    // (small, or all refused) leaves everything recorded
    if (!deferred) await this.settled()
  }

  /** One job for the batch, due once the lease has run out: it finds the redemptions done, or finishes them. */
  private repairJob(runId: string, redemptionIds: string[], now: Date): JobSpec {
    return {
      key: repairJobKey(runId),
      type: REPAIR_JOB,
      payload: { redemptionIds },
      dueAt: new Date(now.getTime() + (this.options.repairAfterMs ?? 60_000)),
      maxAttempts: 50,
    }
  }

  private async hook(step: SagaStep, sagas: Saga[]): Promise<void> {
    if (this.options.afterStep && sagas.length > 0) await this.options.afterStep(step, sagas.map((s) => s.doc._id.toString()))
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the steps

  /**
   * Runs the remaining steps of these redemptions (each from the state it is in), holding the lease `owner`.
   * `firstRun`: the redemptions were made by this run (not a repair's), so nothing before it took anything for them;
   * `ample`: its items with ample stock (their unit, points and coupon are taken at once — see the class comment).
   * Answers whether step 5 was left to write after the answer (first run under load).
   */
  private async forward(
    sagas: Saga[],
    owner: string,
    run: { known?: ReadonlyMap<string, Member>; firstRun?: boolean; ample?: ReadonlySet<string>; templates?: ReadonlyMap<string, CouponTemplateDoc> } = {},
  ): Promise<boolean> {
    const fresh = sagas.filter((s) => ok(s) && s.doc.state === 'created')
    // coupons issued beside the points (ample stock): not issued again with the others
    const delivered = new Set<Saga>()
    // step 5 left to write after the answer
    let deferred = false
    if (fresh.length > 0) {
      // an item without a per-member limit has no slots to count (a limit set later counts from then on)
      await this.claimSlots(fresh.filter((s) => s.limit !== null))
      const together = run.firstRun && run.ample ? fresh.filter((s) => ok(s) && run.ample!.has(s.doc.itemId.toString())) : []
      const unitFirst = fresh.filter((s) => ok(s) && !together.includes(s))
      await this.takeStock(unitFirst)
      if (run.firstRun) await this.failEarly(unitFirst, owner)
      else await this.failRefused(unitFirst, owner)
      // not recorded on the redemption: the item's `takes` (written with the unit) are the record of this step
      await this.hook('stock-taken', unitFirst.filter(ok))
      const coupons = together.filter((s) => ok(s) && s.doc.kind === 'coupon')
      for (const s of coupons) delivered.add(s)
      await allSettled([this.takeStock(together.filter(ok)), this.takePoints(fresh.filter(ok), run.known), this.deliver(coupons, run)])
      await this.hook('stock-taken', together.filter(ok))
      await this.failRefused(fresh, owner)
      // nor this one: the ledger's entry under `mall:{id}:spend` is its record (a repair running the step again finds
      // it, and spends nothing twice)
      await this.hook('points-taken', fresh.filter(ok))
    }
    // `points-taken`: recorded by redemptions made before the ledger's entry served as the record
    const live = sagas.filter((s) => ok(s) && (s.doc.state === 'created' || s.doc.state === 'points-taken'))
    if (live.length > 0) {
      await this.deliver(
        live.filter((s) => !delivered.has(s)),
        run,
      )
      await this.failRefused(live, owner)
      // the coupon's record is the coupon issued under the redemption's key, the gift's its order `MG{id}`
      await this.hook('delivered', live.filter(ok))
      // step 5 after the answer under load; before it otherwise (see the class comment)
      const done = live.filter(ok)
      if (run.firstRun && (done.length >= UNDER_LOAD || this.batcher.othersWaiting())) {
        this.finishLater(done, owner)
        deferred = true
      } else await this.finish(done, owner)
    }
    await this.hook(
      'failed',
      sagas.filter((s) => s.doc.state === 'failed'),
    )
    return deferred
  }

  /** Step 1: each member's slot for the item (claim counter, conditional upsert; a repeated claim takes nothing). */
  private async claimSlots(sagas: Saga[]): Promise<void> {
    if (sagas.length === 0) return
    const op = (s: Saga) => {
      const rid = s.doc._id.toString()
      return {
        updateOne: {
          filter: { _id: claimId(s.doc.itemId, s.doc.memberId), rids: { $ne: rid }, ...(s.limit !== null ? { n: { $lt: s.limit } } : {}) },
          update: { $inc: { n: 1 }, $push: { rids: rid }, $setOnInsert: { itemId: s.doc.itemId, memberId: s.doc.memberId } },
          upsert: true,
        },
      }
    }
    // a counter at its limit (or holding this id already) makes the upsert insert a duplicate _id: refused or done,
    // which the read below tells apart — what the counters hold decides, not the bulk write's own report
    await ignoreDuplicates(() => this.models.MallClaim.bulkWrite(sagas.map(op) as never, { ordered: false }))
    let pending = sagas
    for (let round = 0; pending.length > 0; round++) {
      const docs = new Map(
        (await this.models.MallClaim.find({ _id: { $in: [...new Set(pending.map((s) => claimId(s.doc.itemId, s.doc.memberId)))] } }).lean()).map((d) => [String(d._id), d]),
      )
      const again: Saga[] = []
      for (const s of pending) {
        const claim = docs.get(claimId(s.doc.itemId, s.doc.memberId))
        if (claim && (claim.rids as string[]).includes(s.doc._id.toString())) {
          s.slot = true
          continue
        }
        if (s.limit !== null && (claim?.n ?? 0) >= s.limit) s.refusal = new LimitReached(refusalMessage('LIMIT_REACHED', s.doc.itemName, { limit: s.limit }))
        else again.push(s)
      }
      if (again.length > 0 && round >= 5) {
        for (const s of again) s.broken = new Error(`could not claim a slot of ${s.doc.itemName}: the counter kept changing`)
        return
      }
      // not taken and not refused (an insert lost to another at the same moment): once more, one at a time
      for (const s of again) await ignoreDuplicates(() => this.models.MallClaim.updateOne(op(s).updateOne.filter, op(s).updateOne.update, { upsert: true }))
      pending = again
    }
  }

  /**
   * Step 2: a unit of stock each, one conditional update per item for the batch (`stockLeft ≥ n`, none of the ids
   * already in `takes`). When fewer are left, the first ones in the batch get them; the others are refused.
   */
  private async takeStock(sagas: Saga[]): Promise<void> {
    const byItem = new Map<string, Saga[]>()
    for (const s of sagas) byItem.set(s.doc.itemId.toString(), [...(byItem.get(s.doc.itemId.toString()) ?? []), s])
    for (const [itemId, group] of byItem) {
      let pending = group
      for (let attempt = 0; pending.length > 0; attempt++) {
        const ids = pending.map((s) => s.doc._id.toString())
        const taken = await this.models.MallItem.updateOne(
          { _id: new Types.ObjectId(itemId), stockLeft: { $gte: ids.length }, takes: { $nin: ids } },
          { $inc: { stockLeft: -ids.length }, $push: { takes: { $each: ids } } },
        )
        if (taken.modifiedCount === 1) break
        const item = await this.models.MallItem.findById(itemId, { stockLeft: 1, takes: 1 }).lean()
        const takes = new Set((item?.takes as string[] | undefined) ?? [])
        // taken before (a repair running the step again): nothing more to take for them
        pending = pending.filter((s) => !takes.has(s.doc._id.toString()))
        const left = Math.max(0, item?.stockLeft ?? 0)
        for (const s of pending.slice(left)) s.refusal = item ? new OutOfStock(refusalMessage('OUT_OF_STOCK', s.doc.itemName)) : new NotAvailable(`mall item ${itemId} is gone`)
        pending = pending.slice(0, left)
        if (attempt >= 20 && pending.length > 0) {
          for (const s of pending) s.broken = new Error(`could not take stock of ${s.doc.itemName}: it kept changing`)
          break
        }
      }
    }
  }

  /**
   * Step 3: the points, through the ledger in one call for the batch (each member's redemptions in order, the
   * soonest-expiring points first). A member short of points gets a change that changes nothing (`noop`) and the
   * redemption is refused; a repeat of the key (`duplicate`) was spent before.
   */
  private async takePoints(sagas: Saga[], known?: ReadonlyMap<string, Member>): Promise<void> {
    const at = this.now()
    const short = new Map<string, boolean>()
    const batches: MemberOps[] = sagas.map((s) => {
      const rid = s.doc._id.toString()
      const price = s.doc.pointsPrice
      return {
        memberId: s.doc.memberId,
        ops: [
          {
            key: spendKey(rid),
            reason: 'redeem',
            at,
            note: s.doc.itemName,
            pointsOnly: true,
            compute: (b, { policy }) => {
              short.set(rid, b.available < price)
              return b.available < price ? unchanged(b) : debit(b, price, 'spend', policy)
            },
          },
        ],
      }
    })
    let results
    try {
      // the members the checks just read (a member changed since is read again by the ledger's guarded update)
      results = await this.deps.ledger.applyMany(batches, known)
    } catch (error) {
      for (const s of sagas) s.broken = error as Error
      return
    }
    for (const s of sagas) {
      const rid = s.doc._id.toString()
      const result = results.get(spendKey(rid))
      const spent = result?.status === 'applied' ? !short.get(rid) : result?.status === 'duplicate' ? (await this.deps.ledger.entry(spendKey(rid))) !== null : false
      if (!spent) s.refusal = new InsufficientPoints(refusalMessage('INSUFFICIENT_POINTS', s.doc.itemName, { price: s.doc.pointsPrice }))
    }
  }

  /** Step 4: the coupons (issued under `mall:{id}`, once per key) and the gift orders (`MG{id}`, inserted once). */
  private async deliver(sagas: Saga[], run: { firstRun?: boolean; templates?: ReadonlyMap<string, CouponTemplateDoc> }): Promise<void> {
    const at = this.now()
    // the batch's coupons in a few commands (the coupons service answers each its coupon or its refusal); on the run
    // that made the redemptions, their keys are new (nothing to look for first) and the templates were just read
    const couponSagas = sagas.filter((s) => s.doc.kind === 'coupon')
    const issued =
      couponSagas.length === 0
        ? []
        : await this.deps.coupons.issuer
            .issueMany(
              couponSagas.map((s) => ({ templateId: s.doc.couponTemplateId!.toString(), memberId: s.doc.memberId.toString(), key: couponKey(s.doc._id.toString()), source: 'mall' as const, at })),
              { fresh: run.firstRun, templates: run.templates },
            )
            .catch((error: Error) => couponSagas.map(() => error))
    couponSagas.forEach((s, i) => {
      const result = issued[i]!
      if (!(result instanceof Error)) {
        const { coupon } = result
        s.coupon = redemptionCoupon(coupon)
        return
      }
      const code = (result as { code?: string }).code
      if (code && REFUSAL_CODES.has(code)) s.refusal = result
      else if (code === 'NOT_FOUND') s.refusal = new NotAvailable(`the coupon of ${s.doc.itemName} is no longer offered`)
      else s.broken = result
    })
    const gifts = sagas.filter((s) => s.doc.kind === 'gift')
    if (gifts.length > 0) {
      for (const s of gifts) {
        const rid = s.doc._id.toString()
        s.gift = {
          _id: giftOrderId(rid),
          redemptionId: s.doc._id,
          memberId: s.doc.memberId,
          itemId: s.doc.itemId,
          itemName: s.doc.itemName,
          cashFen: s.doc.cashFen ?? null,
          address: s.doc.address,
          state: 'pending',
          carrier: null,
          trackingNo: null,
          createdAt: at,
          shippedAt: null,
          deliveredAt: null,
          cancelledAt: null,
          lateEvent: null,
        } as unknown as GiftOrderDoc
      }
      try {
        // a gift order inserted before (a repair running the step again) stays as it is
        await duplicatesOf(() => this.models.GiftOrder.collection.insertMany(gifts.map((s) => ({ ...s.gift })) as never[], { ordered: false }))
      } catch (error) {
        for (const s of gifts) s.broken = error as Error
      }
    }
  }

  /**
   * Records the batch done (guarded by state and lease) in one update, the same for every redemption of the batch
   * (the coupon is the one issued under the redemption's key, the gift order `MG{id}`: nothing of its own to write),
   * and writes mall.redeemed at the same time: a redemption whose coupon or gift order is there ends done whoever
   * records it (a repair running its steps again finds each one taken), so the event is true either way. Then the
   * ids leave the units' `takes` — only once recorded done, or a repair would take a unit again.
   */
  private async finish(sagas: Saga[], owner: string, now = this.now()): Promise<void> {
    if (sagas.length === 0) return
    const [result] = await Promise.all([
      this.models.Redemption.updateMany(
        { _id: { $in: sagas.map((s) => s.doc._id) }, state: { $in: ['created', 'points-taken'] }, leaseOwner: owner },
        { $set: { state: 'done', leaseOwner: null, leaseUntil: null, updatedAt: now } },
      ),
      this.deps.events.writeMany(sagas.map((s) => this.redeemedEvent({ ...s.doc, updatedAt: now }))),
    ])
    const done = result.modifiedCount === sagas.length ? sagas : await this.confirm(sagas, 'done')
    for (const s of done) Object.assign(s.doc, { state: 'done', leaseOwner: null, leaseUntil: null, updatedAt: now })
    await this.releaseTakes(done)
    await this.hook('done', done)
  }

  /**
   * Step 5 once the batch is answered: the redemptions are done from here on (every effect is there, so whoever records
   * them ends them done) — in memory at once, for the answer — and `finish` records them while the next batch reads.
   * This process's reads of redemptions wait for it (`settled`); if it fails, or the process dies, their repair job
   * records them.
   */
  private finishLater(sagas: Saga[], owner: string): void {
    if (sagas.length === 0) return
    const at = this.now()
    for (const s of sagas) Object.assign(s.doc, { state: 'done', leaseOwner: null, leaseUntil: null, updatedAt: at })
    // (copies: what finish finds is for the log, not the answer)
    const copies = sagas.map((s) => ({ ...s }))
    const ids = () => copies.map((s) => s.doc._id.toString())
    const tail = this.finish(copies, owner, at).then(
      () => {
        const lost = copies.filter((s) => s.broken)
        if (lost.length > 0) this.deps.log.warn({ redemptionIds: lost.map((s) => s.doc._id.toString()) }, 'answered redemptions taken over by their repair, which records them done')
      },
      (error: unknown) => this.deps.log.error({ err: error, redemptionIds: ids() }, 'answered redemptions not recorded done yet: left to their repair job'),
    )
    this.tails.add(tail)
    void tail.finally(() => this.tails.delete(tail))
  }

  /** The ids of redemptions recorded done (or cancelled) leave their items' `takes` / `returns`. */
  private async releaseTakes(sagas: Saga[]): Promise<void> {
    const byItem = new Map<string, string[]>()
    for (const s of sagas) byItem.set(s.doc.itemId.toString(), [...(byItem.get(s.doc.itemId.toString()) ?? []), s.doc._id.toString()])
    for (const [itemId, ids] of byItem) await this.models.MallItem.updateOne({ _id: new Types.ObjectId(itemId) }, { $pullAll: { takes: ids } })
  }

  private redeemedEvent(doc: RedemptionDoc): DomainEventInput {
    return {
      key: redeemedEventKey(doc._id.toString()),
      type: 'mall.redeemed',
      memberId: doc.memberId,
      payload: {
        redemptionId: doc._id.toString(),
        itemId: doc.itemId.toString(),
        kind: doc.kind,
        itemName: doc.itemName,
        pointsPrice: doc.pointsPrice,
        couponId: doc.kind === 'coupon' ? redemptionCouponId(doc) : null,
        giftOrderId: doc.giftOrderId ?? null,
      },
      at: doc.updatedAt as Date,
    }
  }

  /** Of these, the redemptions now in `to`; the others are marked broken (another process holds them). */
  private async confirm(sagas: Saga[], to: RedemptionState): Promise<Saga[]> {
    const states = new Map(
      (await this.models.Redemption.find({ _id: { $in: sagas.map((s) => s.doc._id) } }, { state: 1, leaseOwner: 1 }).lean()).map((d) => [d._id.toString(), d.state]),
    )
    return sagas.filter((s) => {
      if (states.get(s.doc._id.toString()) === to) return true
      s.broken = new Conflict('the redemption was taken over by its repair; ask again with the same idempotencyKey')
      return false
    })
  }

  /**
   * The redemptions refused at the slot or the stock step of the run that made them (not a repair): nothing but the
   * slot can have been taken — the points and the coupon come later, and no run before this one took anything — so
   * they end failed without the whole compensation, a few commands for all of them (two batches racing for the last
   * units refuse several at once): those holding a slot are marked `compensating` first (a crash from there on is
   * compensated by the repair), their slots released, then all are recorded `failed`.
   */
  private async failEarly(sagas: Saga[], owner: string): Promise<void> {
    const refused = sagas.filter((s) => s.refusal && !s.broken && s.doc.state === 'created')
    if (refused.length === 0) return
    const failureOf = (s: Saga) => ({ code: (s.refusal as { code?: string }).code ?? 'CONFLICT', message: s.refusal!.message })
    // one guarded update per failure (usually one: the item's unit, out of stock): from `from` to `to`
    const move = async (group: Saga[], from: RedemptionState[], to: RedemptionState) => {
      const byFailure = new Map<string, Saga[]>()
      for (const s of group) byFailure.set(JSON.stringify(failureOf(s)), [...(byFailure.get(JSON.stringify(failureOf(s))) ?? []), s])
      let moved: Saga[] = []
      for (const [failure, members] of byFailure) {
        const lease = to === 'failed' ? { leaseOwner: null, leaseUntil: null } : {}
        const result = await this.models.Redemption.updateMany(
          { _id: { $in: members.map((s) => s.doc._id) }, state: { $in: from }, leaseOwner: owner },
          { $set: { state: to, failure: JSON.parse(failure), updatedAt: this.now(), ...lease } },
        )
        moved = moved.concat(result.modifiedCount === members.length ? members : await this.confirm(members, to))
      }
      for (const s of moved) s.doc.state = to
      return moved
    }
    const holding = await move(
      refused.filter((s) => s.slot),
      ['created'],
      'compensating',
    )
    for (const s of holding) await this.releaseSlot(s.doc)
    await move([...holding, ...refused.filter((s) => !s.slot)], ['created', 'compensating'], 'failed')
  }

  /** The refused redemptions of a step: compensated and failed, one at a time (refusals the checks missed are rare). */
  private async failRefused(sagas: Saga[], owner: string): Promise<void> {
    for (const s of sagas) {
      if (!s.refusal || s.broken || s.doc.state === 'failed') continue
      const code = (s.refusal as { code?: string }).code ?? 'CONFLICT'
      try {
        if (await this.compensate(s.doc, { code, message: s.refusal.message }, owner)) s.doc.state = 'failed'
        else s.broken = new Conflict('the redemption was taken over by its repair; ask again with the same idempotencyKey')
      } catch (error) {
        s.broken = error as Error
      }
    }
  }

  /**
   * Gives back everything a redemption took, each once whatever ran before — the coupon revoked, the points returned
   * (only if spent), the unit (only while its id is in the item's `takes`), the slot — and ends it `failed`. False
   * when another process holds the redemption.
   */
  private async compensate(doc: RedemptionDoc, failure: { code: string; message: string }, owner: string): Promise<boolean> {
    const rid = doc._id.toString()
    const now = this.now()
    const started = await this.models.Redemption.updateOne(
      { _id: doc._id, state: { $in: ['created', 'points-taken', 'compensating'] }, leaseOwner: owner },
      { $set: { state: 'compensating', failure, updatedAt: now } },
    )
    if (started.matchedCount === 0) return false
    if (doc.kind === 'coupon') await this.deps.coupons.revoke(couponKey(rid), `mall redemption failed: ${failure.code}`)
    else await this.models.GiftOrder.updateOne({ _id: giftOrderId(rid), state: 'pending' }, { $set: { state: 'cancelled', cancelledAt: now } })
    await this.returnPoints(doc, now)
    await this.models.MallItem.updateOne({ _id: doc.itemId, takes: rid }, { $inc: { stockLeft: 1 }, $pull: { takes: rid } })
    await this.releaseSlot(doc)
    await this.models.Redemption.updateOne({ _id: doc._id, state: 'compensating' }, { $set: { state: 'failed', leaseOwner: null, leaseUntil: null, updatedAt: this.now() } })
    return true
  }

  /** The redemption's points back, under their own key — only if they were spent. */
  private async returnPoints(doc: RedemptionDoc, at: Date): Promise<void> {
    const rid = doc._id.toString()
    // the ledger writes a change's entries just after the member's balances; a change cut off in between is finished
    // by the next change to the member — this one, which changes nothing — so the spend's entry is there if it happened
    await this.deps.ledger.apply(doc.memberId, { key: probeKey(rid), reason: 'redeem', at, compute: (b) => unchanged(b) })
    if (!(await this.deps.ledger.entry(spendKey(rid)))) return
    await this.deps.ledger.apply(doc.memberId, {
      key: returnKey(rid),
      reason: 'redeem-return',
      at,
      note: doc.itemName,
      compute: (b, { policy }) => credit(b, doc.pointsPrice, at, policy),
    })
  }

  private async releaseSlot(doc: RedemptionDoc): Promise<void> {
    const rid = doc._id.toString()
    await this.models.MallClaim.updateOne({ _id: claimId(doc.itemId, doc.memberId), rids: rid }, { $inc: { n: -1 }, $pull: { rids: rid } })
  }

  // ---------------------------------------------------------------------------------------------------------------
  // repair, cancel

  /**
   * The repair job of a batch: the redemptions done, failed or cancelled are tidied up (their ids out of the items'
   * `takes` / `returns`, mall.redeemed written if missing); each of the others is repaired (repairOne). A redemption
   * still held by a live process brings the job back when its lease ends; one that fails makes the job retry.
   */
  async repairAll(redemptionIds: string[]): Promise<JobOutcome> {
    const ids = redemptionIds.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id))
    if (ids.length === 0) return
    await this.settled()
    const docs = await this.models.Redemption.find({ _id: { $in: ids } }).lean<RedemptionDoc[]>()
    await this.tidy(docs.filter((d) => TERMINAL_STATES.includes(d.state)))
    let later: Date | null = null
    let failure: unknown = null
    for (const doc of docs.filter((d) => !TERMINAL_STATES.includes(d.state))) {
      try {
        const outcome = await this.repairOne(doc)
        if (outcome && (!later || outcome.rescheduleAt > later)) later = outcome.rescheduleAt
      } catch (error) {
        failure = error
      }
    }
    if (failure) throw failure
    return later ? { rescheduleAt: later } : undefined
  }

  /** Repairs one redemption now (a repeated request finding its process dead, a cancellation left half-way). */
  async repair(redemptionId: string): Promise<JobOutcome> {
    if (!Types.ObjectId.isValid(redemptionId)) return
    await this.settled()
    const doc = await this.models.Redemption.findById(redemptionId).lean<RedemptionDoc>()
    if (!doc) return
    if (TERMINAL_STATES.includes(doc.state)) return void (await this.tidy([doc]))
    return this.repairOne(doc)
  }

  /** Finished redemptions: their ids leave the items' `takes` / `returns` where still there; done ones' events written. */
  private async tidy(docs: RedemptionDoc[]): Promise<void> {
    if (docs.length === 0) return
    const ids = new Set(docs.map((d) => d._id.toString()))
    const items = await this.models.MallItem.find({ _id: { $in: [...new Set(docs.map((d) => d.itemId.toString()))].map((id) => new Types.ObjectId(id)) } }, { takes: 1, returns: 1 }).lean()
    for (const item of items) {
      const stale = [...((item.takes as string[]) ?? []), ...((item.returns as string[]) ?? [])].filter((id) => ids.has(id))
      if (stale.length > 0) await this.models.MallItem.updateOne({ _id: item._id }, { $pullAll: { takes: stale, returns: stale } })
    }
    const done = docs.filter((d) => d.state === 'done')
    if (done.length > 0) await this.deps.events.writeMany(done.map((d) => this.redeemedEvent(d)), { checkFirst: true })
  }

  /**
   * One redemption not finished: held by a live process — comes back when its lease ends; otherwise takes the lease
   * and runs the remaining steps, the compensation, or the cancellation it had begun.
   */
  private async repairOne(doc: RedemptionDoc): Promise<{ rescheduleAt: Date } | void> {
    const now = this.now()
    if (doc.leaseUntil && doc.leaseUntil.getTime() > now.getTime()) return { rescheduleAt: new Date(doc.leaseUntil.getTime() + 1000) }
    const owner = this.newOwner()
    const leased = await this.models.Redemption.updateOne(
      { _id: doc._id, state: doc.state, leaseOwner: doc.leaseOwner ?? null, leaseUntil: doc.leaseUntil ?? null },
      { $set: { leaseOwner: owner, leaseUntil: this.leaseUntil(now) } },
    )
    if (leased.modifiedCount === 0) return { rescheduleAt: new Date(now.getTime() + 1000) }
    const held = { ...doc, leaseOwner: owner } as RedemptionDoc
    if (held.state === 'compensating') {
      const failure = (held.failure as { code: string; message: string } | null) ?? { code: 'CONFLICT', message: 'the redemption could not be completed' }
      await this.compensate(held, failure, owner)
      await this.hook('failed', [{ doc: held, limit: null }])
      return
    }
    if (held.state === 'cancelling') {
      await this.finishCancel(held, owner)
      return
    }
    const item = await this.models.MallItem.findById(held.itemId, { perMemberLimit: 1 }).lean()
    const saga: Saga = { doc: held, limit: item?.perMemberLimit ?? null }
    await this.forward([saga], owner)
    if (saga.broken) throw saga.broken
  }

  /**
   * Cancels a gift before it ships: the points and the unit come back, the slot is released. `memberId` scopes it to
   * the member's own (another's is a 404). A gift already shipped is a 409; a cancelled one answers as it is.
   */
  async cancel(redemptionId: string, by: { memberId?: string; actor: string; role: string; reason?: string }): Promise<Redemption> {
    const doc = await this.find(redemptionId, by.memberId)
    if (doc.kind !== 'gift') throw new Conflict('only a gift redemption can be cancelled (a coupon stays in the wallet until it is used or expires)')
    if (doc.state === 'cancelled') return (await this.views([doc]))[0]!
    const now = this.now()
    if (doc.state === 'cancelling') {
      if (doc.leaseUntil && doc.leaseUntil.getTime() > now.getTime()) throw new Conflict('the cancellation is under way; ask again in a moment')
      await this.repair(redemptionId)
      return (await this.views([await this.find(redemptionId, by.memberId)]))[0]!
    }
    if (doc.state !== 'done') throw new Conflict(doc.state === 'failed' ? 'this redemption failed; nothing was taken' : 'the redemption is still under way; ask again in a moment')
    const gift = await this.models.GiftOrder.findById(giftOrderId(redemptionId)).lean<GiftOrderDoc>()
    if (!gift || gift.state !== 'pending') throw new Conflict(`the gift has ${gift?.state ?? 'gone'}; it can no longer be cancelled`)
    const owner = this.newOwner()
    await this.deps.jobs.scheduleMany([{ ...this.repairJob(redemptionId, [redemptionId], now), key: cancelJobKey(redemptionId) }])
    const started = await this.models.Redemption.updateOne(
      { _id: doc._id, state: 'done' },
      { $set: { state: 'cancelling', leaseOwner: owner, leaseUntil: this.leaseUntil(now), updatedAt: now, cancelledBy: { actor: by.actor, role: by.role, reason: by.reason ?? null } } },
    )
    if (started.modifiedCount === 0) throw new Conflict('the redemption changed meanwhile; ask again')
    if (by.role !== 'member') {
      await this.deps.audit.record({ actor: by.actor, role: by.role, action: 'mall-redemption.cancel', memberId: doc.memberId, details: { redemptionId, reason: by.reason ?? null }, at: now })
    }
    await this.finishCancel({ ...doc, state: 'cancelling', leaseOwner: owner } as RedemptionDoc, owner)
    return (await this.views([await this.find(redemptionId, by.memberId)]))[0]!
  }

  /**
   * The cancellation's steps, each once: the gift order pending → cancelled (a gift the shop shipped meanwhile turns
   * the redemption back to done: 409), the points returned, the unit back (`returns` marks it until recorded), the
   * slot released, then `cancelled`.
   */
  private async finishCancel(doc: RedemptionDoc, owner: string): Promise<void> {
    const rid = doc._id.toString()
    const now = this.now()
    const stopped = await this.models.GiftOrder.updateOne({ _id: giftOrderId(rid), state: 'pending' }, { $set: { state: 'cancelled', cancelledAt: now } })
    if (stopped.modifiedCount === 0) {
      const gift = await this.models.GiftOrder.findById(giftOrderId(rid), { state: 1 }).lean()
      if (gift && gift.state !== 'cancelled') {
        await this.models.Redemption.updateOne({ _id: doc._id, state: 'cancelling', leaseOwner: owner }, { $set: { state: 'done', leaseOwner: null, leaseUntil: null, updatedAt: now } })
        throw new Conflict(`the gift has ${gift.state}; it can no longer be cancelled`)
      }
    }
    await this.deps.ledger.apply(doc.memberId, {
      key: returnKey(rid),
      reason: 'redeem-return',
      at: now,
      note: doc.itemName,
      compute: (b, { policy }) => credit(b, doc.pointsPrice, now, policy),
    })
    await this.models.MallItem.updateOne({ _id: doc.itemId, returns: { $ne: rid } }, { $inc: { stockLeft: 1 }, $push: { returns: rid } })
    await this.releaseSlot(doc)
    const done = await this.models.Redemption.updateOne(
      { _id: doc._id, state: 'cancelling', leaseOwner: owner },
      { $set: { state: 'cancelled', leaseOwner: null, leaseUntil: null, updatedAt: now } },
    )
    if (done.modifiedCount === 0) return
    await this.models.MallItem.updateOne({ _id: doc.itemId }, { $pull: { returns: rid, takes: rid } })
    await this.deps.events.write({
      key: `mall:${keyPart(rid)}:cancelled`,
      type: 'mall.cancelled',
      memberId: doc.memberId,
      payload: { redemptionId: rid, itemId: doc.itemId.toString(), giftOrderId: giftOrderId(rid), pointsReturned: doc.pointsPrice },
      at: now,
    })
    await this.hook('cancelled', [{ doc, limit: null }])
  }

  // ---------------------------------------------------------------------------------------------------------------
  // reads

  /** A redemption by id, scoped to the member when given (another member's is a 404, like a missing one). */
  private async find(id: string, memberId?: string): Promise<RedemptionDoc> {
    await this.settled()
    const filter: Record<string, unknown> = { _id: new Types.ObjectId(id) }
    if (memberId) filter.memberId = new Types.ObjectId(memberId)
    const doc = await this.models.Redemption.findOne(filter).lean<RedemptionDoc>()
    if (!doc) throw new NotFound(`redemption ${id} not found`)
    return doc
  }

  async get(id: string, memberId?: string): Promise<Redemption> {
    return (await this.views([await this.find(id, memberId)]))[0]!
  }

  /** A member's redemptions, newest first, a page at a time (`cursor` from the previous page). */
  async history(memberId: string, limit: number, cursor?: string): Promise<RedemptionPage> {
    const objectId = (id: string) => (/^[0-9a-f]{24}$/.test(id) ? new Types.ObjectId(id) : null)
    const filter = { memberId: new Types.ObjectId(memberId), ...(cursor !== undefined ? afterCursor(cursor, 'createdAt', objectId) : {}) }
    await this.settled()
    const docs = await this.models.Redemption.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).lean<RedemptionDoc[]>()
    const page = docs.slice(0, limit)
    const last = page[page.length - 1]
    return { items: await this.views(page), nextCursor: docs.length > limit && last ? encodeCursor(last.createdAt as Date, last._id.toString()) : null }
  }

  private async views(docs: RedemptionDoc[]): Promise<Redemption[]> {
    // the gift order a gift ships under, once the redemption is done (then cancelling or cancelled)
    const giftIds = docs.filter((d) => GIFT_SHOWN.includes(d.state)).map((d) => d.giftOrderId).filter((g): g is string => !!g)
    // a done coupon redemption's coupon is the one issued under its key (older redemptions carry a copy)
    const couponKeys = docs.filter((d) => d.kind === 'coupon' && d.state === 'done' && !d.coupon).map((d) => couponKey(d._id.toString()))
    const [gifts, coupons] = await Promise.all([
      giftIds.length > 0
        ? this.models.GiftOrder.find({ _id: { $in: giftIds } }).lean<GiftOrderDoc[]>().then((found) => new Map(found.map((g) => [g._id, g])))
        : new Map<string, GiftOrderDoc>(),
      this.deps.coupons.issuer.byKeys(couponKeys),
    ])
    return docs.map((d) => {
      const coupon = coupons.get(couponKey(d._id.toString()))
      return this.viewOf(d, GIFT_SHOWN.includes(d.state) && d.giftOrderId ? (gifts.get(d.giftOrderId) ?? null) : null, coupon ? redemptionCoupon(coupon) : null)
    })
  }

  private viewOf(d: RedemptionDoc, gift: GiftOrderDoc | null, coupon: RedemptionCoupon | null): Redemption {
    return {
      id: d._id.toString(),
      status: statusOf(d.state),
      step: d.state,
      itemId: d.itemId.toString(),
      kind: d.kind as 'coupon' | 'gift',
      itemName: d.itemName,
      pointsPrice: d.pointsPrice,
      cashFen: d.cashFen ?? null,
      coupon: (d.coupon as Redemption['coupon']) ?? coupon,
      giftOrder: gift ? (giftView(gift) as GiftOrder) : null,
      failure: (d.failure as Redemption['failure']) ?? null,
      createdAt: (d.createdAt as Date).toISOString(),
      updatedAt: (d.updatedAt as Date).toISOString(),
    }
  }
}

/** Runs steps at once, waits for all of them, then throws the first failure (nothing is left running unwatched). */
async function allSettled(steps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(steps)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** A document to insert without its null fields (a lean read answers them missing: read them with `?? null`). */
function withoutNulls<T extends object>(doc: T): Partial<T> {
  return Object.fromEntries(Object.entries(doc).filter(([, value]) => value !== null)) as Partial<T>
}

/** The states in which a gift redemption shows its gift order. */
const GIFT_SHOWN: readonly RedemptionState[] = ['done', 'cancelling', 'cancelled']

/** What a redemption shows of its coupon. */
function redemptionCoupon(coupon: Coupon): RedemptionCoupon {
  return { id: coupon.id, code: coupon.code, name: coupon.name, rulesText: coupon.rulesText, validFrom: coupon.validFrom, validUntil: coupon.validUntil }
}

/** The id of a coupon redemption's coupon: the copy's on an older redemption, else the one its key derives. */
function redemptionCouponId(doc: RedemptionDoc): string {
  return (doc.coupon as { id?: string } | null)?.id ?? couponIdFor(couponKey(doc._id.toString())).toString()
}

function statusOf(state: RedemptionState): RedemptionStatus {
  if (state === 'done') return 'done'
  if (state === 'failed') return 'failed'
  if (state === 'cancelled') return 'cancelled'
  return 'processing'
}

/** Runs a write and ignores duplicate-key errors (an upsert whose insert lost), whatever the driver reports with them. */
async function ignoreDuplicates(write: () => Promise<unknown>): Promise<void> {
  try {
    await write()
  } catch (error) {
    if (isDuplicateKey(error)) return
    const found = (error as { writeErrors?: unknown } | null)?.writeErrors
    const errors = (Array.isArray(found) ? found : found ? [found] : []) as { code?: number; err?: { code?: number } }[]
    if (errors.length > 0 && errors.every((e) => (e.code ?? e.err?.code) === 11000)) return
    throw error
  }
}

