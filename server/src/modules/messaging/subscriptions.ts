import { Types } from 'mongoose'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import type { MessagingModels } from './models.js'
import type { TemplateMappings } from './templates.js'

/** A client report and a push about the same tap arrive within this much of each other. */
export const PAIRING_WINDOW_MS = 5 * 60_000

export type SubscribeAnswer = 'accept' | 'reject' | 'ban' | 'filter'

/**
 * Subscribe-message balances (DESIGN.md §3): WeChat has no API to ask how many sends a member's "allow" taps paid
 * for, so the server keeps the count per member and template — +1 per accept, −1 per successful send, 0 when WeChat
 * answers 43101 (or the member switches the template off). An accept arrives twice, from the mini-program's report
 * and from WeChat's subscribe_msg_popup_event push: each is recorded, counted, and a later one that finds an unpaired
 * one of the other source for the same template within PAIRING_WINDOW_MS pairs with it and takes its count back,
 * so one tap counts once.
 */
export class Subscriptions {
  constructor(
    private readonly models: MessagingModels,
    private readonly mappings: TemplateMappings,
    private readonly now: () => Date,
  ) {}

  /** What the member can subscribe to (the subscribe templates mapped) and the balance of each. */
  async list(memberId: string) {
    const mappings = (await this.mappings.all()).filter((m) => m.channel === 'subscribe')
    const balances = await this.models.Subscription.find({ memberId: new Types.ObjectId(memberId) }).lean()
    return mappings.map((m) => ({ kind: m.kind, templateId: m.templateId, title: m.title, balance: balances.find((b) => b.templateId === m.templateId)?.balance ?? 0 }))
  }

  /** One tap's answers, from the mini-program (`client`) or WeChat's push (`push`). Unknown template ids are ignored. */
  async record(memberId: Types.ObjectId, results: Record<string, SubscribeAnswer>, source: 'client' | 'push'): Promise<void> {
    const known = new Set((await this.mappings.all()).filter((m) => m.channel === 'subscribe').map((m) => m.templateId))
    for (const [templateId, answer] of Object.entries(results)) {
      if (!known.has(templateId)) continue
      if (answer === 'accept') await this.accept(memberId, templateId, source)
      else if (answer === 'ban') await this.zero(memberId, templateId, 'ban')
    }
  }

  private async accept(memberId: Types.ObjectId, templateId: string, source: 'client' | 'push'): Promise<void> {
    const at = this.now()
    const mine = await this.models.Accept.create({ memberId, templateId, source, at, paired: false })
    await this.add(memberId, templateId, 1, 'accept')
    // the same tap reported the other way already: pair with it (the earlier one), and count once
    const other = await this.models.Accept.findOneAndUpdate(
      { memberId, templateId, source: source === 'client' ? 'push' : 'client', paired: false, at: { $gte: new Date(at.getTime() - PAIRING_WINDOW_MS) }, _id: { $lt: mine._id } },
      { $set: { paired: true } },
      { sort: { at: 1 } },
    )
    if (other) {
      await this.models.Accept.updateOne({ _id: mine._id }, { $set: { paired: true } })
      await this.models.Subscription.updateOne({ _id: subscriptionId(memberId, templateId), balance: { $gt: 0 } }, { $inc: { balance: -1 } })
    }
  }

  /** A successful send used one accept. */
  async used(memberId: Types.ObjectId, templateId: string): Promise<void> {
    await this.models.Subscription.updateOne({ _id: subscriptionId(memberId, templateId), balance: { $gt: 0 } }, { $inc: { balance: -1 }, $set: { lastResult: 'sent' } })
  }

  /** WeChat said there is no consent (43101), or the member switched the template off: nothing left. */
  async zero(memberId: Types.ObjectId, templateId: string, why: string): Promise<void> {
    const write = () => this.models.Subscription.updateOne({ _id: subscriptionId(memberId, templateId) }, { $set: { balance: 0, lastResult: why }, $setOnInsert: { memberId, templateId } }, { upsert: true })
    await write().catch((error: unknown) => (isDuplicateKey(error) ? write() : Promise.reject(error)))
  }

  /** Of these members, the ones with an accept of the template left — one read by `_id` for all of them. */
  async holders(templateId: string, memberIds: readonly (Types.ObjectId | string)[]): Promise<string[]> {
    if (memberIds.length === 0) return []
    const docs = await this.models.Subscription.find({ _id: { $in: memberIds.map((id) => subscriptionId(new Types.ObjectId(id), templateId)) } }, { memberId: 1, balance: 1 }).lean()
    return docs.filter((d) => (d.balance ?? 0) > 0).map((d) => String(d.memberId))
  }

  async balance(memberId: Types.ObjectId, templateId: string): Promise<number> {
    return (await this.models.Subscription.findById(subscriptionId(memberId, templateId), { balance: 1 }).lean())?.balance ?? 0
  }

  private async add(memberId: Types.ObjectId, templateId: string, delta: number, result: string): Promise<void> {
    const write = () =>
      this.models.Subscription.updateOne(
        { _id: subscriptionId(memberId, templateId) },
        { $inc: { balance: delta }, $set: { lastResult: result }, $setOnInsert: { memberId, templateId } },
        { upsert: true },
      )
    // two first accepts at once: one upsert creates the document, the other's insert collides and goes again
    await write().catch((error: unknown) => (isDuplicateKey(error) ? write() : Promise.reject(error)))
  }
}

function subscriptionId(memberId: Types.ObjectId, templateId: string): string {
  return JSON.stringify([memberId.toString(), templateId])
}
