import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { staffHelpers, type TestStaff } from './helpers.js'

interface Entry {
  id: string
  at: string
  actor: string
  actorName: string | null
  role: string
  store: string | null
  action: string
  memberId: string | null
  details: Record<string, unknown>
}

/**
 * The audit log (issue 12): every staff and admin action of this test is in it with who (actor, name, role, store),
 * what, whom and when; managers read their store's entries in the staff tab, admins every store's, staff none.
 */
describe('staff audit log', () => {
  const t = useTestApp()
  const h = staffHelpers(t)
  const OPERATOR = 'ops@brand.test'
  /** what the test did, in order: each must be in the log exactly like this */
  const expected: Omit<Entry, 'id' | 'details'>[] = []
  let manager: TestStaff
  let staff: TestStaff
  let elsewhere: TestStaff
  let admin: TestStaff
  let shopper: { token: string; memberId: string }

  /** moves the clock a minute on, so each action has its own time */
  let minute = 0
  const tick = () => {
    minute++
    t.clock.set(new Date(Date.parse('2026-05-01T02:00:00Z') + minute * 60_000))
    return new Date(t.app.now()).toISOString()
  }
  const operator = (action: string) => ({ actor: OPERATOR, actorName: OPERATOR, role: 'admin', store: null, action, memberId: null })
  const by = (who: TestStaff, action: string, memberId: string | null = null) => ({ actor: who.id, actorName: who.name, role: who.role, store: who.store, action, memberId })
  const record = (entry: Omit<Entry, 'id' | 'details' | 'at'>) => expected.push({ ...entry, at: new Date(t.app.now()).toISOString() })

  /** a staff member: created by the operator, redeemed by their WeChat user — both audited */
  async function hire(user: string, name: string, role: 'staff' | 'manager' | 'admin', store: string | null) {
    tick()
    const created = await h.create({ name, role, store })
    record(operator('staff.create'))
    tick()
    const member = await t.login(user)
    const activated = await h.activate(member.token, created.invitation.code)
    expect(activated.statusCode, activated.body).toBe(200)
    const who: TestStaff = { id: created.staff.id, name, role, store, token: activated.json().staff.token, user, memberToken: member.token, memberId: member.memberId }
    record(by(who, 'staff.activate', member.memberId))
    return who
  }

  async function coupon(memberId: string, key: string): Promise<string> {
    const templates = await t.app.coupons.templates.list()
    const templateId = templates[0]?.id ?? (await t.app.coupons.templates.create({ name: '到店券', kind: 'amount', amountFen: 1_000, thresholdFen: 0, validity: { days: 30 } } as never, { actor: 'setup', role: 'admin' })).id
    return (await t.app.coupons.issue({ templateId, memberId, key, source: 'api' })).coupon.code
  }

  beforeAll(async () => {
    t.clock.set('2026-05-01T02:00:00Z')
    shopper = await t.login('audit-shopper')
    // the setup's own entry (a template made through the service) is not one of the test's staff actions
    await coupon(shopper.memberId, 'audit-setup')
    manager = await hire('audit-manager', '店长 王芳', 'manager', 'SH-01')
    staff = await hire('audit-staff', '店员 李娜', 'staff', 'SH-01')
    elsewhere = await hire('audit-elsewhere', '店员 赵敏', 'staff', 'BJ-01')
    admin = await hire('audit-admin', '运营 陈晨', 'admin', null)

    // a login of a bound WeChat user is a staff action too
    tick()
    expect((await h.session('audit-staff')).staff).not.toBeNull()
    record(by(staff, 'staff.login', staff.memberId))

    // staff at the counter: a coupon, a care message; the manager corrects a birthday; staff elsewhere use a coupon
    tick()
    const code = await coupon(shopper.memberId, 'audit-counter')
    const used = await h.send('POST', `/api/staff/coupons/${code}/use`, staff.token, { memberId: shopper.memberId, store: 'SH-01' })
    expect(used.statusCode, used.body).toBe(200)
    record(by(staff, 'coupon.use-in-store', shopper.memberId))
    tick()
    const care = await h.send('POST', '/api/staff/care-messages', staff.token, { memberId: shopper.memberId, kind: 'staff_care', fields: { content: '您的戒指已保养完毕' }, requestId: 'audit-care-1' })
    expect(care.statusCode, care.body).toBe(201)
    record(by(staff, 'message.staff-care', shopper.memberId))
    tick()
    const birthday = await h.send('PUT', `/api/staff/members/${shopper.memberId}/birthday`, manager.token, { birthday: '08-08', year: 1990, reason: '会员出示证件' })
    expect(birthday.statusCode, birthday.body).toBe(200)
    record(by(manager, 'birthday.correct', shopper.memberId))
    tick()
    const theirs = await coupon(shopper.memberId, 'audit-elsewhere')
    expect((await h.send('POST', `/api/staff/coupons/${theirs}/use`, elsewhere.token, { memberId: shopper.memberId })).statusCode).toBe(200)
    record(by(elsewhere, 'coupon.use-in-store', shopper.memberId))

    // admins keep the records: the operator renames, the admin invites again and creates a record
    tick()
    await h.patch(staff.id, { name: '店员 李娜娜' })
    record(operator('staff.update'))
    staff.name = '店员 李娜娜'
    tick()
    expect((await h.send('POST', `/api/admin/staff/${elsewhere.id}/invitations`, admin.token)).statusCode).toBe(201)
    record(by(admin, 'staff.invite'))
    tick()
    await h.create({ name: '店员 新人', role: 'staff', store: 'SH-01' }, admin.token)
    record(by(admin, 'staff.create'))

    // refusals write nothing: a member, a staff member on admin routes, a bad body
    tick()
    expect((await h.send('POST', '/api/admin/staff', staff.token, { name: 'x', role: 'admin' })).statusCode).toBe(403)
    expect((await h.send('POST', '/api/admin/staff', admin.token, { name: 'x', role: 'staff' })).statusCode).toBe(400)
    expect((await h.send('PATCH', `/api/admin/staff/${staff.id}`, shopper.token, { role: 'admin' })).statusCode).toBe(403)
  })

  it('holds every action of the test with who, what, whom and when — and nothing else', async () => {
    expect(expected.length).toBeGreaterThan(15)
    const stored = await t.models.Audit.find({ actor: { $ne: 'setup' } }).sort({ at: 1, _id: 1 }).lean<(Omit<Entry, 'id' | 'at' | 'memberId'> & { at: Date; memberId: unknown })[]>()
    expect(stored.map((e) => ({ actor: e.actor, actorName: e.actorName, role: e.role, store: e.store, action: e.action, memberId: e.memberId ? String(e.memberId) : null, at: e.at.toISOString() }))).toEqual(expected)
    // the details say what exactly, and never the invitation code
    const update = stored.find((e) => e.action === 'staff.update')!
    expect(update.details).toEqual({ staffId: staff.id, changed: ['name'], before: { name: '店员 李娜' }, after: { name: '店员 李娜娜' } })
    const activation = stored.find((e) => e.action === 'staff.activate' && e.actor === staff.id)!
    expect(activation.details).toEqual({ staffId: staff.id, rebound: false })
    expect(stored.find((e) => e.action === 'staff.invite')!.details).toEqual({ staffId: elsewhere.id, expiresAt: expect.any(String) })
  })

  describe('GET /api/staff/audit', () => {
    const read = (token: string | null, query = '') => h.send('GET', `/api/staff/audit${query ? `?${query}` : ''}`, token)
    const all = async (token: string, query = ''): Promise<Entry[]> => {
      const response = await read(token, query)
      expect(response.statusCode, response.body).toBe(200)
      return response.json().items
    }
    const shape = (e: Entry) => ({ actor: e.actor, actorName: e.actorName, role: e.role, store: e.store, action: e.action, memberId: e.memberId, at: e.at })

    it("shows a manager their store's entries, newest first, in the staff tab's shape", async () => {
      const items = await all(manager.token)
      expect(items.map(shape)).toEqual(expected.filter((e) => e.store === 'SH-01').reverse())
      expect(items[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), at: expect.any(String), actor: expect.any(String), actorName: expect.any(String), role: expect.any(String), store: 'SH-01', action: expect.any(String), memberId: expect.anything(), details: expect.any(Object) })
      // with what exactly: the coupon used, the birthday before and after
      expect(items.find((e) => e.action === 'coupon.use-in-store')!.details).toMatchObject({ code: expect.any(String), store: 'SH-01', staff: staff.id })
      expect(items.find((e) => e.action === 'birthday.correct')!.details).toMatchObject({ reason: '会员出示证件', after: { birthday: '08-08', year: 1990 } })
      expect((await all(manager.token, 'store=SH-01')).length).toBe(items.length)
      h.expectError(await read(manager.token, 'store=BJ-01'), 403, ErrorCodes.FORBIDDEN)
    })

    it('shows an admin every entry, or one store’s; an operator token too', async () => {
      const everything = (await all(admin.token, 'limit=100')).filter((e) => e.actor !== 'setup')
      expect(everything.map(shape)).toEqual([...expected].reverse())
      expect((await all(admin.token, 'store=BJ-01')).map(shape)).toEqual(expected.filter((e) => e.store === 'BJ-01').reverse())
      expect((await all(t.adminToken(), 'limit=100')).length).toBe(everything.length + 1)
    })

    it('filters by actor and pages with a cursor', async () => {
      const mine = await all(manager.token, `actor=${staff.id}`)
      expect(mine.map((e) => e.action)).toEqual(['message.staff-care', 'coupon.use-in-store', 'staff.login', 'staff.activate'])
      const pages: Entry[] = []
      let cursor: string | null = null
      do {
        const response = await read(manager.token, `limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        expect(response.statusCode).toBe(200)
        const body = response.json() as { items: Entry[]; nextCursor: string | null }
        expect(body.items.length).toBeLessThanOrEqual(2)
        pages.push(...body.items)
        cursor = body.nextCursor
      } while (cursor)
      expect(pages).toEqual(await all(manager.token))
    })

    it('refuses staff (403), members (403), no token (401) and deactivated managers (401)', async () => {
      h.expectError(await read(staff.token), 403, ErrorCodes.FORBIDDEN)
      h.expectError(await read(shopper.token), 403, ErrorCodes.FORBIDDEN)
      h.expectError(await read(null), 401, ErrorCodes.UNAUTHORIZED)
      const leaving = await h.staffMember('audit-leaving', { name: '店长 离任', role: 'manager', store: 'SH-01' })
      expect((await read(leaving.token)).statusCode).toBe(200)
      await h.patch(leaving.id, { status: 'deactivated' })
      h.expectError(await read(leaving.token), 401, ErrorCodes.UNAUTHORIZED)
    })

    it('refuses malformed queries with 400', async () => {
      const c = (text: string) => Buffer.from(text).toString('base64url')
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'foo=1', 'store=sh-01', 'store=SH%2F01', 'actor=', `actor=${'a'.repeat(201)}`, 'actor=a%00b', 'actor[$ne]=x', 'cursor=!!!', `cursor=${c('[1,"x"]')}`, `cursor=${c('[1.5,"0123456789abcdef01234567"]')}`, `cursor=${c('{"a":1}')}`]) {
        h.expectError(await read(admin.token, query), 400, ErrorCodes.VALIDATION_FAILED)
      }
    })
  })
})
