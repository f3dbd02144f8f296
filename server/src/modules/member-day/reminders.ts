import {
  isMemberDayDate,
  memberDayReminderAt,
  nextMemberDayReminderAt,
  shanghaiDate,
  shiftDate,
  type MemberDaySettings,
} from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { JobOutcome, JobRunner } from '../../core/jobs/runner.js'
import type { MessagingService } from '../messaging/index.js'
import type { MemberDirectory } from './member-directory.js'
import type { MemberDayPlans } from './plans.js'
import type { MemberDaySettingsStore } from './settings.js'

export const REMINDER_JOB = 'member-day.reminder'

/** The dedupe key of one member's reminder of one member day: the outbox writes it once. */
export function reminderKey(date: string, memberId: string): string {
  return `member-day:${date}:reminder:${memberId}`
}

/** When the reminder job runs next after `now`: the reminder hour on the day before the next member day. */
export function nextReminderRun(now: Date, settings: MemberDaySettings): Date {
  // (days are never empty; a day later is a harmless fallback)
  return nextMemberDayReminderAt(now, settings.days, settings.reminder.hour) ?? new Date(now.getTime() + 86_400_000)
}

/** The member_day message's `offer` (a thing: at most 20 characters, cut by the dispatcher): the theme, else the multiplier. */
export function offerText(settings: MemberDaySettings, themeTitle: string | null): string {
  if (themeTitle) return themeTitle
  const coupons = settings.tierCoupons.some((t) => t.couponTemplateIds.length > 0)
  return settings.multiplier > 1 ? `积分${settings.multiplier}倍${coupons ? '，会员专享券' : ''}` : coupons ? '会员专享券' : '会员专享礼遇'
}

export interface MemberDayRemindersDeps {
  settings: MemberDaySettingsStore
  plans: MemberDayPlans
  messaging: MessagingService
  directory: MemberDirectory
  jobs: JobRunner
  now: () => Date
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>
}

/**
 * The reminder the day before each member day (the `member_day` message, marketing), to the members who accepted its
 * subscribe template and still have an accept left — nobody else gets it, not even in the inbox. A job at the
 * reminder hour (Shanghai) on the day before, rescheduling itself to the next one; each member's message is written
 * once (dedupe key member-day:{date}:reminder:{memberId}). Quiet hours and the marketing caps are the dispatcher's:
 * a reminder written late (a worker that was down) waits for the quiet hours to end.
 */
export class MemberDayReminders {
  constructor(private readonly deps: MemberDayRemindersDeps) {}

  /** Schedules the job at its next run (`move`: after a settings change, to the new time). */
  async schedule(move = false): Promise<void> {
    const settings = await this.deps.settings.current()
    // (a job that reschedules itself for ever: failures retry with backoff rather than end it after ten)
    await this.deps.jobs.schedule(REMINDER_JOB, REMINDER_JOB, {}, nextReminderRun(this.deps.now(), settings), { move, maxAttempts: 1_000 })
  }

  /** The job: tomorrow is a member day and its reminder hour has come → remind; then the next run. */
  async run(): Promise<JobOutcome> {
    const now = this.deps.now()
    const settings = await this.deps.settings.current()
    const tomorrow = shiftDate(shanghaiDate(now), 1)
    if (settings.enabled && settings.reminder.enabled && isMemberDayDate(tomorrow, settings.days) && now.getTime() >= memberDayReminderAt(tomorrow, settings.reminder.hour).getTime()) {
      await this.remind(tomorrow, settings)
    }
    return { rescheduleAt: nextReminderRun(now, settings) }
  }

  /** Writes the reminder of the member day `date` for every member with an accept of its template. */
  async remind(date: string, settings: MemberDaySettings): Promise<{ created: number; duplicate: number; suppressed: number }> {
    const total = { created: 0, duplicate: 0, suppressed: 0 }
    const mapping = await this.deps.messaging.mappings.find('member_day', 'subscribe')
    if (!mapping) {
      this.deps.log.warn({ date }, 'member-day reminder: member_day has no subscribe template, so no member can have accepted it; nothing sent')
      return total
    }
    const plan = await this.deps.plans.get(date)
    const offer = offerText(settings, plan.theme?.title ?? null)
    for await (const ids of this.deps.directory.idBatches(500)) {
      const holders = await this.deps.messaging.subscriptions.holders(mapping.templateId, ids)
      if (holders.length === 0) continue
      const result = await this.deps.messaging.enqueue(holders.map((memberId) => ({ dedupeKey: reminderKey(date, memberId), kind: 'member_day' as const, memberId, data: { date, offer } })))
      total.created += result.created
      total.duplicate += result.duplicate
      total.suppressed += result.suppressed
    }
    this.deps.log.info({ date, ...total }, 'member-day reminders written')
    return total
  }
}
