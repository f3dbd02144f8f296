import { ErrorCodes } from '@member-center/shared'
import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { PHONE_REVEALS_PER_HOUR } from '../../../server/src/modules/staff/counter/phone-reveals.js'
import { useTestApp } from '../../helpers/app.js'
import { auditOf, expectError, hostileKeys, send, staffToken, type CounterStaff } from './counter-helpers.js'

/**
 * The Staff tab's last gaps (issue 12): calling a member from a task or the member page (the whole number, revealed to
 * staff one member at a time, audited, limited per staff member), anniversaries kept and removed from the member page,
 * and a manager picking the dedicated advisor from their store's active staff.
 */
describe('calling a member, anniversaries, the advisor picker', () => {
  const t = useTestApp()
  let staff: CounterStaff
  let otherStore: CounterStaff
  let manager: CounterStaff
  let otherManager: CounterStaff
  let admin: CounterStaff
  let caller: { memberId: string; token: string }

  beforeAll(async () => {
    t.clock.set('2026-03-10T02:00:00Z')
    staff = await staffToken(t, { role: 'staff', store: 'SH-01', name: '孙店员' })
    otherStore = await staffToken(t, { role: 'staff', store: 'BJ-01', name: '北京店员' })
    manager = await staffToken(t, { role: 'manager', store: 'SH-01', name: '马店长' })
    otherManager = await staffToken(t, { role: 'manager', store: 'BJ-01', name: '北京店长' })
    admin = await staffToken(t, { role: 'admin', name: '运营' })
    caller = await t.login('gaps-with-phone')
    // bound through the getPhoneNumber button, as a member does (the sandbox plays WeChat)
    const bound = await send(t, 'POST', '/api/me/phone', caller.token, { code: 'phone-13800138123' })
    expect(bound.statusCode, bound.body).toBe(200)
  })

  const glance = async (memberId: string, token = staff.token) => {
    const response = await send(t, 'GET', `/api/staff/members/${memberId}`, token)
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }
  const objectId = (id: string) => new Types.ObjectId(id)

  describe('POST /api/staff/members/{memberId}/phone-reveals', () => {
    const reveal = (memberId: string, who: CounterStaff | string | null = staff, body: unknown = {}) =>
      send(t, 'POST', `/api/staff/members/${memberId}/phone-reveals`, typeof who === 'string' || who === null ? who : who.token, body)

    it('answers the whole number to staff of any store, not cached, and audits who revealed whose number and for which task', async () => {
      expect((await glance(caller.memberId)).member.phone).toBe('138****8123')
      const taskId = `at_risk:2026-01-20:${caller.memberId}`
      const response = await reveal(caller.memberId, otherStore, { taskId })
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toEqual({ phoneNumber: '13800138123' })
      expect(response.headers['cache-control']).toBe('no-store')
      const fromPage = await reveal(caller.memberId, staff)
      expect(fromPage.json()).toEqual({ phoneNumber: '13800138123' })

      const audited = await auditOf(t, 'staff.phone-reveal', { memberId: objectId(caller.memberId) })
      expect(audited.map((a) => ({ actor: a.actor, actorName: a.actorName, role: a.role, store: a.store, details: a.details }))).toEqual([
        { actor: otherStore.actor, actorName: '北京店员', role: 'staff', store: 'BJ-01', details: { phone: '138****8123', taskId } },
        { actor: staff.actor, actorName: '孙店员', role: 'staff', store: 'SH-01', details: { phone: '138****8123' } },
      ])
    })

    it('is a 409 CONFLICT for a member who bound no phone and a 404 for no member; neither is audited nor counted', async () => {
      const { memberId } = await t.login('gaps-without-phone')
      const before = (await auditOf(t, 'staff.phone-reveal')).length
      expect((await glance(memberId)).member.phone).toBeNull()
      expectError(await reveal(memberId), 409, ErrorCodes.CONFLICT)
      expectError(await reveal('0123456789abcdef01234567'), 404, ErrorCodes.NOT_FOUND)
      expect((await auditOf(t, 'staff.phone-reveal')).length).toBe(before)
    })

    it('refuses bad bodies and ids (400) and callers without a staff token (401/403)', async () => {
      const bad: unknown[] = [
        { taskId: '' },
        { taskId: 'call:2026-03-10:x' },
        { taskId: `birthday:2026-03-10:${'x'.repeat(65)}` },
        { taskId: 12 },
        { taskId: { $ne: null } },
        { phone: '13800138123' },
        [],
        ...hostileKeys({ taskId: `birthday:2026-03-12:${caller.memberId}` }),
      ]
      for (const body of bad) expectError(await reveal(caller.memberId, staff, body), 400, ErrorCodes.VALIDATION_FAILED)
      for (const id of ['x', '%24ne', `${caller.memberId}0`]) expectError(await reveal(id), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await reveal(caller.memberId, null), 401, ErrorCodes.UNAUTHORIZED)
      expectError(await reveal(caller.memberId, caller.token), 403, ErrorCodes.FORBIDDEN)
    })

    it(`reveals at most ${PHONE_REVEALS_PER_HOUR} numbers an hour per staff member, even all at once; others and the next hour are not held back`, async () => {
      t.clock.set('2026-03-11T03:00:00Z')
      const busy = await staffToken(t, { role: 'staff', store: 'SH-01', name: '忙碌店员' })
      const answers = await Promise.all(Array.from({ length: PHONE_REVEALS_PER_HOUR + 5 }, () => reveal(caller.memberId, busy)))
      const statuses = answers.map((r) => r.statusCode)
      expect(statuses.filter((s) => s === 200)).toHaveLength(PHONE_REVEALS_PER_HOUR)
      expect(statuses.filter((s) => s === 429)).toHaveLength(5)
      expectError(answers.find((r) => r.statusCode === 429)!, 429, ErrorCodes.RATE_LIMITED)
      expect(await auditOf(t, 'staff.phone-reveal', { actor: busy.actor })).toHaveLength(PHONE_REVEALS_PER_HOUR)
      // a refusal costs nothing, a colleague is not held back, and the next hour starts afresh
      expectError(await reveal(caller.memberId, busy), 429, ErrorCodes.RATE_LIMITED)
      expect((await reveal(caller.memberId, staff)).statusCode).toBe(200)
      t.clock.set('2026-03-11T04:00:00Z')
      expect((await reveal(caller.memberId, busy)).statusCode).toBe(200)
      t.clock.set('2026-03-10T02:00:00Z')
    })
  })

  describe('GET /api/staff/colleagues', () => {
    let invited: string
    let leaving: CounterStaff

    beforeAll(async () => {
      leaving = await staffToken(t, { role: 'staff', store: 'SH-01', name: '已离职' })
      expect((await send(t, 'PATCH', `/api/admin/staff/${leaving.id}`, t.adminToken(), { status: 'deactivated' })).statusCode).toBe(200)
      const created = await send(t, 'POST', '/api/admin/staff', t.adminToken(), { name: '还没激活', role: 'staff', store: 'SH-01' })
      invited = created.json().staff.id
    })

    const colleagues = (who: CounterStaff, query = '') => send(t, 'GET', `/api/staff/colleagues${query}`, who.token)

    it("answers a manager their own store's active staff and managers, by name — not another store's, not invited or deactivated records", async () => {
      const response = await colleagues(manager)
      expect(response.statusCode, response.body).toBe(200)
      const body = response.json() as { store: string; items: { id: string; name: string; role: string; store: string }[] }
      expect(body.store).toBe('SH-01')
      expect(body.items).toContainEqual({ id: staff.id, name: '孙店员', role: 'staff', store: 'SH-01' })
      expect(body.items).toContainEqual({ id: manager.id, name: '马店长', role: 'manager', store: 'SH-01' })
      expect(body.items.every((c) => c.store === 'SH-01')).toBe(true)
      const ids = body.items.map((c) => c.id)
      for (const absent of [otherStore.id, otherManager.id, leaving.id, invited, admin.id]) expect(ids).not.toContain(absent)
      expect((await colleagues(manager, '?store=SH-01')).json()).toEqual(body)
      // the other store's manager sees theirs
      expect((await colleagues(otherManager)).json().items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([otherStore.id, otherManager.id]))
    })

    it('lets an admin name the store (400 without one); refuses staff, another store for a manager (403), members and anonymous', async () => {
      const bj = await colleagues(admin, '?store=BJ-01')
      expect(bj.statusCode, bj.body).toBe(200)
      expect(bj.json().store).toBe('BJ-01')
      expect(bj.json().items.map((c: { id: string }) => c.id).sort()).toEqual(expect.arrayContaining([otherStore.id, otherManager.id]))
      expect(bj.json().items.every((c: { store: string }) => c.store === 'BJ-01')).toBe(true)
      expectError(await colleagues(admin), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await colleagues(staff), 403, ErrorCodes.FORBIDDEN)
      expectError(await colleagues(staff, '?store=SH-01'), 403, ErrorCodes.FORBIDDEN)
      expectError(await colleagues(manager, '?store=BJ-01'), 403, ErrorCodes.FORBIDDEN)
      for (const query of ['?store=sh-01', '?store=', '?store=SH-01&x=1', '?store[$ne]=1', `?store=${'A'.repeat(17)}`]) expectError(await colleagues(manager, query), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await send(t, 'GET', '/api/staff/colleagues', caller.token), 403, ErrorCodes.FORBIDDEN)
      expectError(await send(t, 'GET', '/api/staff/colleagues'), 401, ErrorCodes.UNAUTHORIZED)
    })

    it('gives the manager an advisor to assign: picked from the list, the member’s advisor and the advisor’s customer', async () => {
      const { memberId } = await t.login('gaps-advised')
      const picked = ((await colleagues(manager)).json().items as { id: string; name: string }[]).find((c) => c.id === staff.id)!
      const assigned = await send(t, 'PUT', `/api/staff/members/${memberId}/advisor`, manager.token, { advisorId: picked.id })
      expect(assigned.statusCode, assigned.body).toBe(200)
      expect(assigned.json()).toEqual({ advisor: { id: staff.id, name: '孙店员' }, homeStore: 'SH-01' })
      // staff see the advisor on the glance (read-only: assigning is a manager's)
      expect((await glance(memberId, otherStore.token)).member.advisor).toEqual({ id: staff.id, name: '孙店员' })
      expectError(await send(t, 'PUT', `/api/staff/members/${memberId}/advisor`, staff.token, { advisorId: picked.id }), 403, ErrorCodes.FORBIDDEN)
      const mine = await send(t, 'GET', '/api/staff/customers', staff.token)
      expect(mine.json().items.map((c: { memberId: string }) => c.memberId)).toContain(memberId)
      const [entry] = (await auditOf(t, 'staff.advisor-assign', { memberId: objectId(memberId) })).slice(-1)
      expect(entry).toMatchObject({ actor: manager.actor, store: 'SH-01', details: { advisorId: staff.id, advisorName: '孙店员' } })
    })
  })

  describe('anniversaries from the member page (PUT …/clienteling)', () => {
    const put = (memberId: string, body: unknown, who: CounterStaff = staff) => send(t, 'PUT', `/api/staff/members/${memberId}/clienteling`, who.token, body)

    it('adds anniversaries one at a time and removes one, as the form sends the whole list; the glance shows them; ring size and preferences stay', async () => {
      const { memberId } = await t.login('gaps-anniversaries')
      expect((await put(memberId, { ringSize: '12', preferences: ['玫瑰金'] })).statusCode).toBe(200)
      const wedding = { label: '结婚纪念日', date: '05-20' }
      const daughter = { label: '女儿生日', date: '02-29' }
      const first = await put(memberId, { anniversaries: [wedding] })
      expect(first.statusCode, first.body).toBe(200)
      expect(first.json()).toEqual({ ringSize: '12', anniversaries: [wedding], preferences: ['玫瑰金'] })
      // another store's staff add one more: the form sends what it shows plus the new one
      const second = await put(memberId, { anniversaries: [...(await glance(memberId, otherStore.token)).clienteling.anniversaries, daughter] }, otherStore)
      expect(second.json().anniversaries).toEqual([wedding, daughter])
      expect((await glance(memberId)).clienteling).toEqual({ ringSize: '12', anniversaries: [wedding, daughter], preferences: ['玫瑰金'] })
      // removing the first: the rest is sent
      const removed = await put(memberId, { anniversaries: [daughter] })
      expect(removed.json()).toEqual({ ringSize: '12', anniversaries: [daughter], preferences: ['玫瑰金'] })
      const cleared = await put(memberId, { anniversaries: [] })
      expect(cleared.json().anniversaries).toEqual([])
      expect((await glance(memberId)).clienteling.anniversaries).toEqual([])
      const audited = await auditOf(t, 'staff.clienteling', { memberId: objectId(memberId) })
      expect(audited.map((a) => [a.store, a.details.changed])).toEqual([
        ['SH-01', ['ringSize', 'preferences']],
        ['SH-01', ['anniversaries']],
        ['BJ-01', ['anniversaries']],
        ['SH-01', ['anniversaries']],
        ['SH-01', ['anniversaries']],
      ])
    })

    it('refuses a day the calendar lacks and labels over the bounds (400), keeping what was there', async () => {
      const { memberId } = await t.login('gaps-anniversaries-bad')
      expect((await put(memberId, { anniversaries: [{ label: '订婚', date: '10-01' }] })).statusCode).toBe(200)
      for (const anniversaries of [[{ label: '纪念日', date: '04-31' }], [{ label: 'x'.repeat(41), date: '01-01' }], [{ label: '换行\n', date: '01-01' }], [{ label: '纪念日', date: '1-1' }]]) {
        expectError(await put(memberId, { anniversaries }), 400, ErrorCodes.VALIDATION_FAILED)
      }
      expect((await glance(memberId)).clienteling.anniversaries).toEqual([{ label: '订婚', date: '10-01' }])
    })
  })
})
