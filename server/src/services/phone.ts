import type { MemberProfile } from '@member-center/shared'
import { Types } from 'mongoose'
import { Conflict, NotFound, ValidationFailed, WechatUnavailable } from '../errors.js'
import type { Models } from '../models/index.js'
import { WechatApiError, WechatUnreachableError } from '../wechat/errors.js'
import type { WechatClient } from '../wechat/client.js'
import type { OrderService } from './orders.js'
import { toProfile } from './profile.js'
import { ignoreDuplicateKey } from '../models/duplicate-key.js'


/**
 * Binding a phone number (optional, never required to join): the code from a getPhoneNumber button is exchanged
 * at WeChat; shop events that named the member by this phone before are then applied.
 */
export class PhoneService {
  constructor(
    private readonly models: Models,
    private readonly wechat: WechatClient,
    private readonly orders: OrderService,
    private readonly now: () => Date,
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
      await this.models.PhoneBinding.create({ _id: phoneNumber, memberId: id, at: this.now() })
    } catch (error) {
      ignoreDuplicateKey(error)
      const existing = await this.models.PhoneBinding.findById(phoneNumber).lean()
      if (!existing?.memberId.equals(id)) throw new Conflict('this phone number belongs to another member; ask staff for help')
    }
    await this.models.Member.updateOne({ _id: id }, { $set: { phone: phoneNumber } })
    await this.orders.adopt(id, [`phone:${phoneNumber}`])
    const member = await this.models.Member.findById(id).lean()
    if (!member) throw new NotFound('this member no longer exists')
    return toProfile(member as never)
  }
}
