import { tierAtLevel, type Advisor, type AdvisorAssignment, type MyCustomers, type StaffRecord } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../../core/audit.js'
import { ignoreDuplicateKey, isDuplicateKey } from '../../../core/duplicate-key.js'
import { Conflict, Forbidden, NotFound } from '../../../core/errors.js'
import type { DomainEvent } from '../../../core/events/index.js'
import type { MemberRepository } from '../../members/repository.js'
import type { TierTable } from '../../loyalty/tier-table.js'
import { auditCounter, type Acting } from './acting.js'
import type { CounterModels } from './models.js'

/** The most customers "my customers" lists. */
export const MY_CUSTOMERS_LIMIT = 500

/** How a staff record is read (the staff module's records service); null when the app has no staff module. */
export type StaffRecordReader = ((id: string) => Promise<StaffRecord>) | null

export interface AdvisorsDeps {
  models: CounterModels
  members: MemberRepository
  tiers: TierTable
  audit: AuditLog
  /** the staff module's records (404 for an unknown id), when there is one */
  staffRecord: () => StaffRecordReader
  now: () => Date
}

/**
 * Dedicated advisors: the member's `advisor` field (members module) holds the advisor — a staff record id, or a name
 * for advisors known only by one (an operator token, a shop's sale). The first store sale naming an advisor sets it
 * (loyalty's purchase statistics), a manager changes it here. This keeps what the field cannot: the name to show, and
 * each advisor's members ("my customers").
 */
export class Advisors {
  constructor(private readonly deps: AdvisorsDeps) {}

  /** The advisor as the glance shows them: the name remembered, else the value itself (a name). */
  async show(advisor: string | null | undefined): Promise<Advisor | null> {
    if (!advisor) return null
    const named = await this.deps.models.AdvisorName.findById(advisor).lean()
    if (named) return { id: named.staffId ?? null, name: named.name }
    return { id: null, name: advisor }
  }

  /** Remembers an advisor's name (and store) for display. */
  async remember(key: string, fields: { staffId: string | null; name: string; store: string | null }): Promise<void> {
    const write = () => this.deps.models.AdvisorName.updateOne({ _id: key }, { $set: { ...fields, at: this.deps.now() } }, { upsert: true })
    // two first writes at once: the loser's upsert hits the key, and its write again updates
    await write().catch((error: unknown) => (isDuplicateKey(error) ? write() : Promise.reject(error)))
  }

  /** Links an advisor to a member (idempotent). */
  async link(advisor: string, memberId: Types.ObjectId | string): Promise<void> {
    const member = new Types.ObjectId(memberId)
    await this.deps.models.AdvisorLink.collection
      .insertOne({ _id: JSON.stringify([advisor, member.toString()]), advisor, memberId: member, at: this.deps.now() } as never)
      .catch(ignoreDuplicateKey)
  }

  /** The consumer of order.paid: a store sale that names an advisor links them to the member. */
  async onOrderPaid(event: DomainEvent): Promise<void> {
    const payload = event.payload as { channel?: string | null; advisor?: string | null }
    if (payload.channel !== 'store' || !payload.advisor || !event.memberId) return
    await this.link(payload.advisor, event.memberId)
  }

  /**
   * A manager (their own store's advisors) or an admin assigns a member's advisor: a staff record id, of an active
   * record when the staff module can tell. The member's home store, if none yet, becomes the advisor's store.
   * Audited (staff.advisor-assign).
   */
  async assign(memberId: string, advisorId: string, acting: Acting): Promise<AdvisorAssignment> {
    const { staff } = acting
    if (staff.role === 'staff') throw new Forbidden('a manager or an admin assigns advisors')
    const member = await this.deps.members.findById(memberId)
    if (!member) throw new NotFound(`member ${memberId} not found`)
    const read = this.deps.staffRecord()
    const record = read ? await read(advisorId) : null
    if (record && record.status === 'deactivated') throw new Conflict(`staff member ${record.name} is deactivated`)
    const advisorStore = record ? record.store : staff.role === 'manager' ? staff.store : null
    if (staff.role === 'manager' && advisorStore !== staff.store) throw new Forbidden(`staff member ${record?.name ?? advisorId} does not work in your store`)
    const name = record?.name ?? (advisorId === acting.actor ? staff.name : ((await this.show(advisorId))?.name ?? advisorId))

    await this.deps.members.assignStoreAndAdvisor(member._id, { advisor: advisorId })
    if (!member.homeStore && advisorStore) await this.deps.members.setHomeStore(member._id, { homeStore: advisorStore })
    await this.remember(advisorId, { staffId: advisorId, name, store: advisorStore })
    await this.link(advisorId, member._id)
    await auditCounter(this.deps.audit, acting, 'staff.advisor-assign', memberId, { advisorId, advisorName: name, before: member.advisor ?? null }, this.deps.now())
    const after = await this.deps.members.findById(memberId)
    return { advisor: { id: advisorId, name }, homeStore: after?.homeStore ?? null }
  }

  /** The members whose advisor is `advisor` now, the latest buyers first. */
  async customersOf(advisor: string): Promise<MyCustomers> {
    const links = await this.deps.models.AdvisorLink.find({ advisor }, { memberId: 1 }).limit(MY_CUSTOMERS_LIMIT * 2).lean()
    const members = await this.deps.members.findManyByRefKeys(links.map((l) => `memberId:${l.memberId.toString()}`))
    const tiers = await this.deps.tiers.current()
    const items = [...members.values()]
      .filter((m) => m.advisor === advisor)
      .map((m) => {
        const tier = tierAtLevel(tiers, m.tierLevel ?? 1)
        return {
          memberId: m._id.toString(),
          nickname: m.nickname,
          tier: { code: tier.code, name: tier.name },
          lastPurchaseAt: m.purchases?.lastAt ? m.purchases.lastAt.toISOString() : null,
          birthday: m.birthday ?? null,
        }
      })
      .sort((a, b) => (b.lastPurchaseAt ?? '').localeCompare(a.lastPurchaseAt ?? '') || a.memberId.localeCompare(b.memberId))
      .slice(0, MY_CUSTOMERS_LIMIT)
    return { items }
  }
}
