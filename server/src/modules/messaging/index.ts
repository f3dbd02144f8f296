import fp from 'fastify-plugin'
import { smsFromConfig, type SmsConfig } from '../../core/sms/index.js'
import { MessageAdmin } from './admin.js'
import { MessageAudience } from './audience.js'
import { OfficialAccountChannel, SmsChannel, SubscribeChannel, type PushChannel } from './channels.js'
import { StaffCare } from './care.js'
import { WindowCounters } from './counters.js'
import { Dispatcher } from './dispatcher.js'
import { Inbox } from './inbox.js'
import { messagingModels } from './models.js'
import { Outbox, SEND_JOB, type MessageDraft } from './outbox.js'
import { Preferences, SmsOptOuts, SmsReplies } from './preferences.js'
import { WechatPush } from './push.js'
import pushRoutes from './routes/wechat-push.js'
import adminRoutes from './routes/admin-messages.js'
import meRoutes from './routes/me-messages.js'
import smsInboundRoutes from './routes/sms-inbound.js'
import staffRoutes from './routes/staff-care.js'
import { MessageStats } from './stats.js'
import { Subscriptions } from './subscriptions.js'
import { TemplateMappings } from './templates.js'
import { MessageTriggers } from './triggers.js'

export const MESSAGING_DAILY_JOB = 'messaging.daily'

export interface MessagingService {
  /** writes messages (once per dedupe key) and schedules their push; each lands in the member's inbox */
  enqueue(drafts: MessageDraft[]): ReturnType<Outbox['enqueue']>
  outbox: Outbox
  dispatcher: Dispatcher
  inbox: Inbox
  subscriptions: Subscriptions
  preferences: Preferences
  mappings: TemplateMappings
  counters: WindowCounters
  admin: MessageAdmin
  care: StaffCare
  /**
   * WeChat's message push: other modules handle mini-program events through it, e.g.
   * `app.messaging.push.onMediaCheck(async ({ traceId, suggest }) => …)` or `push.onMiniProgramEvent(event, handler)`
   */
  push: WechatPush
  /** who can be reached, for segments and outreach: marketing off, subscribe balances, messages by key prefix */
  audience: MessageAudience
  /** counts for reports: messages written, sent, delivered, read in a period (the KPI report) */
  stats: MessageStats
  /** marketing SMS: whether a provider is configured, the numbers that unsubscribed (回T退订), members' replies */
  sms: { enabled: boolean; optOuts: SmsOptOuts; replies: SmsReplies }
}

declare module 'fastify' {
  interface FastifyInstance {
    messaging: MessagingService
  }
}

export interface MessagingOptions {
  /** the mini-program's appid (Official Account templates open its pages) */
  appid: string
  /** WeChat's message push: the console's Token (and EncodingAESKey for secure mode), per app */
  push?: { token?: string; aesKey?: string }
  officialAccountPush?: { appid: string; token?: string; aesKey?: string }
  /** the SMS provider's settings (SMS_*): the SMS channel is on when they are complete */
  sms?: SmsConfig
}

/**
 * messaging: the catalogue's kinds (shared/src/messages.ts) become messages — an outbox entry once per fact, the
 * member's inbox entry whatever happens, and a push by the dispatcher (subscribe message, else the Official Account
 * for service kinds, else the inbox alone) under consent, quiet hours, caps and a shared send rate. Routes:
 * /api/me/inbox, /api/me/subscriptions, /api/me/message-preferences, /api/admin/message-templates,
 * /api/admin/messages, /api/admin/messaging-policy, /api/staff/care-messages, /api/sms/inbound (the SMS provider's
 * reply callback: 回T退订). Jobs: messaging.send, messaging.daily.
 */
