import { templateData, type MessageKind } from '@member-center/shared'
import type { Types } from 'mongoose'
import { SmsSendError, type SmsProvider } from '../../core/sms/index.js'
import type { WechatClient } from '../../core/wechat/client.js'
import { WechatApiError } from '../../core/wechat/errors.js'
import type { MessageDoc, MessagingModels } from './models.js'
import type { Preferences, SmsOptOuts } from './preferences.js'
import type { Subscriptions } from './subscriptions.js'
import type { TemplateMappings } from './templates.js'

/** The member as channels need them: ids to reach them by. */
export interface Recipient {
  _id: Types.ObjectId
  openid: string
  unionid?: string | null
  /** normalisePhone's spelling; null when the member never gave one */
  phone?: string | null
}

/** Where a channel would push a message: to whom, with which template and keys. */
export interface Target {
  touser: string
  templateId: string
  keys: Record<string, string>
}

/**
 * A way to push a message to a member (the in-app inbox needs none: every message is in it). The dispatcher asks
 * each channel in order whether it can carry the message now; the first that can pushes it: subscribe messages, the
 * Official Account (service kinds), SMS (marketing messages that ask for it).
 */
export interface PushChannel {
  readonly name: 'subscribe' | 'official_account' | 'sms'
  /** whether the message (by its kind's category, and what its writer asked) may go through this channel at all */
  carries(category: 'service' | 'marketing', message: MessageDoc): boolean
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

/** What every marketing SMS ends with: how to unsubscribe (a reply of T, TD or 退订 stops them all). */
export const SMS_UNSUBSCRIBE = '回T退订'
/**
 * The longest SMS text sent (the suffix included; the provider puts 【签名】 in front): with a signature of up to 12
 * characters it stays within two segments (long SMS: 67 characters each), which is what a marketing line needs.
 */
export const SMS_MAX_TEXT = 120

/** A message's text as an SMS: the inbox body on one line, cut to fit, then " 回T退订". */
export function smsText(body: string): string {
  const suffix = ` ${SMS_UNSUBSCRIBE}`
  const room = SMS_MAX_TEXT - suffix.length
  const chars = [...body.replace(/\s+/g, ' ').trim()]
  const fitted = chars.length > room ? chars.slice(0, room - 1).join('') + '…' : chars.join('')
  return fitted + suffix
}

/**
 * SMS through the cloud provider (core/sms): marketing messages only, and only those whose writer asked for SMS
 * (MessageDraft.sms) — the channel that still reaches members who no longer open the mini-program. To members with a
 * phone number who did not turn SMS off, and whose number has no opt-out (a 回T退订 reply, the provider's blacklist),
 * read at send time: an unsubscribe stops messages already queued too. The text is the kind's body and 回T退订 (the
 * brand's name is the provider's signature). Consent to marketing, quiet hours and the caps are the dispatcher's, as
 * for every marketing push.
 */
export class SmsChannel implements PushChannel {
  readonly name = 'sms' as const

  constructor(
    private readonly provider: SmsProvider,
    private readonly templateId: string,
    private readonly preferences: Preferences,
    private readonly optOuts: SmsOptOuts,
    private readonly now: () => Date,
  ) {}

  carries(category: 'service' | 'marketing', message: MessageDoc): boolean {
    return category === 'marketing' && message.sms === true
  }

  async target(_message: MessageDoc, member: Recipient): Promise<Target | { reason: string }> {
    if (!member.phone) return { reason: 'no phone number for SMS' }
    if (!(await this.preferences.get(member._id)).sms) return { reason: 'the member turned marketing SMS off' }
    if (await this.optOuts.has(member.phone)) return { reason: `the member’s number unsubscribed from marketing SMS (${SMS_UNSUBSCRIBE})` }
    return { touser: member.phone, templateId: this.templateId, keys: {} }
  }

  async push(message: MessageDoc, target: Target): Promise<{ msgid: string }> {
    const { bizId } = await this.provider.send({ phone: target.touser, templateId: target.templateId, params: [smsText(message.body)], context: String(message._id) })
    return { msgid: bizId }
  }

  async sent(): Promise<void> {}

  async unreachable(error: unknown, _message: MessageDoc, target: Target): Promise<boolean> {
    if (!(error instanceof SmsSendError) || error.failure !== 'blocked') return false
    // the provider refuses the number (its blacklist: usually an unsubscribe it recorded): no marketing SMS to it
    await this.optOuts.add(target.touser, 'provider', error.code, this.now())
    return true
  }
}
