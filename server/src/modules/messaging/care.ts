import type { AuditLog } from '../../core/audit.js'
import { Conflict, NotFound, RateLimited } from '../../core/errors.js'
import type { MemberRepository } from '../members/repository.js'
import { keyPart } from '../loyalty/keys.js'
import type { WindowCounters } from './counters.js'
import type { Outbox } from './outbox.js'
import type { Preferences } from './preferences.js'

/** Care messages a staff member may send in an hour. */
export const STAFF_CARE_PER_HOUR = 30

/** Staff care: an approved kind to one member, audited, rate-limited per staff member, subject to the member's preferences. */
export class StaffCare {
  constructor(
    private readonly outbox: Outbox,
    private readonly members: MemberRepository,
    private readonly preferences: Preferences,
    private readonly counters: WindowCounters,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async send(input: { memberId: string; kind: 'staff_care'; fields: { content: string }; requestId: string }, staff: { actor: string; role: string; actorName?: string | null }): Promise<'queued' | 'duplicate'> {
    if (!(await this.members.exists(input.memberId))) throw new NotFound(`member ${input.memberId} not found`)
    if ((await this.preferences.get(input.memberId)).kindsOff.includes(input.kind)) throw new Conflict('the member turned these messages off')
    const now = this.now()
    const hour = Math.floor(now.getTime() / 3_600_000)
    const window = `staff-care:${keyPart(staff.actor)}:${hour}`
    if (!(await this.counters.take(window, STAFF_CARE_PER_HOUR, new Date((hour + 2) * 3_600_000)))) {
      throw new RateLimited(`at most ${STAFF_CARE_PER_HOUR} care messages an hour per staff member`)
    }
    const result = await this.outbox.enqueue([
      { dedupeKey: `staff_care:${keyPart(staff.actor)}:${keyPart(input.requestId)}`, kind: input.kind, memberId: input.memberId, data: { advisor: staff.actorName ?? staff.actor, content: input.fields.content }, sender: staff.actor },
    ])
    if (result.created === 0) {
      await this.counters.giveBack(window)
      return 'duplicate'
    }
    await this.audit.record({ ...staff, action: 'message.staff-care', memberId: input.memberId, details: { kind: input.kind, requestId: input.requestId, content: input.fields.content }, at: now })
    return 'queued'
  }
}
