import {
  DEFAULT_OUTREACH_POLICY,
  type CreateOutreach,
  type LifecycleStage,
  type Outreach,
  type OutreachPolicy,
  type OutreachStatus,
  type OutreachStep,
  type SegmentFilter,
} from '@member-center/shared'
import { createHash } from 'node:crypto'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { duplicatesOf } from '../../core/duplicate-key.js'
import { Conflict, NotFound, ValidationFailed } from '../../core/errors.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { SettingsStore } from '../../core/settings.js'
import type { CouponsService } from '../coupons/index.js'
import type { MemberOrders } from '../loyalty/member-orders.js'
import type { MessagingService } from '../messaging/index.js'
import type { InsightsModels, OutreachDoc, OutreachMemberDoc } from './models.js'
import type { Segments } from './segments.js'

const DAY_MS = 86_400_000
export const OUTREACH_START_JOB = 'insights.outreach-start'
export const OUTREACH_STEPS_JOB = 'insights.outreach-steps'
export const OUTREACH_POLICY = 'outreach-policy'
/** How often the step job looks for due steps. */
export const STEP_EVERY_MS = 5 * 60_000
/** Members enrolled or stepped per read. */
const BATCH = 200

type Actor = { actor: string; role: string }
export type ExclusionReason = 'suppressed' | 'marketingOff' | 'serialRefunder' | 'busy'
type Group = 'treated' | 'holdout' | 'excluded'

/**
 * A member's group in an outreach, from a stable hash of (outreach, member): the first 48 bits of SHA-256 as a number
 * in [0, 1), below the holdout share → holdout. The same member lands in the same group however often it is asked.
 */
export function holdoutDraw(outreachId: string, memberId: string): number {
  const hex = createHash('sha256').update(`${outreachId}:${memberId}`).digest('hex').slice(0, 12)
  return parseInt(hex, 16) / 2 ** 48
}

export function groupOf(outreachId: string, memberId: string, holdoutShare: number): 'treated' | 'holdout' {
  return holdoutDraw(outreachId, memberId) < holdoutShare ? 'holdout' : 'treated'
}

export interface OutreachDeps {
  models: InsightsModels
  segments: Segments
  orders: MemberOrders
  coupons: CouponsService
  messaging: MessagingService
  jobs: JobRunner
  settings: SettingsStore
  audit: AuditLog
  now: () => Date
}

/** Who is left out of every outreach now: the operator's list, marketing off, serial refunders. */
interface Exclusions {
  suppressed: Set<string>
  marketingOff: Set<string>
  serialRefunders: Set<string>
}

/**
 * Outreach with a holdout (issue 14). An outreach reaches a segment (taken when it starts) or every member entering a
 * stage while it runs; each member is first checked against the suppression lists (the operator's, marketing off,
 * serial refunders) and the frequency limit (one outreach at a time, plus a gap), then assigned to treated or holdout
 * by a stable hash, and written once (outreach_members). Treated members get the steps — a sequence (care, then the
 * offer) or waves (warm-up, main, last call) — as messages through messaging's outbox (fatigue, consent, quiet hours
 * and caps apply there) and coupons through the issuing service, each under the key `outreach:{id}:{step}:{member}`;
 * holdout members get nothing from it.
 */
export class OutreachService {
  constructor(private readonly deps: OutreachDeps) {}

  async policy(): Promise<OutreachPolicy> {
    return { ...DEFAULT_OUTREACH_POLICY, ...((await this.deps.settings.get<Partial<OutreachPolicy>>(OUTREACH_POLICY)) ?? {}) }
  }

  async setPolicy(policy: OutreachPolicy, actor: Actor): Promise<OutreachPolicy> {
    await this.deps.settings.put(OUTREACH_POLICY, policy, actor.actor)
    await this.deps.audit.record({ ...actor, action: 'outreach.policy', details: { ...policy }, at: this.deps.now() })
    return policy
  }

  // ---- the outreach itself ----------------------------------------------------------------------------------

