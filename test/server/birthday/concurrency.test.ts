import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import app from '../../../server/src/app.js'
import { answerFrameworkError } from '../../../server/src/core/error-handler.js'
import { TEST_JWT_SECRET, TEST_MEMBER_CODE_SECRET, TEST_SHOP_SECRET, useTestApp, type TestContext } from '../../helpers/app.js'
import { TEST_APPID, TEST_SECRET } from '../../helpers/sandbox.js'
import { birthdayHelpers } from './helpers.js'

/** A second server process's app: the whole app on the test's database and sandbox, with the test's clock. */
async function secondProcess(t: TestContext): Promise<FastifyInstance> {
  const other = Fastify({ logger: false, frameworkErrors: answerFrameworkError })
  await other.register(app, {
    MONGODB_URI: t.databaseUri,
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_EXPIRES_IN_SECONDS: 3600,
    MEMBER_CODE_SECRET: TEST_MEMBER_CODE_SECRET,
    WECHAT_APPID: TEST_APPID,
    WECHAT_SECRET: TEST_SECRET,
    WECHAT_API_BASE: t.sandbox.url,
    WECHAT_TIMEOUT_MS: 2000,
    LOGIN_RATE_LIMIT_PER_MINUTE: 1000,
    SHOP_WEBHOOK_SECRET: TEST_SHOP_SECRET,
    WORKER_ENABLED: false,
    now: t.clock.now,
  })
  await other.ready()
  return other
}

/** Once per member per year, whichever process runs the daily job, however often, and with the page opened meanwhile. */
describe('birthday gift: exactly once', () => {
  const t = useTestApp()
  const h = birthdayHelpers(t)
  let other: FastifyInstance | undefined
  afterAll(async () => {
    await other?.close()
  })

  it('gives one coupon, one points entry and one message per member when two processes run the job at once, and again', async () => {
    t.clock.set('2026-01-05T02:00:00Z')
    const members = await Promise.all(Array.from({ length: 6 }, (_, i) => t.login(`bd-once-${i}`)))
    for (const m of members) await h.setBirthday(m.token, '04-12')
    const a = await h.template('生日券 A', { stock: 100 })
    const b = await h.template('生日券 B', { perMemberLimit: 1 })
    await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [a, b], points: 188 }] })
    other = await secondProcess(t)

    // the issue day, 00:10 Shanghai
    t.clock.set('2026-04-08T16:10:00Z')
    const first = await Promise.all([t.app.birthday.gifts.runDaily(), other.birthday.gifts.runDaily()])
    expect(first.map((r) => r.candidates)).toEqual([6, 6])
    // the job run again by each, and a member opening the page at the same moment
    await Promise.all([
      t.app.birthday.gifts.runDaily(),
      other.birthday.gifts.runDaily(),
      t.app.inject({ method: 'GET', url: '/api/me/birthday-gift', headers: h.bearer(members[0]!.token) }),
      other.inject({ method: 'GET', url: '/api/me/birthday-gift', headers: h.bearer(members[1]!.token) }),
    ])
    // and through the job runner, as the worker runs it
    await t.app.jobs.drain()

    for (const m of members) {
      const given = await h.given(m.memberId)
      expect(given.coupons.map((c) => c.issueKey).sort()).toEqual([`birthday:${m.memberId}:2026:0`, `birthday:${m.memberId}:2026:1`])
      expect(given.points).toHaveLength(1)
      expect(given.messages).toHaveLength(1)
      expect(await t.balances(m.memberId)).toMatchObject({ available: 188 })
      const status = await h.status(m.token)
      expect(status).toMatchObject({ status: 'issued', celebratedOn: '2026-04-12', gift: { points: 188 } })
      expect(status.gift.coupons).toHaveLength(2)
    }
    expect(await t.app.coupons.template(a)).toMatchObject({ issued: 6, stockLeft: 94 })
    expect(await t.app.coupons.template(b)).toMatchObject({ issued: 6 })
    expect(await t.app.db.connection.model('BirthdayGift').countDocuments({ state: 'issued' })).toBe(6)
    expect(await t.app.coupons.usage.reconcile()).toEqual([])
    await t.expectReconciled()

    // the next days: nothing more
    t.clock.set('2026-04-10T16:10:00Z')
    await Promise.all([t.app.birthday.gifts.runDaily(), other.birthday.gifts.runDaily()])
    expect(await h.model('Coupon').countDocuments({ source: 'birthday' })).toBe(12)
    expect(await h.model('Message').countDocuments({ kind: 'birthday' })).toBe(6)
  })

  it('completes a gift a crashed process left half-issued, once', async () => {
    t.clock.set('2026-01-05T02:00:00Z')
    const { token, memberId } = await t.login('bd-crashed')
    await h.setBirthday(token, '05-05')
    const tpl = await h.template('生日券 C')
    await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [tpl], points: 66 }] })
    // the process decided the gift and issued its coupon, then died before the points, the message and the mark
    t.clock.set('2026-05-02T02:00:00Z')
    const key = `birthday:${memberId}:2026`
    await t.app.db.connection.model('BirthdayGift').collection.insertOne({
      _id: key as never,
      memberId: (await t.models.Member.findById(memberId).lean())!._id,
      year: 2026,
      celebratedOn: '2026-05-05',
      tier: 'S1',
      couponTemplateIds: [tpl],
      points: 66,
      validUntil: new Date('2026-05-31T15:59:59.999Z'),
      state: 'issuing',
      coupons: [],
      pointsGranted: 0,
      decidedAt: t.clock.now(),
      issuedAt: null,
    })
    await t.app.coupons.issue({ templateId: tpl, memberId, key: `${key}:0`, source: 'birthday', validUntil: new Date('2026-05-31T15:59:59.999Z') })
    // the birthday is past, within the days the job still looks back
    t.clock.set('2026-05-07T02:00:00Z')
    await Promise.all([t.app.birthday.gifts.runDaily(), other!.birthday.gifts.runDaily()])
    const given = await h.given(memberId)
    expect(given.coupons).toHaveLength(1)
    expect(given.points).toHaveLength(1)
    expect(given.messages).toHaveLength(1)
    expect(await t.app.db.connection.model('BirthdayGift').findById(key).lean()).toMatchObject({ state: 'issued', pointsGranted: 66 })
  })
})
