import type { MemberProfile } from '@member-center/shared'
import { Types } from 'mongoose'
import { Conflict, NotFound, ValidationFailed, WechatUnavailable } from '../../core/errors.js'
import { ignoreDuplicateKey } from '../../core/duplicate-key.js'
import { WechatApiError, WechatUnreachableError } from '../../core/wechat/errors.js'
import type { WechatClient } from '../../core/wechat/client.js'
import type { phoneBindingModel } from './models/phone-binding.js'
import type { Member, MemberRepository } from './repository.js'
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

  async bind(memberId: string, code: string): Promise<MemberProfile> {
    const id = new Types.ObjectId(memberId)
    const { phoneNumber } = await this.wechat.phoneNumber(code).catch((error: unknown) => {
      if (error instanceof WechatUnreachableError) throw new WechatUnavailable(error.reason)
      if (error instanceof WechatApiError && (error.errcode === 40029 || error.errcode === 40163)) {
        throw new ValidationFailed('the phone number code is invalid or was used; tap the button again')
      }
      throw error
    })
    try {
      await this.PhoneBinding.create({ _id: phoneNumber, memberId: id, at: this.now() })
    } catch (error) {
      ignoreDuplicateKey(error)
      const existing = await this.PhoneBinding.findById(phoneNumber).lean()
      if (!existing?.memberId.equals(id)) throw new Conflict('this phone number belongs to another member; ask staff for help')
    }
    await this.members.setPhone(id, phoneNumber)
    const member = await this.members.findById(id)
    if (!member) throw new NotFound('this member no longer exists')
    await this.onMemberSeen(member)
    return toProfile(member)
  }
}
