import { startOfNextShanghaiDay } from '@member-center/shared'
import fp from 'fastify-plugin'
import { Birthdays } from './birthdays.js'
import { birthdayMonthBooster } from './booster.js'
import { BirthdayGifts } from './gifts.js'
import { birthdayModels } from './models.js'
import meRoutes from './routes/me-birthday.js'
import settingsRoutes from './routes/settings.js'
import staffRoutes from './routes/staff-birthday.js'
import { BirthdaySettingsStore } from './settings.js'

export const BIRTHDAY_DAILY_JOB = 'birthday.daily'

export interface BirthdayService {
  /** set once by the member, corrected by staff */
  birthdays: Birthdays
  /** the yearly gift: the daily run, the status, issuing at once when due */
  gifts: BirthdayGifts
  settings: BirthdaySettingsStore
}

declare module 'fastify' {
  interface FastifyInstance {
    birthday: BirthdayService
  }
}

/**
 * birthday: the member's date-only birthday (set once; staff correct it), the yearly gift issued a few days before
 * (coupons and/or points, per tier) by the daily job, at login or when the birthday page is opened, and the
 * birthday-month points multiplier. Routes: /api/me/birthday, /api/me/birthday-gift,
 * /api/staff/members/{memberId}/birthday, /api/admin/birthday-settings. Jobs: birthday.daily (00:10 Shanghai).
 */
export default fp(
  async (app) => {
    const models = await app.db.register(birthdayModels(app.db.connection))
    const settings = new BirthdaySettingsStore(app.settings, app.tierTable, app.coupons, app.audit, app.now)
    const gifts = new BirthdayGifts({
      models,
      members: app.members.repo,
      settings,
      tiers: app.tierTable,
      coupons: app.coupons,
      activity: app.activity,
      messaging: app.messaging,
      policies: app.policies,
      now: app.now,
      log: app.log,
    })
    const birthdays = new Birthdays(app.members.repo, gifts, app.audit, app.now)

    // the daily run at 00:10 Shanghai; the first when the program's database is new (then every day)
    const nextRun = () => new Date(startOfNextShanghaiDay(app.now()).getTime() + 10 * 60_000)
    app.jobs.register(BIRTHDAY_DAILY_JOB, async () => {
      await gifts.runDaily()
      return { rescheduleAt: nextRun() }
    })
    await app.jobs.schedule(BIRTHDAY_DAILY_JOB, BIRTHDAY_DAILY_JOB, {}, app.now())

    // a member with a known birthday (imported, or corrected long ago) who logs in inside the window: the gift at once
    // (never in the way of the login: the job and the birthday page issue it all the same)
    app.members.onSeen(async (member) => {
      try {
        await gifts.issueIfDue(member)
      } catch (error) {
        app.log.warn({ err: error, memberId: member._id.toString() }, 'birthday gift not issued at login; the daily job issues it')
      }
    })

    app.orders.addBooster('birthday', birthdayMonthBooster(settings, app.members.repo))

    app.decorate('birthday', { birthdays, gifts, settings })

    await app.register(meRoutes, { prefix: '/api/me' })
    await app.register(staffRoutes, { prefix: '/api/staff' })
    await app.register(settingsRoutes, { prefix: '/api/admin' })
  },
  { name: 'birthday', dependencies: ['core', 'members', 'loyalty', 'coupons', 'messaging'] },
)
