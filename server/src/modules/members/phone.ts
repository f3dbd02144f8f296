import type { MemberProfile } from '@member-center/shared'
import { Types } from 'mongoose'
import { Conflict, NotFound, ValidationFailed, WechatUnavailable } from '../../core/errors.js'
import { ignoreDuplicateKey } from '../../core/duplicate-key.js'
import { WechatApiError, WechatUnreachableError } from '../../core/wechat/errors.js'
import type { WechatClient } from '../../core/wechat/client.js'
import type { phoneBindingModel } from './models/phone-binding.js'
import type { Member, MemberRepository } from './repository.js'
import { normalisePhone } from './phone-number.js'
import { toProfile } from './profile.js'


/**
 * Binding a phone number (optional, never required to join): the code from a getPhoneNumber button is exchanged
 * at WeChat; shop events that named the member by this phone before are then applied.
 */
export class PhoneService {
  constructor(
    private readonly PhoneBinding: ReturnType<typeof phoneBindingModel>,
    private readonly members: MemberRepository,
    private readonly wechat: WechatClient,
    private readonly now: () => Date,
    /** shop events that named the member by this phone are applied then */
    private readonly onMemberSeen: (member: Member) => Promise<void>,
  ) {}

  /**
   * Binds the number behind a getPhoneNumber code to the member: one member per number (409 if another member holds
   * it). The member is checked first, so nothing is written for a member that does not exist; the number is kept in
   * its one spelling (normalisePhone); a number bound before is released, so another member can bind it — orders
   * already settled under it stay with this member.
   */
  async bind(memberId: string, code: string): Promise<MemberProfile> {
    const id = new Types.ObjectId(memberId)
    if (!(await this.members.findById(id))) throw new NotFound('this member no longer exists')
    const answer = await this.wechat.phoneNumber(code).catch((error: unknown) => {
      if (error instanceof WechatUnreachableError) throw new WechatUnavailable(error.reason)
      if (error instanceof WechatApiError && (error.errcode === 40029 || error.errcode === 40163)) {
        throw new ValidationFailed('the phone number code is invalid or was used; tap the button again')
      }
      throw error
    })
    const phone = normalisePhone(answer.phoneNumber, answer.countryCode)
    if (!phone) throw new ValidationFailed('WeChat answered with a phone number that cannot be used; try another number')
    await this.claim(phone, id)
    await this.members.setPhone(id, phone)
    // the number bound before (any other binding of this member) is released
    await this.PhoneBinding.deleteMany({ memberId: id, _id: { $ne: phone } })
    const member = await this.members.findById(id)
    if (!member) throw new NotFound('this member no longer exists')
    await this.onMemberSeen(member)
    return toProfile(member)
  }

  /** Takes the number for the member, or finds it already theirs; 409 when another member holds it. */
  private async claim(phone: string, id: Types.ObjectId): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.PhoneBinding.create({ _id: phone, memberId: id, at: this.now() })
        return
      } catch (error) {
        ignoreDuplicateKey(error)
        const existing = await this.PhoneBinding.findById(phone).lean()
        if (existing?.memberId.equals(id)) return
        // released between the insert and the read: try once more
        if (!existing && attempt === 0) continue
        throw new Conflict('this phone number belongs to another member; ask staff for help')
      }
    }
  }
}