  async create(input: CreateOutreach, actor: Actor): Promise<Outreach> {
    const startAt = new Date(input.startAt)
    const endAt = input.endAt ? new Date(input.endAt) : null
    if ('segmentId' in input.audience) {
      await this.deps.segments.doc(input.audience.segmentId)
      if (endAt) throw new ValidationFailed('body/endAt: a segment outreach takes its members once, at the start: it has no end')
    } else {
      if (!endAt) throw new ValidationFailed('body/endAt: a stage trigger needs the day it stops enrolling')
      if (endAt <= startAt) throw new ValidationFailed('body/endAt: must be after startAt')
      if (endAt.getTime() - startAt.getTime() > 366 * DAY_MS) throw new ValidationFailed('body/endAt: at most a year after startAt')
    }
    if (startAt.getTime() > this.deps.now().getTime() + 366 * DAY_MS) throw new ValidationFailed('body/startAt: at most a year ahead')
    for (let i = 1; i < input.steps.length; i++) {
      if (input.steps[i]!.afterDays < input.steps[i - 1]!.afterDays) throw new ValidationFailed(`body/steps/${i}/afterDays: steps run in order: not before the step before`)
    }
    for (const [i, step] of input.steps.entries()) {
      if (step.couponTemplateId && !(await this.deps.coupons.templates.doc(step.couponTemplateId))) {
        throw new ValidationFailed(`body/steps/${i}/couponTemplateId: no coupon template ${step.couponTemplateId}`)
      }
    }
    const doc = await this.deps.models.Outreach.create({
      name: input.name,
      audience: input.audience,
      steps: input.steps.map((s) => ({ ...s, channel: s.channel ?? 'wechat' })),
      startAt,
      endAt,
      holdoutShare: input.holdoutShare ?? 0.1,
      attributionDays: input.attributionDays ?? 14,
      messageCostFen: { sms: input.messageCostFen?.sms ?? 5, wechat: input.messageCostFen?.wechat ?? 0 },
      status: 'draft',
      createdBy: actor.actor,
    })
    await this.deps.audit.record({ ...actor, action: 'outreach.create', details: { outreachId: doc._id.toString(), name: input.name }, at: this.deps.now() })
    return this.view(doc.toObject() as OutreachDoc)
  }

  /** Draft → scheduled: the start job runs at startAt (at once when it has passed). A segment's filter is kept as it is now. */
  async launch(id: string, actor: Actor): Promise<Outreach> {
    const outreach = await this.doc(id)
    if (outreach.status !== 'draft') throw new Conflict(`outreach ${id} is ${outreach.status}: only a draft is launched`)
    const audience = outreach.audience as { segmentId?: string }
    const filter = audience.segmentId ? (await this.deps.segments.doc(audience.segmentId)).filter : null
    const updated = await this.deps.models.Outreach.findOneAndUpdate({ _id: outreach._id, status: 'draft' }, { $set: { status: 'scheduled', filter } }, { returnDocument: 'after', lean: true })
    if (!updated) throw new Conflict(`outreach ${id} changed meanwhile`)
    await this.deps.jobs.schedule(`${OUTREACH_START_JOB}:${id}`, OUTREACH_START_JOB, { outreachId: id }, outreach.startAt, { maxAttempts: 100 })
    await this.deps.audit.record({ ...actor, action: 'outreach.launch', details: { outreachId: id }, at: this.deps.now() })
    return this.view(updated as OutreachDoc)
  }

  /** Stops an outreach: no more enrolments and no more steps (what was sent stays sent; results still read). */
  async cancel(id: string, actor: Actor): Promise<Outreach> {
    const outreach = await this.doc(id)
    const updated = await this.deps.models.Outreach.findOneAndUpdate(
      { _id: outreach._id, status: { $in: ['draft', 'scheduled', 'running'] } },
      { $set: { status: 'cancelled' } },
      { returnDocument: 'after', lean: true },
    )
    if (!updated) throw new Conflict(`outreach ${id} is ${outreach.status}: it cannot be cancelled`)
    await this.deps.audit.record({ ...actor, action: 'outreach.cancel', details: { outreachId: id }, at: this.deps.now() })
    return this.view(updated as OutreachDoc)
  }

  async get(id: string): Promise<Outreach> {
    return this.view(await this.doc(id))
  }

  async list(): Promise<{ items: Outreach[] }> {
    const docs = await this.deps.models.Outreach.find({}).sort({ createdAt: -1 }).limit(200).lean<OutreachDoc[]>()
    return { items: docs.map((d) => this.view(d)) }
  }