export default fp<MessagingOptions>(
  async (app, opts) => {
    const models = await app.db.register(messagingModels(app.db.connection))
    const mappings = new TemplateMappings(models, app.audit, app.now)
    const smsOptOuts = new SmsOptOuts(models)
    const preferences = new Preferences(models, smsOptOuts, app.audit, app.now)
    const subscriptions = new Subscriptions(models, mappings, app.now)
    const counters = new WindowCounters(models)
    const outbox = new Outbox(models, app.jobs, preferences, app.now)
    // the push channels, in the order they are tried; every message is in the inbox whatever they do
    const channels: PushChannel[] = [new SubscribeChannel(app.wechat, mappings, subscriptions), new OfficialAccountChannel(app.wechat, mappings, models, opts.appid)]
    // SMS last: marketing messages that ask for it, when no subscribe message carries them (off without a provider)
    const sms = smsFromConfig(opts.sms ?? {})
    if (sms.setup) channels.push(new SmsChannel(sms.setup.provider, sms.setup.marketingTemplateId, preferences, smsOptOuts, app.now))
    app.configurationChecks.set('sms', async () => [
      ...(sms.setup ? [] : [`the SMS channel is off: marketing asking for SMS reaches WeChat and the inbox only (set ${sms.missing.join(', ')})`]),
      ...(sms.setup && !opts.sms?.SMS_INBOUND_TOKEN ? ['SMS replies (回T退订) are not received: set SMS_INBOUND_TOKEN and the provider’s reply callback URL'] : []),
    ])
    const dispatcher = new Dispatcher({ models, members: app.members.repo, channels, preferences, counters, settings: app.settings, now: app.now })

    // a send job's outcome is on its message: a finished one is dropped, so the queue holds only what waits
    app.jobs.register(SEND_JOB, async (payload, job) => dispatcher.send(payload.dedupeKey as string, `${job.leaseOwner ?? 'worker'}:${job.attempts ?? 0}`, payload.messageId as string | undefined), { dropWhenDone: true })
    // a kind without a subscribe template reaches the inbox only: /health tells an admin
    app.configurationChecks.set('messaging', async () => (await mappings.unmapped()).map((kind) => `message kind ${kind} has no subscribe template (PUT /api/admin/message-templates/${kind}/subscribe)`))
    // what sends messages now: shop events and loyalty's domain events
    new MessageTriggers(app, outbox, dispatcher).register()
    app.jobs.register(MESSAGING_DAILY_JOB, async () => {
      await counters.purge(app.now())
      return { rescheduleAt: new Date(app.now().getTime() + 86_400_000) }
    })
    await app.jobs.schedule(MESSAGING_DAILY_JOB, MESSAGING_DAILY_JOB, {}, app.now())

    const smsReplies = new SmsReplies(models, smsOptOuts, (phone) => app.members.repo.findByRefKey(`phone:${phone}`), app.audit, app.now)
    const push = new WechatPush(models, subscriptions, app.wechat, (openid) => app.members.repo.findByRefKey(`openid:${openid}`), app.log)
    app.decorate('messaging', {
      enqueue: (drafts: MessageDraft[]) => outbox.enqueue(drafts),
      outbox,
      dispatcher,
      inbox: new Inbox(models, app.now),
      subscriptions,
      preferences,
      mappings,
      counters,
      admin: new MessageAdmin(models),
      stats: new MessageStats(models),
      care: new StaffCare(outbox, app.members.repo, preferences, counters, app.audit, app.now),
      push,
      audience: new MessageAudience(models, mappings),
      sms: { enabled: sms.setup !== null, optOuts: smsOptOuts, replies: smsReplies },
    })

    await app.register(pushRoutes, {
      prefix: '/api/wechat',
      push,
      miniProgram: opts.push?.token ? { token: opts.push.token, aesKey: opts.push.aesKey, appid: opts.appid } : undefined,
      officialAccount: opts.officialAccountPush?.token ? { token: opts.officialAccountPush.token, aesKey: opts.officialAccountPush.aesKey, appid: opts.officialAccountPush.appid } : undefined,
    })
    await app.register(meRoutes, { prefix: '/api/me' })
    await app.register(adminRoutes, { prefix: '/api/admin' })
    await app.register(staffRoutes, { prefix: '/api/staff' })
    await app.register(smsInboundRoutes, { prefix: '/api/sms', replies: smsReplies, token: opts.sms?.SMS_INBOUND_TOKEN })
  },
  { name: 'messaging', dependencies: ['core', 'members', 'loyalty', 'coupons', 'shop'] },
)
