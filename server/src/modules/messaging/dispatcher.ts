import { DEFAULT_MESSAGING_POLICY, shanghaiDate, type MessageKind, type MessagingPolicy } from '@member-center/shared'
import type { Types } from 'mongoose'
import type { SettingsStore } from '../../core/settings.js'
import { SmsSendError, SmsUnreachableError } from '../../core/sms/index.js'
import { WechatApiError, WechatUnreachableError } from '../../core/wechat/errors.js'
import type { MemberRepository } from '../members/repository.js'
import type { WindowCounters } from './counters.js'
import type { MessageDoc, MessagingModels } from './models.js'
import type { Preferences } from './preferences.js'
import { inQuietHours, nextShanghaiDay, quietHoursEnd, shanghaiWeek } from './rules.js'
import type { PushChannel, Recipient, Target } from './channels.js'

export const POLICY_SETTING = 'messaging-policy'

/** Seconds a push waits for a unit of its channel's rate before going back to the queue. */
const RATE_WAITS = 5

/** The SMS send rate when the stored policy predates SMS. */
const DEFAULT_SMS_RATE = DEFAULT_MESSAGING_POLICY.ratePerSecond.sms ?? 20

/** WeChat errors that a retry may get past (45011 too frequent, −1 busy); 5xx and timeouts are WechatUnreachableError. */
const PASSING = new Set([45011, -1])

type Outcome = void | { rescheduleAt: Date }

/** A push the dispatcher decided on: the channel, and its target there. */
interface Route {
  channel: PushChannel
  target: Target
}

export interface DispatcherDeps {
  models: MessagingModels
  members: MemberRepository
  /** the push channels, in the order they are tried (the inbox needs none: every message is in it) */
  channels: PushChannel[]
  preferences: Preferences
  counters: WindowCounters
  settings: SettingsStore
  now: () => Date
}

/**
 * Pushes one message (the messaging.send job). In order: the member's preferences (a kind turned off: inbox only);
 * for marketing, the quiet hours (deferred to their end) and the per-member caps per day and week (over a cap: inbox
 * only); then a channel — a subscribe message when the member has a balance for the kind's template; otherwise, for
 * service kinds only, the Official Account template when the member follows it; for marketing messages that ask for
 * it, an SMS to the member's phone number (SmsChannel); otherwise the inbox alone, with the reason. Each push takes a
 * unit of its channel's per-second rate, shared by every process (a full second: deferred to the next); a marketing
 * push that fails gives its caps back (the retry takes them again). WeChat's answers: 40001/42001 refresh the token and retry once (the WeChat client); 43101 zeroes the
 * balance and tries the next channel; 45009 defers to the next day; 45011, −1, 5xx and timeouts retry with backoff up
 * to the policy's maxAttempts, then inbox only; other errors (47003, 40037, 40003, 45168, …) fail the push for good,
 * with the reason — the inbox keeps the message either way.
 *
 * Delivery guarantee: a push is marked `sending` (with the attempt's id) before WeChat is called. A worker that dies
 * after that mark leaves it `sending`; the job is taken over when its lease expires, finds the mark, and records the
 * message `unconfirmed` instead of pushing again — WeChat has no idempotency key, so at most one push per message
 * (a push that WeChat did deliver is then reported by subscribe_msg_sent_event). A timeout is different: the answer
 * was lost but the worker lives, and the push is retried (at least once, for that case alone).
 */
export class Dispatcher {
  private cached: { policy: MessagingPolicy; until: number } | null = null

  constructor(private readonly deps: DispatcherDeps) {}