  async doc(id: string): Promise<OutreachDoc> {
    if (!/^[0-9a-f]{24}$/.test(id)) throw new NotFound(`outreach ${id} not found`)
    const doc = await this.deps.models.Outreach.findById(id).lean<OutreachDoc>()
    if (!doc) throw new NotFound(`outreach ${id} not found`)
    return doc
  }

  /** The status people see: a running outreach whose last step and attribution window are over is finished. */
  statusOf(doc: OutreachDoc): OutreachStatus {
    if (doc.status !== 'running') return doc.status as OutreachStatus
    const steps = doc.steps as OutreachStep[]
    const lastStart = (doc.endAt ?? doc.startAt).getTime()
    const over = lastStart + (steps[steps.length - 1]!.afterDays + doc.attributionDays) * DAY_MS
    return this.deps.now().getTime() >= over ? 'finished' : 'running'
  }

  view(doc: OutreachDoc): Outreach {
    return {
      id: doc._id.toString(),
      name: doc.name,
      audience: doc.audience as Outreach['audience'],
      steps: doc.steps as OutreachStep[],
      startAt: doc.startAt.toISOString(),
      endAt: doc.endAt ? doc.endAt.toISOString() : null,
      holdoutShare: doc.holdoutShare,
      attributionDays: doc.attributionDays,
      messageCostFen: { sms: doc.messageCostFen?.sms ?? 5, wechat: doc.messageCostFen?.wechat ?? 0 },
      status: this.statusOf(doc),
      enrolled: { treated: doc.enrolled?.treated ?? 0, holdout: doc.enrolled?.holdout ?? 0, excluded: doc.enrolled?.excluded ?? 0 },
      createdBy: doc.createdBy,
      createdAt: (doc as unknown as { createdAt: Date }).createdAt.toISOString(),
    }
  }

  // ---- starting and enrolling -------------------------------------------------------------------------------

  /** The start job: scheduled → running; a segment outreach enrols the segment's members now (again after a crash: once each). */
  async start(id: string): Promise<void> {
    const outreach = await this.doc(id)
    if (outreach.status === 'scheduled') await this.deps.models.Outreach.updateOne({ _id: outreach._id, status: 'scheduled' }, { $set: { status: 'running' } })
    else if (outreach.status !== 'running') return
    if (!outreach.filter) return
    const memberIds = await this.deps.segments.evaluate(outreach.filter as SegmentFilter)
    const exclusions = await this.exclusions()
    for (let i = 0; i < memberIds.length; i += BATCH) await this.enrol(outreach, memberIds.slice(i, i + BATCH), outreach.startAt, exclusions)
    await this.deps.jobs.schedule(OUTREACH_STEPS_JOB, OUTREACH_STEPS_JOB, {}, this.deps.now(), { move: true, maxAttempts: 1_000 })
  }

  /** A member entered a stage: every running trigger outreach for it enrols them (once). */
  async entered(memberId: string, stage: LifecycleStage, at: Date): Promise<void> {
    const outreaches = await this.deps.models.Outreach.find({ status: 'running', 'audience.enteringStage': stage, startAt: { $lte: at }, endAt: { $gt: at } }).lean<OutreachDoc[]>()
    if (outreaches.length === 0) return
    const exclusions = await this.exclusions([memberId])
    for (const outreach of outreaches) await this.enrol(outreach, [memberId], at, exclusions)
    await this.deps.jobs.schedule(OUTREACH_STEPS_JOB, OUTREACH_STEPS_JOB, {}, this.deps.now(), { move: true, maxAttempts: 1_000 })
  }

  /** The suppression lists as they stand (for `only` members: the operator's list and consent read for them alone). */
  private async exclusions(only?: string[]): Promise<Exclusions> {
    const policy = await this.policy()
    const since = new Date(this.deps.now().getTime() - policy.serialRefundDays * DAY_MS)
    const [suppressed, marketingOff, serialRefunders] = await Promise.all([
      this.deps.models.Suppression.find(only ? { _id: { $in: only.map((id) => new Types.ObjectId(id)) } } : {}, { _id: 1 }).lean(),
      only ? this.deps.messaging.preferences.marketingOff(only) : this.deps.messaging.audience.marketingOff(),
      this.deps.orders.serialRefunders(since, policy.serialRefunds, only?.map((id) => new Types.ObjectId(id))),
    ])
    return { suppressed: new Set(suppressed.map((d) => d._id.toString())), marketingOff, serialRefunders }
  }

