import { isMemberDayDate, shanghaiDate, startOfNextShanghaiDay } from '@member-center/shared'
import fp from 'fastify-plugin'
import { MemberDays } from './days.js'
import { MemberDirectory } from './member-directory.js'
import { memberDayModels } from './models.js'
import { MemberDayPlans } from './plans.js'
import { REMINDER_JOB, MemberDayReminders } from './reminders.js'
import { MemberDayReports } from './report.js'
import adminRoutes from './routes/admin-member-day.js'
import meRoutes from './routes/me-member-day.js'
import publicRoutes from './routes/member-day.js'
import { MemberDaySettingsStore } from './settings.js'
import { MemberDayViews } from './view.js'

export const MEMBER_DAY_DAILY_JOB = 'member-day.daily'
/** The daily job runs at 00:05 Shanghai: the day is recorded and, in issueMode job, every member gets the coupons. */
const DAILY_AT_MS = 5 * 60_000

/** The member-day service: settings, plans, the day's visits and coupons, the reminder, the view and the report. */
export interface MemberDayService {
  settings: MemberDaySettingsStore
  plans: MemberDayPlans
  days: MemberDays
  reminders: MemberDayReminders
  views: MemberDayViews
  reports: MemberDayReports
}

declare module 'fastify' {
  interface FastifyInstance {
    memberDay: MemberDayService
  }
}

/**
 * member-day: one to three fixed days each month (Asia/Shanghai) with tier coupons (issued on the member's first visit
 * that day, or to everyone by the day's job), a points multiplier on purchases paid that day (loyalty's earning
 * booster: fixed on the order, so refunds reverse exactly), a reminder the day before to members who accepted its
 * subscribe template, a theme and member prices planned by month, and a results report. Routes: /api/member-day,
 * /api/me/member-day/visits, /api/admin/member-day/… (settings, plans, reports). Jobs: member-day.daily (00:05),
 * member-day.reminder (the reminder hour on the day before each member day).
 */
export default fp(
  async (app) => {
    const models = await app.db.register(memberDayModels(app.db.connection))
    const settings = new MemberDaySettingsStore({ settings: app.settings, coupons: app.coupons, tiers: app.tierTable, audit: app.audit, now: app.now })
    const directory = new MemberDirectory(app.members)
    const plans = new MemberDayPlans(models, settings, app.audit, app.now)
    const days = new MemberDays({ models, settings, coupons: app.coupons, members: app.members, directory, tiers: app.tierTable, now: app.now, log: app.log })
    const reminders = new MemberDayReminders({ settings, plans, messaging: app.messaging, directory, jobs: app.jobs, now: app.now, log: app.log })
    const views = new MemberDayViews({ settings, plans, days, coupons: app.coupons, members: app.members, messaging: app.messaging, tiers: app.tierTable, now: app.now })
    const reports = new MemberDayReports({ settings, days, sales: app.sales, coupons: app.coupons, now: app.now })

    // the multiplier: purchases paid on a member day (the Shanghai date of paidAt) while the program is on; loyalty
    // fixes it on the order with its rates, and the points history names it (会员日 ×2)
    app.orders.addBooster('member-day', async (purchases) => {
      const current = await settings.current()
      if (!current.enabled || current.multiplier === 1) return purchases.map(() => [])
      const boost = { kind: 'member-day', factor: current.multiplier, label: `会员日 ×${current.multiplier}` }
      return purchases.map((p) => (isMemberDayDate(shanghaiDate(p.paidAt), current.days) ? [boost] : []))
    })

    app.jobs.register(MEMBER_DAY_DAILY_JOB, async () => {
      const now = app.now()
      const today = shanghaiDate(now)
      const current = await settings.current()
      if (current.enabled && isMemberDayDate(today, current.days)) {
        await days.hold(today, current)
        if (current.issueMode === 'job') {
          const result = await days.issueToEveryone(today, current)
          app.log.info({ date: today, ...result }, 'member-day coupons issued to every member')
        }
      }
      return { rescheduleAt: new Date(startOfNextShanghaiDay(now).getTime() + DAILY_AT_MS) }
    })
    // the first run at once (idempotent): a process started on a member day after 00:05 still holds the day
    await app.jobs.schedule(MEMBER_DAY_DAILY_JOB, MEMBER_DAY_DAILY_JOB, {}, app.now(), { maxAttempts: 1_000 })
    app.jobs.register(REMINDER_JOB, async () => reminders.run())
    await reminders.schedule()

    app.decorate('memberDay', { settings, plans, days, reminders, views, reports })

    await app.register(publicRoutes, { prefix: '/api' })
    await app.register(meRoutes, { prefix: '/api/me' })
    await app.register(adminRoutes, { prefix: '/api/admin' })
  },
  { name: 'member-day', dependencies: ['core', 'members', 'loyalty', 'coupons', 'messaging'] },
)