  /** The messaging policy (defaults where unset), cached per process for 10 s. */
  async policy(): Promise<MessagingPolicy> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.policy
    const policy = { ...DEFAULT_MESSAGING_POLICY, ...((await this.deps.settings.get<Partial<MessagingPolicy>>(POLICY_SETTING)) ?? {}) }
    this.cached = { policy, until: Date.now() + 10_000 }
    return policy
  }

  /** Forgets the cached policy (after a change through the admin route). */
  forgetPolicy(): void {
    this.cached = null
  }

  async send(dedupeKey: string, attemptId: string, messageId?: string): Promise<Outcome> {
    const { models } = this.deps
    // by id when the job knows it (one read by primary key); the dedupe key otherwise — the id is the one written
    // with the job, but a crash between the two writes may have left another document under the key
    const byId = messageId ? await models.Message.findById(messageId).lean<MessageDoc>() : null
    const message = byId && byId.dedupeKey === dedupeKey ? byId : await models.Message.findOne({ dedupeKey }).lean<MessageDoc>()
    if (!message || !['queued', 'sending'].includes(message.status)) return
    if (message.status === 'sending') {
      // a worker died after marking the push and before recording its answer: never push twice
      await this.finish(message, 'unconfirmed', { reason: 'the worker stopped during the push; it may have been delivered', channel: message.channel })
      return
    }
    const now = this.deps.now()
    if (message.notBefore.getTime() > now.getTime()) return { rescheduleAt: message.notBefore }
    const policy = await this.policy()
    const kind = message.kind as MessageKind
    const prefs = await this.deps.preferences.get(message.memberId)
    if (message.category === 'marketing' && !prefs.marketing) return this.finish(message, 'inbox', { reason: 'the member turned marketing off' })
    if (prefs.kindsOff.includes(kind)) return this.finish(message, 'inbox', { reason: 'the member turned this kind off' })
    if (message.category === 'marketing' && inQuietHours(now, policy.quietFrom, policy.quietTo)) return { rescheduleAt: quietHoursEnd(now, policy.quietTo) }

    const member = await this.deps.members.findById(message.memberId)
    if (!member) return this.finish(message, 'inbox', { reason: 'the member is gone' })
    const route = await this.route(message, member as Recipient)
    if ('reason' in route) return this.finish(message, 'inbox', { reason: route.reason })

    // the channel's rate, all processes together: a full second waits for the next (a few times), then defers
    const rateWindow = await this.takeRate(route.channel.name, policy.ratePerSecond[route.channel.name] ?? DEFAULT_SMS_RATE)
    if (!rateWindow) return { rescheduleAt: new Date(Date.now() + 1000 + Math.floor(Math.random() * 500)) }
    const caps = message.category === 'marketing' ? await this.takeMarketingCaps(message.memberId, now, policy) : []
    if (caps === null) {
      await this.deps.counters.giveBack(rateWindow)
      return this.finish(message, 'inbox', { reason: 'the member’s marketing cap for the day or week is reached' })
    }

    const marked = await models.Message.updateOne({ _id: message._id, status: 'queued' }, { $set: { status: 'sending', sendingBy: attemptId, channel: route.channel.name, pushStartedAt: new Date(), rateWindow }, $inc: { attempts: 1 } })
    if (marked.modifiedCount === 0) {
      for (const window of caps) await this.deps.counters.giveBack(window)
      return
    }
    try {
      const sent = await route.channel.push(message, route.target)
      await route.channel.sent(message, route.target)
      await this.finish(message, 'sent', { channel: route.channel.name, msgid: sent.msgid, sentAt: this.deps.now() })
    } catch (error) {
      // nothing reached the member: the caps taken for this push are free again (a retry takes them anew)
      for (const window of caps) await this.deps.counters.giveBack(window)
      return this.failed(message, route, error, policy)
    }
  }

  /**
   * A unit of the channel's send rate in the current second (by this process's wall clock, which all processes
   * share closely enough): waits for the next second while the current one is full, at most RATE_WAITS times (the
   * job's lease is long enough), rather than going back to the queue — a full second is the normal state of a
   * backlog sent at the rate. Answers the window taken, or null.
   */
  private async takeRate(channel: PushChannel['name'], perSecond: number): Promise<string | null> {
    for (let wait = 0; wait < RATE_WAITS; wait++) {
      const nowMs = Date.now()
      const second = Math.floor(nowMs / 1000)
      const window = `rate:${channel}:${second}`
      if (await this.deps.counters.take(window, perSecond, new Date((second + 60) * 1000))) return window
      await new Promise((r) => setTimeout(r, (second + 1) * 1000 - nowMs + Math.floor(Math.random() * 20)))
    }
    return null
  }

  /** The first channel that can carry this message now, or why it reaches the inbox only. */
  private async route(message: MessageDoc, member: Recipient): Promise<Route | { reason: string }> {
    const reasons: string[] = []
    for (const channel of this.deps.channels) {
      if (!channel.carries(message.category as 'service' | 'marketing', message)) continue
      const target = await channel.target(message, member)
      if ('reason' in target) reasons.push(target.reason)
      else return { channel, target }
    }
    return { reason: reasons.join('; ') || 'no channel carries this kind' }
  }

  /** What WeChat's error means for the message (see the class comment). */
  private async failed(message: MessageDoc, route: Route, error: unknown, policy: MessagingPolicy): Promise<Outcome> {
    const requeue = (set: Record<string, unknown> = {}) =>
      this.deps.models.Message.updateOne({ _id: message._id, status: 'sending' }, { $set: { status: 'queued', sendingBy: null, channel: null, ...set } })
    const attempts = (message.attempts ?? 0) + 1
    if (await route.channel.unreachable(error, message, route.target)) {
      // this channel cannot reach the member (43101, 43004): the next channel, or the inbox, takes the message
      const code = error instanceof WechatApiError ? error.errcode : error instanceof SmsSendError ? error.code : 'error'
      await requeue({ reason: `${code}: ${route.channel.name} cannot reach the member` })
      return { rescheduleAt: this.deps.now() }
    }
    if (error instanceof SmsSendError) {
      // the provider's answer (core/sms): the number's daily limit waits for tomorrow like 45009; rate limits and the
      // provider's own errors retry below; a bad number, template or signature fails for good
      if (error.failure === 'next_day') {
        await requeue({ reason: `${error.code}: the number’s daily SMS limit is reached` })
        return { rescheduleAt: new Date(nextShanghaiDay(this.deps.now()).getTime() + Math.floor(Math.random() * 600_000)) }
      }
      if (error.failure !== 'retry') return this.finish(message, 'failed', { reason: error.message, channel: route.channel.name }, 'sending')
    } else if (error instanceof WechatApiError) {
      if (error.errcode === 45009) {
        await requeue({ reason: '45009: daily quota reached' })
        return { rescheduleAt: new Date(nextShanghaiDay(this.deps.now()).getTime() + Math.floor(Math.random() * 600_000)) }
      }
      if (!PASSING.has(error.errcode)) return this.finish(message, 'failed', { reason: `${error.errcode}: ${error.errmsg}`, channel: route.channel.name }, 'sending')
    } else if (!(error instanceof WechatUnreachableError) && !(error instanceof SmsUnreachableError)) {
      throw error
    }
    const why = error instanceof WechatApiError ? `${error.errcode}: ${error.errmsg}` : (error as Error).message
    const who = route.channel.name === 'sms' ? 'the SMS provider' : 'WeChat'
    if (attempts >= policy.maxAttempts) return this.finish(message, 'inbox', { reason: `${who} kept failing (${why}); kept in the inbox` }, 'sending')
    await requeue({ reason: why })
    // the job runner retries with exponential backoff
    throw error
  }

  /** A unit of the member's marketing day and week: the windows taken, or null when one is full. */
  private async takeMarketingCaps(memberId: Types.ObjectId, now: Date, policy: MessagingPolicy): Promise<string[] | null> {
    const day = `cap:day:${memberId.toString()}:${shanghaiDate(now)}`
    const week = `cap:week:${memberId.toString()}:${shanghaiWeek(now)}`
    const expires = new Date(now.getTime() + 8 * 86_400_000)
    if (!(await this.deps.counters.take(day, policy.marketingPerDay, expires))) return null
    if (!(await this.deps.counters.take(week, policy.marketingPerWeek, expires))) {
      await this.deps.counters.giveBack(day)
      return null
    }
    return [day, week]
  }

  private async finish(message: MessageDoc, status: 'sent' | 'inbox' | 'failed' | 'unconfirmed', set: Record<string, unknown>, from: 'queued' | 'sending' = message.status as 'queued' | 'sending'): Promise<void> {
    await this.deps.models.Message.updateOne({ _id: message._id, status: status === 'sent' ? 'sending' : from }, { $set: { status, sendingBy: null, ...set } })
  }
}
