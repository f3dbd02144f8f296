import type { PhoneReveal } from '@member-center/shared'
import type { AuditLog } from '../../../core/audit.js'
import { isDuplicateKey } from '../../../core/duplicate-key.js'
import { Conflict, NotFound, RateLimited } from '../../../core/errors.js'
import { maskPhone } from '../../members/profile.js'
import type { MemberRepository } from '../../members/repository.js'
import { auditCounter, type Acting } from './acting.js'
import type { CounterModels } from './models.js'

/** The phone numbers one staff member may have revealed in an hour: a day's calls, not a harvest of the member list. */
export const PHONE_REVEALS_PER_HOUR = 60

const HOUR_MS = 3_600_000

/**
 * Calling a member from the counter: the glance and the task list show the phone masked; "call" asks for the whole
 * number, which the member's record holds (the members module's repository, never its model). Brand-wide like the
 * glance: staff of any store call any member. Every reveal is audited (staff.phone-reveal: who, whom, what for) and
 * counted per staff member and hour, across every process.
 */
export class PhoneReveals {
  constructor(
    private readonly models: CounterModels,
    private readonly members: MemberRepository,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly perHour = PHONE_REVEALS_PER_HOUR,
  ) {}

  /**
   * The member's whole number. 404 for no such member; 409 CONFLICT when they bound no phone (binding one is optional);
   * 429 once the staff member revealed `perHour` numbers this hour (a refused request takes none).
   */
  async reveal(memberId: string, acting: Acting, purpose: { taskId?: string } = {}): Promise<PhoneReveal> {
    const member = await this.members.findById(memberId)
    if (!member) throw new NotFound(`member ${memberId} not found`)
    if (!member.phone) throw new Conflict('this member has not bound a phone number; write a note or send a care message instead')
    const at = this.now()
    if (!(await this.take(acting.actor, at))) throw new RateLimited(`at most ${this.perHour} phone numbers an hour per staff member; try again later`)
    await auditCounter(this.audit, acting, 'staff.phone-reveal', memberId, { phone: maskPhone(member.phone), ...(purpose.taskId ? { taskId: purpose.taskId } : {}) }, at)
    return { phoneNumber: member.phone }
  }

  /** Takes one reveal of the actor's current hour; false when the hour is full. */
  private async take(actor: string, at: Date): Promise<boolean> {
    const hour = Math.floor(at.getTime() / HOUR_MS)
    const expiresAt = new Date((hour + 1) * HOUR_MS)
    try {
      const done = await this.models.PhoneRevealWindow.updateOne(
        { _id: JSON.stringify([actor, hour]), count: { $lt: this.perHour } },
        { $inc: { count: 1 }, $setOnInsert: { actor, expiresAt } },
        { upsert: true },
      )
      // a new hour: the actor's passed ones go
      if (done.upsertedCount > 0) await this.models.PhoneRevealWindow.deleteMany({ actor, expiresAt: { $lte: at } })
      return done.modifiedCount + done.upsertedCount > 0
    } catch (error) {
      // the upsert's insert hit the _id: the hour is full, or another request made it a moment ago (take from it then)
      if (!isDuplicateKey(error)) throw error
      const again = await this.models.PhoneRevealWindow.updateOne({ _id: JSON.stringify([actor, hour]), count: { $lt: this.perHour } }, { $inc: { count: 1 } })
      return again.modifiedCount > 0
    }
  }
}
