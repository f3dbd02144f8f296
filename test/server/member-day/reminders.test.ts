import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { memberDayHelpers } from './helpers.js'

/**
 * The reminder the day before a member day: the member_day message, written only for members who accepted its
 * subscribe template (the unsubscribed get nothing: no push, no inbox entry), once per member and member day, at the
 * reminder hour; pushed by the dispatcher, never in the quiet hours.
 */
describe('member-day reminder', () => {
  const t = useTestApp()
  const h = () => memberDayHelpers(t)
  const TEMPLATE = 'tpl-member_day'
  const model = (name: string) => t.app.db.connection.model(name)

  /** The member taps "allow" on the member-day reminder: WeChat records it, and the mini-program reports it. */
  async function subscribed(user: string, taps = 1) {
    const member = await t.login(user)
    for (let i = 0; i < taps; i++) {
      await t.sandbox.subscribe(user, { [TEMPLATE]: 'accept' })
      const reported = await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: h().bearer(member.token), payload: { results: { [TEMPLATE]: 'accept' } } })
      expect(reported.statusCode, reported.body).toBe(200)
    }
    return member
  }
  const openid = async (memberId: string) => ((await t.models.Member.findById(memberId).lean()) as unknown as { openid: string }).openid
  const pushedTo = async (memberId: string) => {
    const id = await openid(memberId)
    return (await t.sandbox.messages()).filter((m) => m.body.touser === id && m.body.template_id === TEMPLATE)
  }
  const messagesOf = async (memberId: string) => (await model('Message').find({ memberId, kind: 'member_day' }).lean()) as unknown as { dedupeKey: string; status: string; data: Record<string, unknown>; category: string }[]
  const reminderJob = async () => (await t.models.Job.findById('member-day.reminder').lean()) as unknown as { dueAt: Date; state: string }

  it('writes nothing while member_day has no subscribe template (nobody can have accepted it)', async () => {
    const member = await t.login('md-remind-unmapped')
    expect(await t.app.memberDay.reminders.remind('2026-03-18', await h().settings())).toEqual({ created: 0, duplicate: 0, suppressed: 0 })
    expect(await messagesOf(member.memberId)).toEqual([])
  })

  it('is scheduled for the reminder hour on the day before the next member day', async () => {
    // the app started on 2026-03-10: the first run is 2026-03-17 10:00 Shanghai
    expect(await reminderJob()).toMatchObject({ state: 'queued', dueAt: new Date('2026-03-17T02:00:00.000Z') })
  })

  it('reminds only the subscribed members, at 10:00 the day before, once', async () => {
    await t.app.messaging.mappings.set('member_day', 'subscribe', { templateId: TEMPLATE }, { actor: 'ops', role: 'admin' })
    // two accepts: one is left after the reminder, so a second run finds the member again
    const fan = await subscribed('md-remind-fan', 2)
    const other = await t.login('md-remind-other')
    t.clock.set('2026-03-17T09:59:59+08:00')
    await t.app.jobs.drain()
    expect(await messagesOf(fan.memberId)).toEqual([])

    t.clock.set('2026-03-17T10:00:00+08:00')
    await t.app.jobs.drain()
    const [message] = await messagesOf(fan.memberId)
    expect(message).toMatchObject({ dedupeKey: `member-day:2026-03-18:reminder:${fan.memberId}`, status: 'sent', category: 'marketing', data: { date: '2026-03-18', offer: '积分2倍' } })
    const pushes = await pushedTo(fan.memberId)
    expect(pushes).toHaveLength(1)
    expect(pushes[0]!.body.data).toEqual({ date1: { value: '2026年3月18日' }, thing2: { value: '积分2倍' } })
    // the member who did not accept: nothing pushed, nothing written, nothing in the inbox
    expect(await messagesOf(other.memberId)).toEqual([])
    expect(await pushedTo(other.memberId)).toEqual([])
    const inbox = await t.app.inject({ method: 'GET', url: '/api/me/inbox', headers: h().bearer(other.token) })
    expect(inbox.json().items).toEqual([])

    // once: the job again (a retry) writes nothing new, and pushes nothing more
    expect(await t.app.memberDay.reminders.remind('2026-03-18', await h().settings())).toMatchObject({ created: 0, duplicate: 1 })
    await t.app.jobs.drain()
    expect(await pushedTo(fan.memberId)).toHaveLength(1)
    // and the next run is the day before the next member day
    expect(await reminderJob()).toMatchObject({ state: 'queued', dueAt: new Date('2026-04-17T02:00:00.000Z') })
  })

  it('never pushes in the quiet hours: a reminder written late waits for 09:00', async () => {
    const late = await subscribed('md-remind-late')
    // the workers were down from 10:00: the job runs at 22:30, in the quiet hours (21:00–09:00)
    t.clock.set('2026-04-17T22:30:00+08:00')
    await t.app.jobs.drain()
    expect(await messagesOf(late.memberId)).toMatchObject([{ status: 'queued' }])
    expect(await pushedTo(late.memberId)).toEqual([])
    t.clock.set('2026-04-18T08:59:59+08:00')
    await t.app.jobs.drain()
    expect(await pushedTo(late.memberId)).toEqual([])
    t.clock.set('2026-04-18T09:00:00+08:00')
    await t.app.jobs.drain()
    expect(await pushedTo(late.memberId)).toHaveLength(1)
    expect(await messagesOf(late.memberId)).toMatchObject([{ status: 'sent', data: { date: '2026-04-18' } }])
  })

  it('holds the reminder when the operator’s quiet hours cover the reminder hour, and names the planned theme', async () => {
    const early = await subscribed('md-remind-quiet')
    t.clock.set('2026-05-10T10:00:00+08:00')
    const plan = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/member-day/plans/2026-05-18',
      headers: { authorization: h().admin() },
      payload: { theme: { title: '五月会员日 · 珍珠季', banner: null, description: '' }, memberPrices: [] },
    })
    expect(plan.statusCode, plan.body).toBe(200)
    const policy = await t.app.inject({ method: 'PATCH', url: '/api/admin/messaging-policy', headers: { authorization: h().admin() }, payload: { quietFrom: 21, quietTo: 11 } })
    expect(policy.statusCode, policy.body).toBe(200)
    try {
      t.clock.set('2026-05-17T10:00:00+08:00')
      await t.app.jobs.drain()
      expect(await messagesOf(early.memberId)).toMatchObject([{ status: 'queued', data: { date: '2026-05-18', offer: '五月会员日 · 珍珠季' } }])
      expect(await pushedTo(early.memberId)).toEqual([])
      t.clock.set('2026-05-17T11:00:00+08:00')
      await t.app.jobs.drain()
      expect(await pushedTo(early.memberId)).toHaveLength(1)
    } finally {
      await t.app.inject({ method: 'PATCH', url: '/api/admin/messaging-policy', headers: { authorization: h().admin() }, payload: { quietFrom: 21, quietTo: 9 } })
    }
  })

  it('moves to the new hour when the settings change, and reminds nobody while the reminder or the program is off', async () => {
    const fan = await subscribed('md-remind-off', 2)
    t.clock.set('2026-06-01T12:00:00+08:00')
    await h().setSettings({ reminder: { enabled: true, hour: 18 }, days: [5, 18] })
    try {
      expect(await reminderJob()).toMatchObject({ dueAt: new Date('2026-06-04T10:00:00.000Z') })
      await h().setSettings({ reminder: { enabled: false, hour: 18 } })
      t.clock.set('2026-06-04T18:00:00+08:00')
      await t.app.jobs.drain()
      await h().setSettings({ enabled: false, reminder: { enabled: true, hour: 18 } })
      t.clock.set('2026-06-17T18:00:00+08:00')
      await t.app.jobs.drain()
      expect(await messagesOf(fan.memberId)).toEqual([])
      expect(await pushedTo(fan.memberId)).toEqual([])
    } finally {
      await h().reset()
    }
  })
})
