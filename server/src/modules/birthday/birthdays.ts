import { birthdayProblem, shanghaiDate, type Birthday, type SetBirthday, type StaffSetBirthday } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { BirthdayAlreadySet, NotFound, ValidationFailed } from '../../core/errors.js'
import { birthdayFact, type BirthdayFact, type MemberRepository } from '../members/repository.js'
import type { BirthdayGifts } from './gifts.js'

/**
 * The member's birthday (kept by the members module, a date-only MM-DD and an optional year): set once by the member,
 * corrected by staff (audited). Each answer carries the gift's status as the birthday page shows it.
 */
export class Birthdays {
  constructor(
    private readonly members: MemberRepository,
    private readonly gifts: BirthdayGifts,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /**
   * The member sets the birthday: once. Two requests at once: one sets it, the other is a 409 (unless it asked for
   * the very same birthday and year — a retry — which answers as the first did). A later change: 409
   * BIRTHDAY_ALREADY_SET (staff correct it).
   */
  async set(memberId: string, input: SetBirthday): Promise<Birthday> {
    const at = this.now()
    this.check(input, at)
    const year = input.year ?? null
    const outcome = await this.members.setBirthdayOnce(memberId, { birthday: input.birthday, year }, at)
    if (outcome === 'missing') throw new NotFound('this member no longer exists')
    const member = await this.members.findById(memberId)
    if (!member) throw new NotFound('this member no longer exists')
    if (outcome === 'already-set' && (member.birthday !== input.birthday || (member.birthYear ?? null) !== year)) {
      throw new BirthdayAlreadySet(`the birthday is already set (${member.birthday}); store staff can correct it`)
    }
    return this.view(birthdayFact(member), member)
  }

  /** Staff correct (or set) a member's birthday, with the reason; audited with the birthday before and after. */
  async correct(memberId: string, input: StaffSetBirthday, staff: { actor: string; role: string }): Promise<Birthday> {
    const at = this.now()
    this.check(input, at)
    const changed = await this.members.correctBirthday(memberId, { birthday: input.birthday, year: input.year ?? null }, at)
    if (!changed) throw new NotFound(`member ${memberId} not found`)
    await this.audit.record({
      ...staff,
      action: 'birthday.correct',
      memberId,
      details: { reason: input.reason, before: auditFact(changed.before), after: auditFact(changed.after) },
      at,
    })
    const member = await this.members.findById(memberId)
    if (!member) throw new NotFound(`member ${memberId} not found`)
    return this.view(changed.after, member)
  }

  private check(input: SetBirthday, at: Date): void {
    const problem = birthdayProblem(input.birthday, input.year, shanghaiDate(at))
    if (problem) throw new ValidationFailed(problem)
  }

  private async view(fact: BirthdayFact, member: Parameters<BirthdayGifts['statusOf']>[0]): Promise<Birthday> {
    return {
      birthday: { birthday: fact.birthday, year: fact.year, setAt: fact.setAt ? fact.setAt.toISOString() : null },
      gift: await this.gifts.statusOf(member),
    }
  }
}

function auditFact(fact: BirthdayFact): Record<string, unknown> {
  return { birthday: fact.birthday, year: fact.year, setAt: fact.setAt ? fact.setAt.toISOString() : null }
}
