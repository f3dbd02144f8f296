import type { PutStore, Store } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { ValidationFailed } from '../../core/errors.js'
import type { AppointmentModels, StoreDoc } from './models.js'
import { storeProblem } from './rules.js'
import { type StaffActor, auditEntry } from './staff-actor.js'

/** The fields of a store as the API shows them. */
export function storeView(doc: StoreDoc): Store {
  return {
    code: doc._id,
    name: doc.name,
    address: doc.address,
    phone: doc.phone,
    hours: { open: doc.hours!.open, close: doc.hours!.close },
    slotMinutes: doc.slotMinutes as Store['slotMinutes'],
    capacity: doc.capacity,
    priorityCapacity: doc.priorityCapacity,
    bookingDays: doc.bookingDays,
    purposes: [...(doc.purposes as Store['purposes'])],
    status: doc.status as Store['status'],
  }
}

/**
 * The brand's stores: operators create and replace them (audited); members list the open ones; other modules ask
 * whether a code names one (`app.stores`).
 */
export class Stores {
  constructor(
    private readonly models: AppointmentModels,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** The store with this code, or null. */
  async get(code: string): Promise<Store | null> {
    const doc = await this.doc(code)
    return doc ? storeView(doc) : null
  }

  async exists(code: string): Promise<boolean> {
    return typeof code === 'string' && code.length > 0 && (await this.models.Store.exists({ _id: code })) !== null
  }

  async doc(code: string): Promise<StoreDoc | null> {
    return this.models.Store.findById(code).lean<StoreDoc>()
  }

  /** Several stores by code (unknown ones left out). */
  async byCodes(codes: string[]): Promise<Map<string, Store>> {
    const unique = [...new Set(codes)]
    if (unique.length === 0) return new Map()
    const docs = await this.models.Store.find({ _id: { $in: unique } }).lean<StoreDoc[]>()
    return new Map(docs.map((d) => [d._id, storeView(d)]))
  }

  /** Every store (open only: what members may book), by code. */
  async list(options: { openOnly?: boolean } = {}): Promise<Store[]> {
    const docs = await this.models.Store.find(options.openOnly ? { status: 'open' } : {}).sort({ _id: 1 }).lean<StoreDoc[]>()
    return docs.map(storeView)
  }

  /**
   * Creates or replaces a store (audited with the store before and after). Its appointments stay as they are: a
   * smaller capacity refuses new bookings until the slot has room, changed hours leave booked slots where they were.
   */
  async put(code: string, input: PutStore, by: StaffActor): Promise<Store> {
    if (input.code !== undefined && input.code !== code) throw new ValidationFailed(`body.code (${input.code}) must be the path's code (${code}) or left out`)
    const problem = storeProblem(input)
    if (problem) throw new ValidationFailed(`body: ${problem}`)
    const before = await this.doc(code)
    const now = this.now()
    const fields = {
      name: input.name,
      address: input.address,
      phone: input.phone,
      hours: { open: input.hours.open, close: input.hours.close },
      slotMinutes: input.slotMinutes,
      capacity: input.capacity,
      priorityCapacity: input.priorityCapacity,
      bookingDays: input.bookingDays,
      purposes: input.purposes,
      status: input.status,
      updatedBy: by.actor,
      updatedAt: now,
    }
    // two creations at once: one inserts, the other's upsert meets its key and replaces it instead
    const write = () => this.models.Store.findOneAndUpdate({ _id: code }, { $set: fields }, { upsert: true, returnDocument: 'after', lean: true })
    const after = await write().catch((error) => {
      if (isDuplicateKey(error)) return write()
      throw error
    })
    const store = storeView(after as unknown as StoreDoc)
    await this.audit.record(auditEntry(by, before ? 'store.replace' : 'store.create', null, { code, before: before ? storeView(before) : null, after: store }, now, code))
    return store
  }
}
