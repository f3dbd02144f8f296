import { templateData, type MessageKind } from '@member-center/shared'
import type { Types } from 'mongoose'
import type { WechatClient } from '../../core/wechat/client.js'
import { WechatApiError } from '../../core/wechat/errors.js'
import type { MessageDoc, MessagingModels } from './models.js'
import type { Subscriptions } from './subscriptions.js'
import type { TemplateMappings } from './templates.js'

/** The member as channels need them: ids to reach them by. */
export interface Recipient {
  _id: Types.ObjectId
  openid: string
  unionid?: string | null
}

/** Where a channel would push a message: to whom, with which template and keys. */
export interface Target {
  touser: string
  templateId: string
  keys: Record<string, string>
}

/**
 * A way to push a message to a member (the in-app inbox needs none: every message is in it). The dispatcher asks
 * each channel in order whether it can carry the message now; the first that can pushes it. Subscribe messages and
 * the Official Account today; the lifecycle issue adds SMS behind the same interface.
 */
export interface PushChannel {
  readonly name: 'subscribe' | 'official_account'
  /** whether the kind's category may go through this channel at all */
  carries(category: 'service' | 'marketing'): boolean
  /** the target for this message and member now, or why not */
  target(message: MessageDoc, member: Recipient): Promise<Target | { reason: string }>
  /** pushes; throws WeChat's error */
  push(message: MessageDoc, target: Target): Promise<{ msgid: string }>
  /** after a successful push (a subscribe message uses one accept) */
  sent(message: MessageDoc, target: Target): Promise<void>
  /**
   * An error that says this channel cannot reach the member (43101 no consent, 43004 not following): the channel
   * updates what it knows and answers true, and the message tries the next channel.
   */
  unreachable(error: unknown, message: MessageDoc, target: Target): Promise<boolean>
}

/** One-time subscribe messages (DESIGN.md §3): only while the member has an accept left for the kind's template. */
export class SubscribeChannel implements PushChannel {
  readonly name = 'subscribe' as const

  constructor(
    private readonly wechat: WechatClient,
    private readonly mappings: TemplateMappings,
    private readonly subscriptions: Subscriptions,
  ) {}

  carries(): boolean {
    return true
  }

  async target(message: MessageDoc, member: Recipient): Promise<Target | { reason: string }> {
    const mapping = await this.mappings.find(message.kind as MessageKind, 'subscribe')
    if (!mapping) return { reason: 'no subscribe template for this kind' }
    if ((await this.subscriptions.balance(member._id, mapping.templateId)) <= 0) return { reason: 'no subscription left for this kind' }
    return { touser: member.openid, templateId: mapping.templateId, keys: mapping.keys }
  }

  push(message: MessageDoc, target: Target): Promise<{ msgid: string }> {
    const data = templateData(message.data as Record<string, string | number | null>, target.keys, message.createdAt)
    return this.wechat.sendSubscribeMessage({ touser: target.touser, templateId: target.templateId, page: message.page ?? undefined, data })
  }

  sent(message: MessageDoc, target: Target): Promise<void> {
    return this.subscriptions.used(message.memberId, target.templateId)
  }

  async unreachable(error: unknown, message: MessageDoc, target: Target): Promise<boolean> {
    if (!(error instanceof WechatApiError) || error.errcode !== 43101) return false
    // WeChat has no consent on file: the balance is 0
    await this.subscriptions.zero(message.memberId, target.templateId, '43101')
    return true
  }
}

/**
 * Official Account template messages: service kinds only (WeChat forbids ads and offers there), to members who
 * follow the Official Account (joined by unionid); they open the mini-program's page.
 */
export class OfficialAccountChannel implements PushChannel {
  readonly name = 'official_account' as const

  constructor(
    private readonly wechat: WechatClient,
    private readonly mappings: TemplateMappings,
    private readonly models: MessagingModels,
    private readonly appid: string,
  ) {}

  carries(category: 'service' | 'marketing'): boolean {
    return category === 'service' && this.wechat.officialAccount !== null
  }

  async target(message: MessageDoc, member: Recipient): Promise<Target | { reason: string }> {
    const mapping = await this.mappings.find(message.kind as MessageKind, 'official_account')
    if (!mapping) return { reason: 'no Official Account template for this kind' }
    const follower = member.unionid ? await this.models.Follower.findOne({ unionid: member.unionid }).lean() : null
    if (!follower) return { reason: 'the member does not follow the Official Account' }
    return { touser: follower._id, templateId: mapping.templateId, keys: mapping.keys }
  }

  push(message: MessageDoc, target: Target): Promise<{ msgid: string }> {
    const data = templateData(message.data as Record<string, string | number | null>, target.keys, message.createdAt)
    return this.wechat.sendTemplateMessage({ touser: target.touser, templateId: target.templateId, miniprogram: { appid: this.appid, pagepath: message.page ?? undefined }, data })
  }

  async sent(): Promise<void> {}

  async unreachable(error: unknown, _message: MessageDoc, target: Target): Promise<boolean> {
    if (!(error instanceof WechatApiError) || error.errcode !== 43004) return false
    // no longer a follower: forget the follow
    await this.models.Follower.deleteOne({ _id: target.touser })
    return true
  }
}
