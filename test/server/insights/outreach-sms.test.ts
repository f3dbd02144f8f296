import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestClock, useTestApp } from '../../helpers/app.js'
import { smsSettings, startSandbox, TEST_SMS_INBOUND_TOKEN } from '../../helpers/sandbox.js'

// the SMS provider, played by a sandbox of its own
const provider = await startSandbox()

/** `hh:mm` Shanghai on the day `days` after 1 March 2026 */
const shanghai = (days: number, hh = 12) => new Date(Date.UTC(2026, 2, 1 + days, hh - 8))

/**
 * An outreach on `wechat_sms` (issue 14): treated members with a phone and no subscribe balance get the step as an
 * SMS ending 回T退订; the holdout gets nothing; a member who replied T gets no more marketing SMS (the message stays in
 * the inbox).
 */
describe('outreach by SMS', () => {
  const t = useTestApp(smsSettings(provider.url), new TestClock(shanghai(0, 10)))
  beforeAll(async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' })
    await provider.sms.setCallback(`${base}/api/sms/inbound?token=${TEST_SMS_INBOUND_TOKEN}`)
  })
  afterAll(() => provider.close())

  it('texts the treated members, never the holdout, and stops for a member who replied T', async () => {
    const members: { id: string; phone: string }[] = []
    for (let i = 0; i < 30; i++) {
      const { memberId } = await t.login(`outreach-sms-${i}`)
      const phone = `1370000${String(i).padStart(4, '0')}`
      await t.app.members.repo.setPhone(new Types.ObjectId(memberId), phone)
      await t.app.members.repo.assignStoreAndAdvisor(new Types.ObjectId(memberId), { homeStore: 'SMS-01' })
      members.push({ id: memberId, phone })
    }
    const by = { actor: 'test', role: 'admin' }
    const segment = await t.app.insights.segments.create({ name: '短信', filter: { homeStores: ['SMS-01'], hasPhone: true } }, by)
    const steps = [
      { label: '预热', afterDays: 0, title: '新品预告', content: '周六门店新品鉴赏会', channel: 'wechat_sms' as const },
      { label: '正式', afterDays: 2, title: '鉴赏会今天', content: '今天 14 点开始，欢迎到店', channel: 'wechat_sms' as const },
    ]
    const outreach = await t.app.insights.outreach.create({ name: '鉴赏会', audience: { segmentId: segment.id }, steps, startAt: shanghai(1, 11).toISOString(), holdoutShare: 0.2 }, by)
    await t.app.insights.outreach.launch(outreach.id, by)
    t.clock.set(shanghai(1, 11))
    await t.app.jobs.drain()

    const rows = (await t.app.db.connection.model('OutreachMember').find({ outreachId: outreach.id }).lean()) as unknown as { memberId: { toString(): string }; group: string }[]
    const treated = members.filter((m) => rows.find((r) => r.memberId.toString() === m.id)!.group === 'treated')
    const holdout = members.filter((m) => rows.find((r) => r.memberId.toString() === m.id)!.group === 'holdout')
    expect(treated.length + holdout.length).toBe(30)
    const sentTo = async () => (await provider.sms.sent()).map((s) => s.phoneNumber)
    const first = await sentTo()
    expect(first.sort()).toEqual(treated.map((m) => `+86${m.phone}`).sort())
    for (const m of holdout) expect(first).not.toContain(`+86${m.phone}`)
    expect((await provider.sms.sent())[0]!.content).toContain('回T退订')

    // one treated member replies T: the next wave reaches everyone treated but them, by SMS
    const quitter = treated[0]!
    await provider.sms.reply(quitter.phone, 'T')
    await expect.poll(async () => t.app.db.connection.model('SmsOptOut').countDocuments({}), { timeout: 5_000 }).toBe(1)
    t.clock.set(shanghai(3, 11))
    await t.app.jobs.drain()
    const second = (await sentTo()).slice(first.length)
    expect(second.sort()).toEqual(treated.slice(1).map((m) => `+86${m.phone}`).sort())
    // the quitter still has the message in the inbox
    const kept = (await t.app.db.connection.model('Message').findOne({ dedupeKey: `outreach:${outreach.id}:1:${quitter.id}` }).lean()) as unknown as { status: string; channel: string | null }
    expect(kept.status).toBe('inbox')

    const results = await t.app.insights.results.results(outreach.id)
    expect(results.cost.messages.sms).toBe(treated.length * 2 - 1)
    expect(results.cost.messagesFen).toBe((treated.length * 2 - 1) * 5)
  })
})
