import type { MessageKind } from '@member-center/shared'
import { createHash } from 'node:crypto'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import type { MessagingModels } from './models.js'

export interface MessagePreferences {
  marketing: boolean
  /** marketing may come by SMS: the member's own switch here; the view also says false after a 回T退订 reply */
  sms: boolean
  kindsOff: MessageKind[]
}

/** A member's message preferences (marketing and SMS on by default, no kind off). */
export class Preferences {
  constructor(
    private readonly models: MessagingModels,
    private readonly optOuts: SmsOptOuts,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** The member's own switches (the dispatcher's view: a reply's opt-out is checked by the SMS channel itself). */
  async get(memberId: Types.ObjectId | string): Promise<MessagePreferences> {
    const doc = await this.models.Preference.findById(new Types.ObjectId(memberId)).lean()
    return { marketing: doc?.marketing ?? true, sms: doc?.sms ?? true, kindsOff: (doc?.kindsOff ?? []) as MessageKind[] }
  }

  async update(memberId: string, changes: Partial<MessagePreferences>): Promise<MessagePreferences> {
    const set: Record<string, unknown> = {}
    if (changes.marketing !== undefined) set.marketing = changes.marketing
    if (changes.sms !== undefined) set.sms = changes.sms
    if (changes.kindsOff !== undefined) set.kindsOff = [...new Set(changes.kindsOff)]
    await this.models.Preference.updateOne({ _id: new Types.ObjectId(memberId) }, { $set: set }, { upsert: true })
    return this.get(memberId)
  }

  /** What the member sees: SMS off as well when their number replied 回T退订 (or the provider blacklisted it). */
  async view(memberId: string, phone: string | null | undefined): Promise<MessagePreferences> {
    const prefs = await this.get(memberId)
    return { ...prefs, sms: prefs.sms && !(phone && (await this.optOuts.has(phone))) }
  }

  /**
   * The member changes their switches. Turning SMS on again also lifts their number's opt-out (a 回T退订 reply, or
   * the provider's blacklist), audited: the member asked for it in the mini-program, logged in as themselves.
   */
  async change(memberId: string, phone: string | null | undefined, changes: Partial<MessagePreferences>): Promise<MessagePreferences> {
    await this.update(memberId, changes)
    if (changes.sms === true && phone && (await this.optOuts.remove(phone))) {
      await this.audit.record({ actor: `member:${memberId}`, role: 'member', action: 'sms.opt-in', memberId, details: { phone }, at: this.now() })
    }
    return this.view(memberId, phone)
  }

  /** The members among these who turned marketing off. */
  async marketingOff(memberIds: (Types.ObjectId | string)[]): Promise<Set<string>> {
    if (memberIds.length === 0) return new Set()
    const docs = await this.models.Preference.find({ _id: { $in: [...new Set(memberIds.map(String))].map((id) => new Types.ObjectId(id)) }, marketing: false }, { _id: 1 }).lean()
    return new Set(docs.map((d) => String(d._id)))
  }
}

/** Phone numbers no marketing SMS may reach (sms_opt_outs): a 回T退订 reply, or the provider's blacklist. */
export class SmsOptOuts {
  constructor(private readonly models: MessagingModels) {}

  async has(phone: string): Promise<boolean> {
    return (await this.models.SmsOptOut.exists({ _id: phone })) !== null
  }

  /** Records the opt-out; false when the number had one already (the first one stays). */
  async add(phone: string, source: 'reply' | 'provider', ref: string | null, at: Date): Promise<boolean> {
    try {
      const done = await this.models.SmsOptOut.updateOne({ _id: phone }, { $setOnInsert: { source, ref, at } }, { upsert: true })
      return done.upsertedCount > 0
    } catch (error) {
      // two replies at once: the other one's insert won
      if (isDuplicateKey(error)) return false
      throw error
    }
  }

  /** Lifts the number's opt-out; false when it had none. */
  async remove(phone: string): Promise<boolean> {
    return (await this.models.SmsOptOut.deleteOne({ _id: phone })).deletedCount > 0
  }
}

/** The replies that unsubscribe (回T退订): T, TD or 退订, in any case, with spaces or punctuation around, full-width too. */
const UNSUBSCRIBE_REPLIES = new Set(['T', 'TD', '退订'])

export function isUnsubscribeReply(text: string): boolean {
  const cleaned = text.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '').toUpperCase()
  return UNSUBSCRIBE_REPLIES.has(cleaned)
}

/** A reply as the provider's callback (上行短信) gives it: the number with its country code, the text, when. */
export interface SmsReplyInput {
  mobile: string
  nationcode: string
  text: string
  /** Unix seconds */
  time: number
  sign?: string
}

/**
 * Members' replies to SMS (上行短信), as the provider's callback delivers them: each kept once (sms_replies); a reply
 * that unsubscribes (T, TD, 退订) records an opt-out of the number — every marketing SMS to it stops at once, the
 * queued ones too — and audits it. A number that is no member's is recorded all the same.
 */
export class SmsReplies {
  constructor(
    private readonly models: MessagingModels,
    private readonly optOuts: SmsOptOuts,
    private readonly memberByPhone: (phone: string) => Promise<{ _id: Types.ObjectId } | null>,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** The reply's id: the provider gives none, so its retry of the same reply (same number, time, text) is the same. */
  static idOf(reply: SmsReplyInput): string {
    return createHash('sha256').update(JSON.stringify([reply.nationcode, reply.mobile, reply.time, reply.text])).digest('hex').slice(0, 32)
  }

  async receive(reply: SmsReplyInput, phone: string): Promise<{ id: string; duplicate: boolean; unsubscribe: boolean }> {
    const id = SmsReplies.idOf(reply)
    const unsubscribe = isUnsubscribeReply(reply.text)
    if (await this.models.SmsReply.exists({ _id: id })) return { id, duplicate: true, unsubscribe }
    const member = await this.memberByPhone(phone)
    const at = this.now()
    // the opt-out first, the receipt last: a crash in between leaves a retry that applies it again (once, by number)
    if (unsubscribe && (await this.optOuts.add(phone, 'reply', id, at))) {
      await this.audit.record({ actor: `sms:${phone}`, role: 'member', action: 'sms.opt-out', memberId: member?._id ?? null, details: { phone, text: reply.text, replyId: id }, at })
    }
    try {
      await this.models.SmsReply.create({ _id: id, phone, text: reply.text, sentAt: new Date(reply.time * 1000), receivedAt: at, sign: reply.sign ?? null, unsubscribe, memberId: member?._id ?? null })
    } catch (error) {
      if (isDuplicateKey(error)) return { id, duplicate: true, unsubscribe }
      throw error
    }
    return { id, duplicate: false, unsubscribe }
  }
}
