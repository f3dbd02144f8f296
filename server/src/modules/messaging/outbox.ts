import { MESSAGE_CATALOGUE, type MessageData, type MessageKind } from '@member-center/shared'
import { Types } from 'mongoose'
import { duplicatesOf } from '../../core/duplicate-key.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { MessagingModels } from './models.js'
import type { Preferences } from './preferences.js'

export const SEND_JOB = 'messaging.send'

/** A message to write: the fact it tells (its dedupe key), its kind, member and fields. */
export interface MessageDraft {
  dedupeKey: string
  kind: MessageKind
  memberId: Types.ObjectId | string
  data: MessageData
  /** not pushed before this (a reminder's delay); default now */
  notBefore?: Date
  /** system, or the staff member who sent it */
  sender?: string
  /**
   * a marketing message that may go by SMS when no WeChat channel carries it (a subscribe balance wins), to a member
   * with a phone number who did not turn SMS off or reply 回T退订; ignored for service kinds (never sent by SMS)
   */
  sms?: boolean
}

export interface EnqueueResult {
  created: number
  duplicate: number
  /** marketing to members who turned marketing off: not written at all */
  suppressed: number
}

/**
 * The outbox: every message starts here, once per fact (a unique dedupe key), and is the member's inbox entry
 * whatever becomes of the push. Writing a message first schedules its send job (keyed by the dedupe key), then
 * inserts it: a crash in between leaves a job that finds no message and ends — never a message without a job.
 */
export class Outbox {
  constructor(
    private readonly models: MessagingModels,
    private readonly jobs: JobRunner,
    private readonly preferences: Preferences,
    private readonly now: () => Date,
  ) {}

  async enqueue(drafts: MessageDraft[]): Promise<EnqueueResult> {
    const now = this.now()
    const result: EnqueueResult = { created: 0, duplicate: 0, suppressed: 0 }
    const marketingOff = await this.preferences.marketingOff(drafts.filter((d) => MESSAGE_CATALOGUE[d.kind].category === 'marketing').map((d) => d.memberId))
    const docs: (Record<string, unknown> & { dedupeKey: string; notBefore: Date })[] = []
    const seen = new Set<string>()
    for (const d of drafts) {
      const def = MESSAGE_CATALOGUE[d.kind]
      if (def.category === 'marketing' && marketingOff.has(String(d.memberId))) {
        result.suppressed++
        continue
      }
      if (seen.has(d.dedupeKey)) {
        result.duplicate++
        continue
      }
      seen.add(d.dedupeKey)
      docs.push({
        _id: new Types.ObjectId(),
        dedupeKey: d.dedupeKey,
        kind: d.kind,
        category: def.category,
        memberId: new Types.ObjectId(d.memberId),
        data: d.data,
        title: def.title,
        body: def.body(d.data),
        page: def.page,
        notBefore: d.notBefore ?? now,
        status: 'queued',
        channel: null,
        reason: null,
        attempts: 0,
        sendingBy: null,
        msgid: null,
        sentAt: null,
        deliveryReport: null,
        read: false,
        readAt: null,
        sender: d.sender ?? 'system',
        sms: def.category === 'marketing' && d.sms === true,
        createdAt: now,
        updatedAt: now,
      })
    }
    if (docs.length === 0) return result
    // maxAttempts high: the handler counts its own attempts and ends the message itself (see Dispatcher)
    await this.jobs.scheduleMany(docs.map((d) => ({ key: `${SEND_JOB}:${d.dedupeKey}`, type: SEND_JOB, payload: { dedupeKey: d.dedupeKey, messageId: String(d._id) }, dueAt: d.notBefore, maxAttempts: 1_000 })))
    const duplicates = await duplicatesOf(() => this.models.Message.collection.insertMany(docs as never[], { ordered: false }))
    result.duplicate += duplicates.size
    result.created += docs.length - duplicates.size
    return result
  }
}
