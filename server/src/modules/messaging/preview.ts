import { MESSAGE_CATALOGUE, shanghaiDate, templateData, type MessageData, type MessageKind, type MessagingPolicy } from '@member-center/shared'
import type { Connection } from 'mongoose'
import type { WechatClient } from '../../core/wechat/client.js'
import { keyPart } from '../loyalty/keys.js'
import type { Member } from '../members/repository.js'
import { STAFF_CARE_PER_HOUR } from './care.js'
import type { MessagingModels } from './models.js'
import type { Preferences } from './preferences.js'
import { inQuietHours, shanghaiWeek } from './rules.js'
import type { Subscriptions } from './subscriptions.js'
import type { TemplateMappings } from './templates.js'

export type PreviewChannel = 'subscribe' | 'official_account' | 'inbox'

/** What a message would be if it were sent now: its words, the channel that would carry it, or why it would not go. */
export interface MessagePreview {
  title: string
  body: string
  page: string
  category: 'service' | 'marketing'
  /** the push channel the dispatcher would pick now (if any), then the inbox; empty when blocked */
  channels: PreviewChannel[]
  /** why it would not be sent at all, or null */
  blocked: string | null
  /** the push's template values, fitted to WeChat's types as the dispatcher sends them */
  push: { channel: 'subscribe' | 'official_account'; templateId: string; data: Record<string, { value: string }> } | null
  /** marketing in the quiet hours: pushed when they end (the inbox has it at once) */
  deferred: boolean
}

export interface MessagePreviewsDeps {
  connection: Connection
  wechat: Pick<WechatClient, 'officialAccount'>
  mappings: TemplateMappings
  subscriptions: Subscriptions
  preferences: Preferences
  policy: () => Promise<MessagingPolicy>
  now: () => Date
}

/**
 * Previews of messages, read-only: the catalogue's words for the fields (exactly what the outbox writes to the
 * inbox), and the dispatcher's decisions taken the way it takes them — the member's preferences, the caps, then the
 * first push channel that can reach the member (a subscribe message with an accept left, else the Official Account
 * for service kinds, to a follower). Nothing is written: no counter is taken, no accept used.
 */
export class MessagePreviews {
  private readonly models: Pick<MessagingModels, 'Counter' | 'Follower'>

  constructor(private readonly deps: MessagePreviewsDeps) {
    // messaging's own models, built on the app's connection by the messaging plugin
    this.models = { Counter: deps.connection.model('MessageCounter') as MessagingModels['Counter'], Follower: deps.connection.model('OaFollower') as MessagingModels['Follower'] }
  }

  /**
   * `staffActor`: a staff care message's sender (the hourly limit per staff member, as StaffCare.send counts it).
   */
  async preview(kind: MessageKind, member: Pick<Member, '_id' | 'openid' | 'unionid'>, data: MessageData, options: { staffActor?: string } = {}): Promise<MessagePreview> {
    const def = MESSAGE_CATALOGUE[kind]
    const now = this.deps.now()
    const words = { title: def.title, body: def.body(data), page: def.page, category: def.category }
    const [prefs, policy] = await Promise.all([this.deps.preferences.get(member._id), this.deps.policy()])
    const blocked = (reason: string): MessagePreview => ({ ...words, channels: [], blocked: reason, push: null, deferred: false })

    if (prefs.kindsOff.includes(kind)) return blocked('the member turned these messages off')
    if (def.category === 'marketing' && !prefs.marketing) return blocked('the member turned marketing off')
    if (options.staffActor !== undefined) {
      const hour = Math.floor(now.getTime() / 3_600_000)
      if ((await this.count(`staff-care:${keyPart(options.staffActor)}:${hour}`)) >= STAFF_CARE_PER_HOUR) {
        return blocked(`you have sent ${STAFF_CARE_PER_HOUR} care messages this hour, the most a staff member may`)
      }
    }
    const inbox = (): MessagePreview => ({ ...words, channels: ['inbox'], blocked: null, push: null, deferred: false })
    if (def.category === 'marketing') {
      const [day, week] = await Promise.all([
        this.count(`cap:day:${member._id.toString()}:${shanghaiDate(now)}`),
        this.count(`cap:week:${member._id.toString()}:${shanghaiWeek(now)}`),
      ])
      // over a cap: the dispatcher keeps it in the inbox
      if (day >= policy.marketingPerDay || week >= policy.marketingPerWeek) return inbox()
    }
    const deferred = def.category === 'marketing' && inQuietHours(now, policy.quietFrom, policy.quietTo)

    const subscribe = await this.deps.mappings.find(kind, 'subscribe')
    if (subscribe && (await this.deps.subscriptions.balance(member._id, subscribe.templateId)) > 0) {
      return { ...words, channels: ['subscribe', 'inbox'], blocked: null, push: { channel: 'subscribe', templateId: subscribe.templateId, data: templateData(data, subscribe.keys, now) }, deferred }
    }
    if (def.category === 'service' && this.deps.wechat.officialAccount !== null) {
      const oa = await this.deps.mappings.find(kind, 'official_account')
      const follower = oa && member.unionid ? await this.models.Follower.findOne({ unionid: member.unionid }, { _id: 1 }).lean() : null
      if (oa && follower) {
        return { ...words, channels: ['official_account', 'inbox'], blocked: null, push: { channel: 'official_account', templateId: oa.templateId, data: templateData(data, oa.keys, now) }, deferred }
      }
    }
    return { ...inbox(), deferred }
  }

  private async count(window: string): Promise<number> {
    return (await this.models.Counter.findById(window, { count: 1 }).lean())?.count ?? 0
  }
}
