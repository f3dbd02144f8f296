import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { expectError, hostileKeys, send, staffToken, type CounterStaff } from './counter-helpers.js'

/**
 * POST /api/staff/care-messages/preview: what a care message will say — the same words the member's inbox then shows —
 * which channel would carry it now, and why it would not go at all. Read-only: nothing is sent or counted.
 */
describe('POST /api/staff/care-messages/preview', () => {
  const t = useTestApp()
  let staff: CounterStaff
  const admin = { actor: 'ops', role: 'admin' }

  beforeAll(async () => {
    t.clock.set('2026-03-10T02:00:00Z')
    staff = await staffToken(t, { role: 'staff', store: 'SH-01', name: '王芳' })
  })

  const preview = (body: unknown, token: string | null = staff.token) => send(t, 'POST', '/api/staff/care-messages/preview', token, body)
  const careBody = (memberId: string, content: string) => ({ memberId, kind: 'staff_care', fields: { content } })
  const inbox = async (token: string) => (await send(t, 'GET', '/api/me/inbox', token)).json().items as { kind: string; title: string; body: string; page: string | null }[]

  it('previews exactly what the sent message then says in the member’s inbox', async () => {
    const { memberId, token } = await t.login('care-preview-same')
    const content = '您好，您上周保养的戒指已经可以到店取回了，我们周末也营业，欢迎随时过来。'
    const shown = await preview(careBody(memberId, content))
    expect(shown.statusCode, shown.body).toBe(200)
    // no subscribe template mapped, no Official Account follow: the inbox alone
    expect(shown.json()).toMatchObject({ title: '专属顾问关怀', page: 'pages/me/index', channels: ['inbox'], blocked: null, push: null })
    expect(shown.json().body).toContain(content)

    const sent = await send(t, 'POST', '/api/staff/care-messages', staff.token, { ...careBody(memberId, content), requestId: 'care-preview-1' })
    expect(sent.statusCode, sent.body).toBe(201)
    const [message] = await inbox(token)
    expect(message).toMatchObject({ kind: 'staff_care', title: shown.json().title, body: shown.json().body, page: shown.json().page })
    // nothing was counted by the preview: the one send took one unit of the staff member's hour
    const counters = await t.app.db.connection.model('MessageCounter').find({ _id: { $regex: '^staff-care:' } }).lean()
    expect(counters.map((c) => (c as unknown as { count: number }).count)).toEqual([1])
  })

  it('names the subscribe message when the member has an accept left, with its values cut as WeChat shows them', async () => {
    await t.app.messaging.mappings.set('staff_care', 'subscribe', { templateId: 'tpl-staff-care' }, admin)
    const { memberId, token } = await t.login('care-preview-subscribed')
    const accepted = await send(t, 'POST', '/api/me/subscriptions', token, { results: { 'tpl-staff-care': 'accept' } })
    expect(accepted.statusCode, accepted.body).toBe(200)
    const content = '您的定制对戒已完成，欢迎本周六来店试戴并调整尺寸'
    const shown = (await preview(careBody(memberId, content))).json()
    expect(shown.channels).toEqual(['subscribe', 'inbox'])
    expect(shown.blocked).toBeNull()
    expect(shown.push.channel).toBe('subscribe')
    expect(shown.push.templateId).toBe('tpl-staff-care')
    // thing: 20 characters at most (19 and …)
    expect(shown.push.data.thing2.value).toBe(`${[...content].slice(0, 19).join('')}…`)
    // the member sees the advisor's name, not the staff record's id
    expect(shown.push.data.name1.value).toBe('王芳')
    // the preview used nothing: the accept is still there
    expect((await t.app.messaging.subscriptions.list(memberId)).find((s) => s.templateId === 'tpl-staff-care')?.balance).toBe(1)
  })

  it('says why a message would not go: the member turned care messages off; the staff member’s hourly limit', async () => {
    const { memberId, token } = await t.login('care-preview-blocked')
    const off = await send(t, 'PATCH', '/api/me/message-preferences', token, { kindsOff: ['staff_care'] })
    expect(off.statusCode, off.body).toBe(200)
    const blocked = (await preview(careBody(memberId, '您好'))).json()
    expect(blocked).toMatchObject({ channels: [], blocked: 'the member turned these messages off', push: null })
    // and sending is refused for that reason
    expectError(await send(t, 'POST', '/api/staff/care-messages', staff.token, { ...careBody(memberId, '您好'), requestId: 'care-blocked-1' }), 409, ErrorCodes.CONFLICT)

    const busy = await staffToken(t, { role: 'staff', store: 'SH-01', name: '忙碌' })
    const { memberId: someone } = await t.login('care-preview-busy')
    for (let i = 0; i < 30; i++) {
      const sent = await send(t, 'POST', '/api/staff/care-messages', busy.token, { ...careBody(someone, `第 ${i} 条`), requestId: `busy-${i}` })
      expect(sent.statusCode, sent.body).toBe(201)
    }
    expect((await preview(careBody(someone, '再来一条'), busy.token)).json().blocked).toMatch(/30 care messages this hour/)
    expectError(await send(t, 'POST', '/api/staff/care-messages', busy.token, { ...careBody(someone, '再来一条'), requestId: 'busy-31' }), 429, ErrorCodes.RATE_LIMITED)
    // another staff member is not limited by it
    expect((await preview(careBody(someone, '再来一条'))).json().blocked).toBeNull()
  })

  it('refuses bad bodies (400) — a requestId among them —, unknown members (404), and callers without a staff token', async () => {
    const { memberId, token } = await t.login('care-preview-bad')
    const valid = careBody(memberId, '您好')
    const bad: unknown[] = [
      { ...valid, requestId: 'r-1' },
      { ...valid, kind: 'campaign' },
      { ...valid, kind: 'shipped' },
      { ...valid, fields: { content: '' } },
      { ...valid, fields: { content: 'x'.repeat(201) } },
      { ...valid, fields: { content: '您好', title: '活动' } },
      { ...valid, fields: {} },
      { ...valid, memberId: `${memberId}:1` },
      { ...valid, memberId: { $ne: null } },
      ...hostileKeys(valid),
    ]
    for (const body of bad) expectError(await preview(body), 400, ErrorCodes.VALIDATION_FAILED)
    expectError(await preview(careBody('0123456789abcdef01234567', '您好')), 404, ErrorCodes.NOT_FOUND)
    expectError(await preview(valid, null), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await preview(valid, token), 403, ErrorCodes.FORBIDDEN)
    expect(await inbox(token)).toEqual([])
  })
})
