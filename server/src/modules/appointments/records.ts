import { APPOINTMENT_PURPOSE_LABELS, type Appointment, type AppointmentPurpose, type MessageData, type TierDefinition } from '@member-center/shared'
import { createHash } from 'node:crypto'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MemberRepository, Member } from '../members/repository.js'
import type { MessagingService } from '../messaging/index.js'
import type { AppointmentDoc, AppointmentModels } from './models.js'
import { MemberHolds, SlotCounters } from './places.js'
import { isPriorityTier } from './rules.js'
import type { Stores } from './stores.js'

/** What the appointment services use. */
export interface AppointmentDeps {
  models: AppointmentModels
  stores: Stores
  counters: SlotCounters
  holds: MemberHolds
  members: MemberRepository
  tiers: TierTable
  messaging: Pick<MessagingService, 'enqueue'>
  audit: AuditLog
  now: () => Date
  log?: { warn(obj: unknown, msg?: string): void }
}

/**
 * An appointment's id: 12 bytes of the SHA-256 of the member and the idempotency key (JSON, unambiguous whatever the
 * key holds), so a repeated request finds its appointment by primary key and two at once collide on insert.
 */
export function appointmentIdFor(memberId: string, idempotencyKey: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(JSON.stringify(['appointment', memberId, idempotencyKey])).digest('hex').slice(0, 24))
}

/** The statuses of an appointment that still holds its slot and the member's place. */
export const UPCOMING = ['requested', 'confirmed'] as const

/** The changes a member is told about, and the short word their message carries (a `phrase`: at most 5 CJK characters). */
export type Change = 'booked' | 'confirmed' | 'rescheduled' | 'cancelled'
const STATUS_WORDS: Record<Change, string> = { booked: '已提交', confirmed: '已确认', rescheduled: '已改期', cancelled: '已取消' }

/** The view of appointments, their messages, the member and tier lookups, and the cancellation both sides share. */
export class AppointmentRecords {
  constructor(readonly deps: AppointmentDeps) {}

  async byId(id: string | Types.ObjectId): Promise<AppointmentDoc | null> {
    if (typeof id === 'string' && !/^[0-9a-f]{24}$/.test(id)) return null
    return this.deps.models.Appointment.findById(id).lean<AppointmentDoc>()
  }

  /** Appointments as the API shows them (the store's current name). */
  async views(docs: AppointmentDoc[]): Promise<Appointment[]> {
    const stores = await this.deps.stores.byCodes(docs.map((d) => d.store))
    return docs.map((d) => viewOf(d, stores.get(d.store)?.name ?? d.store))
  }

  async view(doc: AppointmentDoc): Promise<Appointment> {
    return (await this.views([doc]))[0]!
  }

  /** The member and whether their tier gives priority appointments. */
  async member(memberId: string | Types.ObjectId): Promise<{ member: Member; tier: TierDefinition | null; priority: boolean } | null> {
    const member = await this.deps.members.findById(memberId)
    if (!member) return null
    const tier = await this.tierOf(member.tierLevel ?? 1)
    return { member, tier, priority: isPriorityTier(tier) }
  }

  async tierOf(level: number): Promise<TierDefinition | null> {
    const tiers = await this.deps.tiers.current()
    return tiers.find((t) => t.level === level) ?? null
  }

  /**
   * Tells the member about a change (message kind `appointment`, a service message: inbox and push), once per change:
   * booked and confirmed once per appointment, each reschedule by the revision it made, cancelled once.
   */
  async notify(doc: AppointmentDoc, change: Change): Promise<void> {
    const id = doc._id.toString()
    const storeName = (await this.deps.stores.get(doc.store))?.name ?? doc.store
    const dedupeKey = change === 'rescheduled' ? `appointment:${id}:rescheduled:${doc.rev}` : `appointment:${id}:${change}`
    await this.deps.messaging.enqueue([{ dedupeKey, kind: 'appointment', memberId: doc.memberId, data: messageData(doc, storeName, change) }])
  }

  /**
   * Cancels an upcoming appointment: the status flips once (conditional on it being requested or confirmed — of two
   * cancellations at once, one does it), then the slot's unit goes back (once: the counter's holders) and the member's
   * place is freed. Answers the appointment after, and whether this call cancelled it (false: it was already, or it
   * is completed or missed — the caller decides). A crash after the flip leaves the unit to the repair sweep.
   */
  async cancel(doc: AppointmentDoc, by: 'member' | 'staff', reason: string | null): Promise<{ doc: AppointmentDoc; cancelled: boolean }> {
    const now = this.deps.now()
    const after = await this.deps.models.Appointment.findOneAndUpdate(
      { _id: doc._id, status: { $in: [...UPCOMING] } },
      { $set: { status: 'cancelled', cancelledBy: by, reason, updatedAt: now }, $inc: { rev: 1 } },
      { returnDocument: 'after', lean: true },
    )
    if (!after) return { doc: (await this.byId(doc._id))!, cancelled: false }
    const cancelled = after as unknown as AppointmentDoc
    await this.freeUnit(cancelled)
    await this.deps.holds.release(cancelled.memberId.toString(), cancelled._id.toString())
    return { doc: { ...cancelled, unit: null }, cancelled: true }
  }

  /** Gives a cancelled appointment's unit back (once, whoever calls) and records it on the appointment. */
  async freeUnit(doc: AppointmentDoc): Promise<void> {
    await this.deps.counters.giveBack(doc.slotKey, doc._id.toString())
    await this.deps.models.Appointment.updateOne({ _id: doc._id, status: 'cancelled', slotKey: doc.slotKey }, { $set: { unit: null } })
  }
}

/** The API's view of an appointment. */
export function viewOf(doc: AppointmentDoc, storeName: string): Appointment {
  return {
    id: doc._id.toString(),
    memberId: doc.memberId.toString(),
    store: doc.store,
    storeName,
    start: doc.start.toISOString(),
    end: doc.end.toISOString(),
    purpose: doc.purpose as AppointmentPurpose,
    note: doc.note ?? null,
    status: doc.status as Appointment['status'],
    cancelledBy: (doc.cancelledBy ?? null) as Appointment['cancelledBy'],
    reason: doc.reason ?? null,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  }
}

/** The fields of an `appointment` message for a change. */
export function messageData(doc: Pick<AppointmentDoc, 'start' | 'purpose' | 'reason' | 'cancelledBy'>, storeName: string, change: Change): MessageData {
  const notes: Record<Change, string> = {
    booked: '门店确认后会再通知您',
    confirmed: '请按时到店，如需改期请联系门店',
    rescheduled: '门店已为您调整到店时间',
    cancelled: doc.reason ? `原因：${doc.reason}` : doc.cancelledBy === 'member' ? '您已取消本次预约' : '如有疑问请联系门店',
  }
  return {
    store: storeName,
    time: doc.start.toISOString(),
    purpose: APPOINTMENT_PURPOSE_LABELS[doc.purpose as AppointmentPurpose] ?? doc.purpose,
    status: STATUS_WORDS[change],
    note: notes[change],
  }
}
