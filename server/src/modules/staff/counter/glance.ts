import { LIFECYCLE_STAGE_LABELS, type MemberGlance } from '@member-center/shared'
import type { FastifyInstance } from 'fastify'
import { MemberCodeInvalid, NotFound } from '../../../core/errors.js'
import { buildCard } from '../../loyalty/card.js'
import { normalisePhone } from '../../members/phone-number.js'
import { maskPhone } from '../../members/profile.js'
import type { Member } from '../../members/repository.js'
import { auditCounter, type Acting } from './acting.js'
import type { Advisors } from './advisors.js'
import type { MemberNotes } from './clienteling.js'

/** The most usable coupons the glance lists (soonest to expire first). */
const COUPONS_SHOWN = 50
/** The most recent orders the glance lists. */
const ORDERS_SHOWN = 10

export type LookupHow = 'code' | 'phone' | 'id'

/**
 * The member at a glance, for the counter: found by the rotating member code on their card, by phone, or by id, and
 * every look-up audited (staff.lookup, with how — including the ones that found no one).
 */
export class MemberGlances {
  constructor(
    private readonly app: FastifyInstance,
    private readonly notes: MemberNotes,
    private readonly advisors: Advisors,
  ) {}

  /** By the member code: an expired (older than the previous minute's) or forged code is a 400 MEMBER_CODE_INVALID. */
  async byCode(code: string, acting: Acting): Promise<MemberGlance> {
    const memberId = this.app.members.verifyMemberCode(code)
    if (!memberId) {
      await this.audited(acting, 'code', null, { found: false, reason: 'invalid-code' })
      throw new MemberCodeInvalid('the member code is expired or not valid; ask the member to refresh the card and scan again')
    }
    return this.glanceOf(await this.app.members.repo.findById(memberId), 'code', acting)
  }

  /** By the member's phone number (11 digits, mainland): 404 when no member has it. */
  async byPhone(phone: string, acting: Acting): Promise<MemberGlance> {
    const normalised = normalisePhone(phone)
    const member = normalised ? await this.app.members.repo.findByRefKey(`phone:${normalised}`) : null
    if (!member) {
      await this.audited(acting, 'phone', null, { found: false, phone: maskPhone(phone) })
      throw new NotFound('no member has this phone number')
    }
    return this.glanceOf(member, 'phone', acting)
  }

  async byId(memberId: string, acting: Acting): Promise<MemberGlance> {
    return this.glanceOf(await this.app.members.repo.findById(memberId), 'id', acting)
  }

  private async glanceOf(member: Member | null, how: LookupHow, acting: Acting): Promise<MemberGlance> {
    if (!member) {
      await this.audited(acting, how, null, { found: false, reason: 'no-member' })
      throw new NotFound('this member no longer exists')
    }
    const id = member._id.toString()
    const now = this.app.now()
    const [tiers, policy, coupons, orders, notes, clienteling, advisor, lifecycle] = await Promise.all([
      this.app.tierTable.current(),
      this.app.policies.current(),
      this.app.coupons.usage.wallet(id, 'usable', COUPONS_SHOWN),
      this.app.memberOrders.recent(member._id, ORDERS_SHOWN),
      this.notes.notes(id),
      this.notes.clienteling(id),
      this.advisors.show(member.advisor),
      // the insights module's stored stage (registered after the counter; read at request time)
      this.app.insights.lifecycle.stageOfMember(member._id),
    ])
    // the tier held and the growth counted, exactly as the member's own card shows them
    const card = buildCard(member, tiers, policy, now, this.app.members.memberCode(member._id, now))
    await this.audited(acting, how, id, { found: true })
    return {
      member: {
        id,
        nickname: member.nickname,
        phone: member.phone ? maskPhone(member.phone) : null,
        tier: { code: card.tier.code, name: card.tier.name, level: card.tier.level },
        growth: card.growth.value,
        points: { available: card.points.available, pending: card.points.pending },
        birthday: member.birthday ?? null,
        homeStore: member.homeStore ?? null,
        advisor,
        joinedAt: (member.createdAt as Date).toISOString(),
        purchases: {
          days: member.purchases?.days ?? 0,
          totalPaidFen: member.purchases?.totalPaidFen ?? 0,
          lastAt: member.purchases?.lastAt ? member.purchases.lastAt.toISOString() : null,
        },
      },
      coupons,
      recentOrders: orders.map((o) => ({ ...o, paidAt: o.paidAt.toISOString() })),
      notes,
      clienteling,
      lifecycle: lifecycle ? { stage: lifecycle.stage, label: LIFECYCLE_STAGE_LABELS[lifecycle.stage], since: lifecycle.since.toISOString() } : null,
    }
  }

  private audited(acting: Acting, how: LookupHow, memberId: string | null, details: Record<string, unknown>): Promise<void> {
    return auditCounter(this.app.audit, acting, 'staff.lookup', memberId, { how, ...details }, this.app.now())
  }
}