  /**
   * Enrols members (once each): left out when on a suppression list or held by another outreach, otherwise treated
   * or holdout by the stable hash. The frequency hold is taken before the member's document is written, so a crash in
   * between leaves a hold this outreach takes again on the re-run.
   */
  private async enrol(outreach: OutreachDoc, memberIds: string[], startAt: Date, exclusions: Exclusions): Promise<void> {
    const { OutreachMember, OutreachContact, Outreach } = this.deps.models
    const id = outreach._id.toString()
    const existing = new Set((await OutreachMember.find({ _id: { $in: memberIds.map((m) => `${id}:${m}`) } }, { _id: 1 }).lean()).map((d) => d._id.split(':')[1]!))
    const fresh = memberIds.filter((m) => !existing.has(m))
    if (fresh.length === 0) return
    const reasons = new Map<string, ExclusionReason>()
    for (const m of fresh) {
      if (exclusions.suppressed.has(m)) reasons.set(m, 'suppressed')
      else if (exclusions.marketingOff.has(m)) reasons.set(m, 'marketingOff')
      else if (exclusions.serialRefunders.has(m)) reasons.set(m, 'serialRefunder')
    }
    const steps = outreach.steps as OutreachStep[]
    const policy = await this.policy()
    const until = new Date(startAt.getTime() + (steps[steps.length - 1]!.afterDays + policy.minGapDays) * DAY_MS)
    const now = this.deps.now()
    const candidates = fresh.filter((m) => !reasons.has(m))
    // the frequency limit: free, expired, or already this outreach's — a member held by another one is busy
    const holds = candidates.map((m) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(m), $or: [{ until: { $lte: now } }, { outreachId: outreach._id }] },
        update: { $set: { outreachId: outreach._id, until } },
        upsert: true,
      },
    }))
    // a hold another outreach has makes the upsert collide; whatever the server reports, the holds as they now stand decide
    await duplicatesOf(() => OutreachContact.collection.bulkWrite(holds as never[], { ordered: false }))
    const held = await OutreachContact.find({ _id: { $in: candidates.map((m) => new Types.ObjectId(m)) } }, { outreachId: 1 }).lean()
    const ours = new Set(held.filter((h) => h.outreachId.equals(outreach._id)).map((h) => h._id.toString()))
    for (const m of candidates) if (!ours.has(m)) reasons.set(m, 'busy')

    const firstAt = new Date(startAt.getTime() + steps[0]!.afterDays * DAY_MS)
    const docs = fresh.map((m) => {
      const reason = reasons.get(m) ?? null
      const group: Group = reason ? 'excluded' : groupOf(id, m, outreach.holdoutShare)
      return {
        _id: `${id}:${m}`,
        outreachId: outreach._id,
        memberId: new Types.ObjectId(m),
        group,
        reason,
        startAt,
        nextStep: group === 'treated' ? 0 : null,
        nextStepAt: group === 'treated' ? firstAt : null,
        steps: [],
      }
    })
    const duplicates = await duplicatesOf(() => OutreachMember.collection.insertMany(docs as never[], { ordered: false }))
    const inc = { treated: 0, holdout: 0, excluded: 0 }
    docs.forEach((d, i) => {
      if (!duplicates.has(i)) inc[d.group]++
    })
    await Outreach.updateOne({ _id: outreach._id }, { $inc: { 'enrolled.treated': inc.treated, 'enrolled.holdout': inc.holdout, 'enrolled.excluded': inc.excluded } })
  }

  // ---- steps ------------------------------------------------------------------------------------------------

  /**
   * The step job: every treated member whose next step is due gets it — skipped for a last call when they bought
   * since their start; the coupon first (a refused coupon: no message, recorded); then the message. Each under its
   * key, so a repeated run writes nothing twice; the member's next step is advanced by a conditional update.
   */
  async runDueSteps(): Promise<{ sent: number; skipped: number; couponFailed: number }> {
    const totals = { sent: 0, skipped: 0, couponFailed: 0 }
    const outreaches = new Map<string, OutreachDoc | null>()
    for (;;) {
      const now = this.deps.now()
      const due = await this.deps.models.OutreachMember.find({ nextStepAt: { $ne: null, $lte: now } }).sort({ nextStepAt: 1 }).limit(BATCH).lean<OutreachMemberDoc[]>()
      if (due.length === 0) return totals
      const drafts: Parameters<MessagingService['enqueue']>[0] = []
      const advances: { doc: OutreachMemberDoc; outcome: 'sent' | 'skipped' | 'couponFailed' | 'stopped' }[] = []
      for (const member of due) {
        const oid = member.outreachId.toString()
        if (!outreaches.has(oid)) outreaches.set(oid, await this.deps.models.Outreach.findById(oid).lean<OutreachDoc>())
        const outreach = outreaches.get(oid)
        if (!outreach || outreach.status === 'cancelled') {
          advances.push({ doc: member, outcome: 'stopped' })
          continue
        }
        const index = member.nextStep ?? 0
        const step = (outreach.steps as OutreachStep[])[index]!
        const key = `outreach:${oid}:${index}:${member.memberId.toString()}`
        if (step.onlyIfNotBought && (await this.deps.orders.countingPaymentsBetween([member.memberId], member.startAt, now)).length > 0) {
          advances.push({ doc: member, outcome: 'skipped' })
          continue
        }
        if (step.couponTemplateId) {
          try {
            await this.deps.coupons.issue({ templateId: step.couponTemplateId, memberId: member.memberId, key, source: 'campaign' })
          } catch (refusal) {
            if (!(refusal instanceof Error) || !('statusCode' in refusal) || (refusal as { statusCode: number }).statusCode >= 500) throw refusal
            advances.push({ doc: member, outcome: 'couponFailed' })
            continue
          }
        }
        drafts.push({ dedupeKey: key, kind: 'campaign', memberId: member.memberId, data: { title: step.title, content: step.content }, ...(step.channel === 'wechat_sms' ? { sms: true } : {}) })
        advances.push({ doc: member, outcome: 'sent' })
      }
      if (drafts.length > 0) await this.deps.messaging.enqueue(drafts)
      for (const { doc, outcome } of advances) {
        const outreach = outreaches.get(doc.outreachId.toString())
        const steps = (outreach?.steps ?? []) as OutreachStep[]
        const index = doc.nextStep ?? 0
        const next = outcome === 'stopped' ? null : index + 1 < steps.length ? index + 1 : null
        const set = next === null ? { nextStep: null, nextStepAt: null } : { nextStep: next, nextStepAt: new Date(doc.startAt.getTime() + steps[next]!.afterDays * DAY_MS) }
        const push = outcome === 'stopped' ? {} : { $push: { steps: { index, outcome, at: now } } }
        await this.deps.models.OutreachMember.updateOne({ _id: doc._id, nextStep: index }, { $set: set, ...push })
        if (outcome !== 'stopped') totals[outcome]++
      }
    }
  }

  // ---- the suppression list ---------------------------------------------------------------------------------

  async suppress(memberIds: string[], reason: string, actor: Actor): Promise<{ added: number }> {
    const addedAt = this.deps.now()
    const docs = memberIds.map((id) => ({ _id: new Types.ObjectId(id), reason, addedBy: actor.actor, addedAt }))
    const duplicates = await duplicatesOf(() => this.deps.models.Suppression.collection.insertMany(docs as never[], { ordered: false }))
    await this.deps.audit.record({ ...actor, action: 'outreach.suppress', details: { members: memberIds.length, reason }, at: addedAt })
    return { added: docs.length - duplicates.size }
  }

  async unsuppress(memberId: string, actor: Actor): Promise<void> {
    if (!/^[0-9a-f]{24}$/.test(memberId)) throw new NotFound(`member ${memberId} is not on the list`)
    const result = await this.deps.models.Suppression.deleteOne({ _id: new Types.ObjectId(memberId) })
    if (result.deletedCount === 0) throw new NotFound(`member ${memberId} is not on the list`)
    await this.deps.audit.record({ ...actor, action: 'outreach.unsuppress', memberId, at: this.deps.now() })
  }

  async suppressionList(page: number, pageSize: number) {
    const [docs, total] = await Promise.all([
      this.deps.models.Suppression.find({}).sort({ addedAt: -1 }).skip((page - 1) * pageSize).limit(pageSize).lean(),
      this.deps.models.Suppression.countDocuments({}),
    ])
    return { items: docs.map((d) => ({ memberId: d._id.toString(), reason: d.reason, addedBy: d.addedBy, addedAt: d.addedAt.toISOString() })), total }
  }
}
