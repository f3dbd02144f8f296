import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { auditOf, expectError, hostileKeys, send, staffToken, type CounterStaff } from './counter-helpers.js'

/**
 * Clienteling at a jewelry counter: notes any store's staff read, ring size, anniversaries and preferences kept
 * structured, the member's dedicated advisor (set by a manager), and each advisor's "my customers".
 */
describe('notes, clienteling and advisors', () => {
  const t = useTestApp()
  let staff: CounterStaff
  let colleague: CounterStaff
  let otherStore: CounterStaff
  let manager: CounterStaff
  let admin: CounterStaff
  let shopper: { token: string; memberId: string }

  beforeAll(async () => {
    t.clock.set('2026-03-10T02:00:00Z')
    staff = await staffToken(t, { role: 'staff', store: 'SH-01', name: '王芳' })
    colleague = await staffToken(t, { role: 'staff', store: 'SH-01', name: '李娜' })
    otherStore = await staffToken(t, { role: 'staff', store: 'BJ-01', name: '张伟' })
    manager = await staffToken(t, { role: 'manager', store: 'SH-01', name: '陈经理' })
    admin = await staffToken(t, { role: 'admin' })
    shopper = await t.login('clienteling-shopper')
  })

  const glance = async (memberId: string, token = staff.token) => {
    const response = await send(t, 'GET', `/api/staff/members/${memberId}`, token)
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  describe('POST /api/staff/members/{memberId}/notes', () => {
    const note = (text: unknown, token: string | null = staff.token, memberId = shopper.memberId) => send(t, 'POST', `/api/staff/members/${memberId}/notes`, token, { text })

    it('adds a note with its author and store, seen by staff of every store, newest first, audited', async () => {
      const first = await note('偏好玫瑰金，不喜欢太夸张的款式', staff.token)
      expect(first.statusCode, first.body).toBe(201)
      expect(first.json()).toEqual({ id: expect.any(String), text: '偏好玫瑰金，不喜欢太夸张的款式', author: { id: staff.id, name: '王芳' }, store: 'SH-01', at: '2026-03-10T02:00:00.000Z' })
      t.clock.set('2026-03-10T03:00:00Z')
      const second = await note('  下月结婚纪念日，想看对戒  \n', otherStore.token)
      expect(second.json()).toMatchObject({ text: '下月结婚纪念日，想看对戒', author: { name: '张伟' }, store: 'BJ-01' })
      // an operator's scripting token has no record and no store
      const byOperator = await note('VIP 客户，注意回访', t.adminToken('ops@brand.test'))
      expect(byOperator.json()).toMatchObject({ author: { id: null, name: 'ops@brand.test' }, store: null })

      const notes = (await glance(shopper.memberId, otherStore.token)).notes
      expect(notes.map((n: { text: string }) => n.text)).toEqual(['VIP 客户，注意回访', '下月结婚纪念日，想看对戒', '偏好玫瑰金，不喜欢太夸张的款式'])
      const audited = await auditOf(t, 'staff.note', { memberId: (await t.models.Member.findById(shopper.memberId).lean())!._id })
      expect(audited.map((a) => [a.actorName, a.store])).toEqual([
        ['王芳', 'SH-01'],
        ['张伟', 'BJ-01'],
        ['ops@brand.test', null],
      ])
      expect(audited[0]!.details).toEqual({ noteId: first.json().id, length: 15 })
      t.clock.set('2026-03-10T02:00:00Z')
    })

    it('shows the 50 newest notes', async () => {
      const { memberId } = await t.login('clienteling-many-notes')
      for (let i = 0; i < 52; i++) {
        t.clock.set(new Date(Date.parse('2026-03-11T00:00:00Z') + i * 60_000))
        expect((await note(`第 ${i} 条`, staff.token, memberId)).statusCode).toBe(201)
      }
      t.clock.set('2026-03-10T02:00:00Z')
      const notes = (await glance(memberId)).notes
      expect(notes).toHaveLength(50)
      expect(notes[0].text).toBe('第 51 条')
      expect(notes[49].text).toBe('第 2 条')
    })

    it('refuses empty, blank, oversized and malformed notes (400), unknown members (404), and non-staff (401/403)', async () => {
      for (const text of ['', ' \n\t ', 'x'.repeat(501), 12345, null, { $gt: '' }, ['a']]) expectError(await note(text), 400, ErrorCodes.VALIDATION_FAILED)
      for (const body of hostileKeys({ text: '好' })) expectError(await send(t, 'POST', `/api/staff/members/${shopper.memberId}/notes`, staff.token, body), 400, ErrorCodes.VALIDATION_FAILED)
      for (const id of ['x', 'a:b', `${shopper.memberId}_1`, '%24ne']) expectError(await note('好', staff.token, id), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await note('好', staff.token, '0123456789abcdef01234567'), 404, ErrorCodes.NOT_FOUND)
      expectError(await note('好', null), 401, ErrorCodes.UNAUTHORIZED)
      expectError(await note('好', shopper.token), 403, ErrorCodes.FORBIDDEN)
    })
  })

  describe('PUT /api/staff/members/{memberId}/clienteling', () => {
    const put = (body: unknown, token: string | null = staff.token, memberId = shopper.memberId) => send(t, 'PUT', `/api/staff/members/${memberId}/clienteling`, token, body)

    it('keeps ring size, anniversaries and preferences; each field replaces only itself; audited', async () => {
      const { memberId } = await t.login('clienteling-facts')
      expect((await glance(memberId)).clienteling).toEqual({ ringSize: null, anniversaries: [], preferences: [] })
      const first = await put({ ringSize: '12', anniversaries: [{ label: '结婚纪念日', date: '05-20' }], preferences: ['18K 玫瑰金', '简约款', '简约款'] }, staff.token, memberId)
      expect(first.statusCode, first.body).toBe(200)
      expect(first.json()).toEqual({ ringSize: '12', anniversaries: [{ label: '结婚纪念日', date: '05-20' }], preferences: ['18K 玫瑰金', '简约款'] })
      // another store's staff add an anniversary: the list is replaced, the rest stays
      const second = await put({ anniversaries: [{ label: '结婚纪念日', date: '05-20' }, { label: '女儿生日', date: '02-29' }] }, otherStore.token, memberId)
      expect(second.json()).toEqual({ ringSize: '12', anniversaries: [{ label: '结婚纪念日', date: '05-20' }, { label: '女儿生日', date: '02-29' }], preferences: ['18K 玫瑰金', '简约款'] })
      const cleared = await put({ ringSize: null, preferences: [] }, staff.token, memberId)
      expect(cleared.json()).toEqual({ ringSize: null, anniversaries: [{ label: '结婚纪念日', date: '05-20' }, { label: '女儿生日', date: '02-29' }], preferences: [] })
      expect((await glance(memberId)).clienteling).toEqual(cleared.json())
      const audited = await auditOf(t, 'staff.clienteling', { 'details.changed': { $exists: true }, actor: { $in: [staff.actor, otherStore.actor] } })
      expect(audited.slice(-3).map((a) => [a.store, a.details.changed])).toEqual([
        ['SH-01', ['ringSize', 'anniversaries', 'preferences']],
        ['BJ-01', ['anniversaries']],
        ['SH-01', ['ringSize', 'preferences']],
      ])
    })

    it('refuses bad bodies: empty, over the bounds, no calendar day, blank, $ keys (400); unknown members (404)', async () => {
      const bad: unknown[] = [
        {},
        { ringSize: '' },
        { ringSize: '   ' },
        { ringSize: 'x'.repeat(41) },
        { ringSize: 12 },
        { ringSize: '12\n' },
        { preferences: Array.from({ length: 11 }, (_, i) => `p${i}`) },
        { preferences: ['x'.repeat(41)] },
        { preferences: [''] },
        { anniversaries: Array.from({ length: 11 }, () => ({ label: '纪念日', date: '01-01' })) },
        { anniversaries: [{ label: '纪念日', date: '02-30' }] },
        { anniversaries: [{ label: '纪念日', date: '13-01' }] },
        { anniversaries: [{ label: '纪念日', date: '2026-01-01' }] },
        { anniversaries: [{ label: '', date: '01-01' }] },
        { anniversaries: [{ label: '纪念日' }] },
        { anniversaries: [['纪念日', '01-01']] },
        ...hostileKeys({ ringSize: '12', anniversaries: [{ label: '纪念日', date: '01-01' }], preferences: ['简约'] }),
      ]
      for (const body of bad) expectError(await put(body), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await put({ ringSize: '12' }, staff.token, '0123456789abcdef01234567'), 404, ErrorCodes.NOT_FOUND)
      expectError(await put({ ringSize: '12' }, staff.token, 'a.b'), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await put({ ringSize: '12' }, null), 401, ErrorCodes.UNAUTHORIZED)
      expectError(await put({ ringSize: '12' }, shopper.token), 403, ErrorCodes.FORBIDDEN)
    })
  })

  describe('PUT /api/staff/members/{memberId}/advisor and GET /api/staff/customers', () => {
    const assign = (memberId: string, advisorId: unknown, token: string | null = manager.token) => send(t, 'PUT', `/api/staff/members/${memberId}/advisor`, token, { advisorId })
    const customers = async (who: CounterStaff) => {
      const response = await send(t, 'GET', '/api/staff/customers', who.token)
      expect(response.statusCode, response.body).toBe(200)
      return response.json().items as { memberId: string; nickname: string; tier: { code: string; name: string }; lastPurchaseAt: string | null; birthday: string | null }[]
    }

    it('lets a manager assign an advisor of their store; the member becomes the advisor’s customer, the home store the advisor’s', async () => {
      const { memberId } = await t.login('advisor-assigned')
      await t.app.members.repo.updateProfile((await t.models.Member.findById(memberId).lean())!._id, { birthday: '08-08' })
      const response = await assign(memberId, colleague.id)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toEqual({ advisor: { id: colleague.id, name: '李娜' }, homeStore: 'SH-01' })
      expect((await glance(memberId)).member).toMatchObject({ advisor: { id: colleague.id, name: '李娜' }, homeStore: 'SH-01' })
      expect(await customers(colleague)).toContainEqual({ memberId, nickname: expect.any(String), tier: { code: expect.any(String), name: expect.any(String) }, lastPurchaseAt: null, birthday: '08-08' })
      const [entry] = (await auditOf(t, 'staff.advisor-assign')).slice(-1)
      expect(entry).toMatchObject({ actor: manager.actor, store: 'SH-01', details: { advisorId: colleague.id, advisorName: '李娜', before: null } })

      // reassigned: the member leaves the first advisor's customers
      const again = await assign(memberId, staff.id)
      expect(again.json()).toEqual({ advisor: { id: staff.id, name: '王芳' }, homeStore: 'SH-01' })
      expect((await customers(colleague)).map((c) => c.memberId)).not.toContain(memberId)
      expect((await customers(staff)).map((c) => c.memberId)).toContain(memberId)
      expect((await auditOf(t, 'staff.advisor-assign')).slice(-1)[0]!.details).toMatchObject({ before: colleague.id })
    })

    it('lists my customers, the latest buyers first', async () => {
      const adviser = await staffToken(t, { role: 'staff', store: 'SH-01', name: '周敏' })
      const names: string[] = []
      for (const [i, paidAt] of ['2026-03-01T10:00:00+08:00', '2026-03-05T10:00:00+08:00', null].entries()) {
        const { memberId } = await t.login(`advisor-customer-${i}`)
        names.push(memberId)
        if (paidAt) {
          const sold = await send(t, 'POST', '/api/staff/purchases', adviser.token, { memberId, receiptNo: `MC-${i}`, paidAt, lines: [{ sku: 'S', name: '项链', quantity: 1, paidFen: 50_000 }] })
          expect(sold.statusCode, sold.body).toBe(201)
        } else {
          expect((await assign(memberId, adviser.id)).statusCode).toBe(200)
        }
      }
      await t.app.jobs.drain()
      const mine = await customers(adviser)
      expect(mine.map((c) => c.memberId)).toEqual([names[1], names[0], names[2]])
      expect(mine[0]!.lastPurchaseAt).toBe('2026-03-05T02:00:00.000Z')
    })

    it('is for managers and admins: staff 403; a manager of another store’s advisor 403; unknown 404; deactivated 409', async () => {
      const { memberId } = await t.login('advisor-refused')
      expectError(await assign(memberId, colleague.id, staff.token), 403, ErrorCodes.FORBIDDEN)
      expectError(await assign(memberId, otherStore.id, manager.token), 403, ErrorCodes.FORBIDDEN)
      expectError(await assign(memberId, '0123456789abcdef01234567', manager.token), 404, ErrorCodes.NOT_FOUND)
      expectError(await assign('0123456789abcdef01234567', colleague.id, manager.token), 404, ErrorCodes.NOT_FOUND)
      const leaving = await staffToken(t, { role: 'staff', store: 'SH-01' })
      expect((await send(t, 'PATCH', `/api/admin/staff/${leaving.id}`, t.adminToken(), { status: 'deactivated' })).statusCode).toBe(200)
      expectError(await assign(memberId, leaving.id, manager.token), 409, ErrorCodes.CONFLICT)
      // an admin assigns any store's advisor; the member keeps the home store they have
      const byAdmin = await assign(memberId, otherStore.id, admin.token)
      expect(byAdmin.statusCode, byAdmin.body).toBe(200)
      expect(byAdmin.json()).toEqual({ advisor: { id: otherStore.id, name: '张伟' }, homeStore: 'BJ-01' })
      expect((await auditOf(t, 'staff.advisor-assign', { actor: { $in: [staff.actor] } })).length).toBe(0)
    })

    it('refuses bad bodies (400) and callers without a staff token (401/403)', async () => {
      const { memberId, token } = await t.login('advisor-bad')
      for (const advisorId of ['', 'someone', `${colleague.id}:x`, 'a_b', 12345, null, { $ne: null }]) expectError(await assign(memberId, advisorId), 400, ErrorCodes.VALIDATION_FAILED)
      for (const body of hostileKeys({ advisorId: colleague.id })) expectError(await send(t, 'PUT', `/api/staff/members/${memberId}/advisor`, manager.token, body), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await assign(memberId, colleague.id, null), 401, ErrorCodes.UNAUTHORIZED)
      expectError(await assign(memberId, colleague.id, token), 403, ErrorCodes.FORBIDDEN)
      expectError(await send(t, 'GET', '/api/staff/customers'), 401, ErrorCodes.UNAUTHORIZED)
      expectError(await send(t, 'GET', '/api/staff/customers', token), 403, ErrorCodes.FORBIDDEN)
      expectError(await send(t, 'GET', '/api/staff/customers?store=SH-01', staff.token), 400, ErrorCodes.VALIDATION_FAILED)
    })
  })
})
