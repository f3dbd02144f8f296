import { isCalendarMonthDay, type Clienteling, type StaffNote, type UpdateClienteling } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../../core/audit.js'
import { NotFound, ValidationFailed } from '../../../core/errors.js'
import type { MemberRepository } from '../../members/repository.js'
import { auditCounter, type Acting } from './acting.js'
import type { ClientelingDoc, CounterModels, StaffNoteDoc } from './models.js'

/** The most notes the glance shows. */
export const NOTES_SHOWN = 50

const EMPTY: Clienteling = { ringSize: null, anniversaries: [], preferences: [] }

/**
 * What staff keep about a member, brand-wide (a member shops in any store): free notes, and the clienteling facts a
 * jewelry counter works with — ring size, anniversaries, preferences — kept structured so tasks and the glance can
 * use them. Every write is audited.
 */
export class MemberNotes {
  constructor(
    private readonly models: CounterModels,
    private readonly members: MemberRepository,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async notes(memberId: string, limit = NOTES_SHOWN): Promise<StaffNote[]> {
    const docs = await this.models.StaffNote.find({ memberId: new Types.ObjectId(memberId) }).sort({ at: -1, _id: -1 }).limit(limit).lean<StaffNoteDoc[]>()
    return docs.map(noteView)
  }

  /** Adds a note (404 for no such member). Audited (staff.note, with the note's id and length, not its text). */
  async addNote(memberId: string, text: string, acting: Acting): Promise<StaffNote> {
    const trimmed = text.trim()
    if (trimmed.length === 0) throw new ValidationFailed('body.text: write something')
    if (!(await this.members.exists(memberId))) throw new NotFound(`member ${memberId} not found`)
    const at = this.now()
    const doc = await this.models.StaffNote.create({
      memberId: new Types.ObjectId(memberId),
      text: trimmed,
      author: { id: acting.staff.id, name: acting.staff.name },
      store: acting.staff.store,
      at,
    })
    await auditCounter(this.audit, acting, 'staff.note', memberId, { noteId: doc._id.toString(), length: trimmed.length }, at)
    return noteView(doc.toObject() as StaffNoteDoc)
  }

  async clienteling(memberId: string): Promise<Clienteling> {
    const doc = await this.models.Clienteling.findById(new Types.ObjectId(memberId)).lean<ClientelingDoc>()
    return doc ? clientelingView(doc) : { ...EMPTY }
  }

  /**
   * Replaces the fields given (a list replaces the list; ringSize null clears it) and answers the whole. 404 for no
   * such member; 400 for an anniversary that is no day of the calendar. Audited (staff.clienteling, with what changed).
   */
  async updateClienteling(memberId: string, changes: UpdateClienteling, acting: Acting): Promise<Clienteling> {
    changes.anniversaries?.forEach((a, i) => {
      if (!isCalendarMonthDay(a.date)) throw new ValidationFailed(`body.anniversaries.${i}.date: ${a.date} is not a day of the calendar (MM-DD)`)
    })
    if (!(await this.members.exists(memberId))) throw new NotFound(`member ${memberId} not found`)
    const at = this.now()
    const set: Record<string, unknown> = { updatedAt: at, updatedBy: acting.actor }
    if (changes.ringSize !== undefined) set.ringSize = changes.ringSize === null ? null : changes.ringSize.trim()
    if (changes.anniversaries !== undefined) set.anniversaries = changes.anniversaries.map((a) => ({ label: a.label.trim(), date: a.date }))
    if (changes.preferences !== undefined) set.preferences = [...new Set(changes.preferences.map((p) => p.trim()))]
    const _id = new Types.ObjectId(memberId)
    const write = () => this.models.Clienteling.findOneAndUpdate({ _id }, { $set: set }, { upsert: true, returnDocument: 'after' }).lean<ClientelingDoc>()
    // two first writes at once: the loser's upsert hits the key, and its write again updates
    const doc = await write().catch((error: unknown) => ((error as { code?: number }).code === 11000 ? write() : Promise.reject(error)))
    await auditCounter(this.audit, acting, 'staff.clienteling', memberId, { changed: Object.keys(changes) }, at)
    return clientelingView(doc!)
  }
}

function noteView(doc: StaffNoteDoc): StaffNote {
  return {
    id: doc._id.toString(),
    text: doc.text,
    author: { id: doc.author?.id ?? null, name: doc.author?.name ?? '' },
    store: doc.store ?? null,
    at: doc.at.toISOString(),
  }
}

function clientelingView(doc: ClientelingDoc): Clienteling {
  return {
    ringSize: doc.ringSize ?? null,
    anniversaries: (doc.anniversaries ?? []).map((a) => ({ label: a.label ?? '', date: a.date ?? '' })),
    preferences: [...(doc.preferences ?? [])],
  }
}
