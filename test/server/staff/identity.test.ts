import { ErrorCodes } from '@member-center/shared'
import { createSigner } from 'fast-jwt'
import { describe, expect, it } from 'vitest'
import { sandboxOpenid } from '../../../tools/wechat-sandbox/users.js'
import { TEST_JWT_SECRET, useTestApp } from '../../helpers/app.js'
import { TEST_APPID } from '../../helpers/sandbox.js'
import { staffHelpers } from './helpers.js'

/**
 * Staff identity (issue 12): an admin creates a record with a one-time invitation, a WeChat user redeems it with their
 * member token, and from then on their login carries a separate, short-lived staff token — refused at once (401) when
 * the record is deactivated or its role or store changes, not only when it expires.
 */
describe('staff identity', () => {
  const t = useTestApp()
  const h = staffHelpers(t)
  const GHOST = '0123456789abcdef01234567'
  const me = (token: string | null) => h.send('GET', '/api/staff/me', token)

  describe('create → invite → activate → login', () => {
    it('creates an invited record with a one-time code and its QR; a member redeems it and gets a staff token that opens staff routes', async () => {
      t.clock.set('2026-03-10T02:00:00Z')
      const created = await h.create({ name: '  王芳 ', role: 'staff', store: 'SH-01' })
      expect(created.staff).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        name: '王芳',
        role: 'staff',
        store: 'SH-01',
        status: 'invited',
        boundAt: null,
        createdAt: '2026-03-10T02:00:00.000Z',
        updatedAt: '2026-03-10T02:00:00.000Z',
      })
      expect(created.invitation.code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/)
      expect(created.invitation.expiresAt).toBe('2026-03-17T02:00:00.000Z')
      expect(created.invitation.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/)
      // stored hashed: the code appears nowhere in the database
      const stored = JSON.stringify([
        await t.app.db.connection.model('Staff').find().lean(),
        await t.app.db.connection.model('StaffInvitation').find().lean(),
        await t.models.Audit.find().lean(),
      ])
      expect(stored).not.toContain(created.invitation.code)
      expect(stored).not.toContain(created.invitation.code.replace(/-/g, ''))

      // before activation: a login is a member's only
      expect((await h.session('wang-fang')).staff).toBeNull()
      const member = await t.login('wang-fang')
      t.clock.set('2026-03-11T02:00:00Z')
      // typed by hand: lower case and spaces for dashes are the same code
      const activated = await h.activate(member.token, created.invitation.code.toLowerCase().replace(/-/g, ' '))
      expect(activated.statusCode, activated.body).toBe(200)
      expect(activated.json()).toEqual({ staff: { token: expect.any(String), role: 'staff', store: 'SH-01', name: '王芳', expiresIn: 7200 } })
      const record = (await h.send('GET', '/api/admin/staff', t.adminToken())).json().items.find((r: { id: string }) => r.id === created.staff.id)
      expect(record).toMatchObject({ status: 'active', boundAt: '2026-03-11T02:00:00.000Z' })

      // the staff token is a staff token: who it is, and the staff routes take it
      const token = activated.json().staff.token as string
      expect(t.app.jwt.decode<{ sub: string; role: string; store: string; ver: number; exp: number; iat: number }>(token)).toMatchObject({ sub: created.staff.id, role: 'staff', store: 'SH-01', ver: 1 })
      const who = await me(token)
      expect(who.statusCode, who.body).toBe(200)
      expect(who.json()).toEqual({ id: created.staff.id, name: '王芳', role: 'staff', store: 'SH-01' })
      // a member route does not take it, and the member token does not open staff routes
      expect((await h.send('GET', '/api/me', token)).statusCode).toBe(401)
      h.expectError(await me(member.token), 403, ErrorCodes.FORBIDDEN)

      // every later login carries it, the member's token beside it
      const session = await h.session('wang-fang')
      expect(session.member.id).toBe(member.memberId)
      expect(session.staff).toEqual({ token: expect.any(String), role: 'staff', store: 'SH-01', name: '王芳', expiresIn: 7200 })
      expect((await me(session.staff!.token)).statusCode).toBe(200)
      const claims = t.app.jwt.decode<{ exp: number; iat: number }>(session.staff!.token)!
      expect(claims.exp - claims.iat).toBe(7200)
    })

    it('creates admins without a store, and managers with one', async () => {
      const admin = await h.create({ name: '运营 李雷', role: 'admin' })
      expect(admin.staff).toMatchObject({ role: 'admin', store: null, status: 'invited' })
      const nullStore = await h.create({ name: '运营 韩梅梅', role: 'admin', store: null })
      expect(nullStore.staff.store).toBeNull()
      const manager = await h.create({ name: '店长 张伟', role: 'manager', store: 'BJ-SKP' })
      expect(manager.staff).toMatchObject({ role: 'manager', store: 'BJ-SKP' })
      const listed = await h.send('GET', '/api/admin/staff?store=BJ-SKP', t.adminToken())
      expect(listed.statusCode).toBe(200)
      expect(listed.json().items.map((r: { id: string }) => r.id)).toEqual([manager.staff.id])
      const invited = (await h.send('GET', '/api/admin/staff?status=invited', t.adminToken())).json().items as { status: string }[]
      expect(invited.length).toBeGreaterThanOrEqual(3)
      expect(invited.every((r) => r.status === 'invited')).toBe(true)
    })

    it('an operator token from npm run admin-token is an admin without a record', async () => {
      const who = await me(t.adminToken('ops@brand.test'))
      expect(who.statusCode).toBe(200)
      expect(who.json()).toEqual({ id: null, name: 'ops@brand.test', role: 'admin', store: null })
    })
  })

  describe('invitations', () => {
    it('refuses an invitation used twice with 409 INVITATION_INVALID, by the same member or another', async () => {
      const created = await h.create({ name: '周杰', role: 'staff', store: 'SH-01' })
      const first = await t.login('inv-twice-1')
      expect((await h.activate(first.token, created.invitation.code)).statusCode).toBe(200)
      h.expectError(await h.activate(first.token, created.invitation.code), 409, 'INVITATION_INVALID')
      const other = await t.login('inv-twice-2')
      h.expectError(await h.activate(other.token, created.invitation.code), 409, 'INVITATION_INVALID')
      expect((await h.session('inv-twice-2')).staff).toBeNull()
      expect((await h.session('inv-twice-1')).staff?.name).toBe('周杰')
    })

    it('lets exactly one of two members redeeming the same code at once have it', async () => {
      const created = await h.create({ name: '并发', role: 'staff', store: 'SH-01' })
      const a = await t.login('inv-race-a')
      const b = await t.login('inv-race-b')
      const answers = await Promise.all([h.activate(a.token, created.invitation.code), h.activate(b.token, created.invitation.code)])
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409])
      expect(answers.find((r) => r.statusCode === 409)!.json().code).toBe('INVITATION_INVALID')
      const sessions = [await h.session('inv-race-a'), await h.session('inv-race-b')]
      expect(sessions.filter((s) => s.staff !== null)).toHaveLength(1)
    })

    it('refuses an invitation after 7 days, and takes it until then', async () => {
      t.clock.set('2026-04-01T00:00:00Z')
      const late = await h.create({ name: '迟到', role: 'staff', store: 'SH-01' })
      const onTime = await h.create({ name: '准时', role: 'staff', store: 'SH-01' })
      const member = await t.login('inv-late')
      t.clock.set('2026-04-08T00:00:00Z')
      h.expectError(await h.activate(member.token, late.invitation.code), 409, 'INVITATION_INVALID')
      t.clock.set('2026-04-07T23:59:59Z')
      const other = await t.login('inv-on-time')
      expect((await h.activate(other.token, onTime.invitation.code)).statusCode).toBe(200)
      // a new invitation for the late one works
      t.clock.set('2026-04-09T00:00:00Z')
      const again = await h.send('POST', `/api/admin/staff/${late.staff.id}/invitations`, t.adminToken())
      expect(again.statusCode, again.body).toBe(201)
      expect(again.json()).toEqual({ code: expect.any(String), expiresAt: '2026-04-16T00:00:00.000Z', qrSvg: expect.stringContaining('<svg') })
      expect((await h.activate(member.token, again.json().code)).statusCode).toBe(200)
    })

    it('refuses unknown codes, codes of the wrong length and a replaced invitation with 409 INVITATION_INVALID', async () => {
      const member = await t.login('inv-unknown')
      for (const code of ['ABCDE-FGHJK-MNPQR', 'AAAAA', 'A'.repeat(40), '22222-22222-2222']) {
        h.expectError(await h.activate(member.token, code), 409, 'INVITATION_INVALID')
      }
      const created = await h.create({ name: '替换', role: 'staff', store: 'SH-01' })
      const replaced = await h.send('POST', `/api/admin/staff/${created.staff.id}/invitations`, t.adminToken())
      expect(replaced.statusCode).toBe(201)
      h.expectError(await h.activate(member.token, created.invitation.code), 409, 'INVITATION_INVALID')
      expect((await h.activate(member.token, replaced.json().code)).statusCode).toBe(200)
    })

    it('refuses the invitation of a deactivated record with 409 INVITATION_INVALID, and invites a deactivated record with 409 CONFLICT', async () => {
      const created = await h.create({ name: '停用', role: 'staff', store: 'SH-01' })
      await h.patch(created.staff.id, { status: 'deactivated' })
      const member = await t.login('inv-deactivated')
      h.expectError(await h.activate(member.token, created.invitation.code), 409, 'INVITATION_INVALID')
      h.expectError(await h.send('POST', `/api/admin/staff/${created.staff.id}/invitations`, t.adminToken()), 409, ErrorCodes.CONFLICT)
      // enabled again: never bound, so invited, and a new invitation works
      expect((await h.patch(created.staff.id, { status: 'active' })).status).toBe('invited')
      const fresh = await h.send('POST', `/api/admin/staff/${created.staff.id}/invitations`, t.adminToken())
      expect((await h.activate(member.token, fresh.json().code)).statusCode).toBe(200)
    })

    it('refuses a WeChat user bound to another active record with 409 CONFLICT', async () => {
      await h.staffMember('inv-double', { name: '甲', role: 'staff', store: 'SH-01' })
      const second = await h.create({ name: '乙', role: 'staff', store: 'SH-02' })
      const member = await t.login('inv-double')
      h.expectError(await h.activate(member.token, second.invitation.code), 409, ErrorCodes.CONFLICT)
      // the invitation was not spent: another person can still redeem it
      const other = await t.login('inv-double-other')
      expect((await h.activate(other.token, second.invitation.code)).statusCode).toBe(200)
    })

    it('lets a WeChat user whose record was deactivated redeem a new record; the old one, enabled again, is invited', async () => {
      const old = await h.staffMember('inv-moved', { name: '调店', role: 'staff', store: 'SH-01' })
      await h.patch(old.id, { status: 'deactivated' })
      const next = await h.create({ name: '调店', role: 'staff', store: 'SH-02' })
      const member = await t.login('inv-moved')
      const activated = await h.activate(member.token, next.invitation.code)
      expect(activated.statusCode, activated.body).toBe(200)
      expect(activated.json().staff.store).toBe('SH-02')
      expect((await h.session('inv-moved')).staff?.store).toBe('SH-02')
      expect((await h.patch(old.id, { status: 'active' })).status).toBe('invited')
      expect((await h.session('inv-moved')).staff?.store).toBe('SH-02')
    })

    it('binds a new phone with a new invitation: the old phone’s token and login lose staff, the new one has it', async () => {
      const staff = await h.staffMember('phone-old', { name: '换机', role: 'staff', store: 'SH-01' })
      const invitation = (await h.send('POST', `/api/admin/staff/${staff.id}/invitations`, t.adminToken())).json()
      // until the new phone redeems it, the old one works
      expect((await me(staff.token)).statusCode).toBe(200)
      const newPhone = await t.login('phone-new')
      expect((await h.activate(newPhone.token, invitation.code)).statusCode).toBe(200)
      h.expectError(await me(staff.token), 401, ErrorCodes.UNAUTHORIZED)
      expect((await h.session('phone-old')).staff).toBeNull()
      const session = await h.session('phone-new')
      expect(session.staff?.name).toBe('换机')
      expect((await me(session.staff!.token)).json().id).toBe(staff.id)
      const stored = await t.app.db.connection.model('Staff').findById(staff.id).lean<{ openid: string }>()
      expect(stored!.openid).toBe(sandboxOpenid(TEST_APPID, 'phone-new'))
    })

    it('counts activations per member: the 11th in a minute is 429, malformed ones cost nothing', async () => {
      const member = await t.login('inv-rate')
      for (let i = 0; i < 15; i++) expect((await h.send('POST', '/api/staff/activate', member.token, { inviteCode: '$$$' })).statusCode).toBe(400)
      for (let i = 0; i < 10; i++) h.expectError(await h.activate(member.token, `WRONG-CODE${i}-XXXXX`), 409, 'INVITATION_INVALID')
      h.expectError(await h.activate(member.token, 'WRONG-CODEX-XXXXX'), 429, ErrorCodes.RATE_LIMITED)
      // another member is not held up
      const other = await t.login('inv-rate-other')
      h.expectError(await h.activate(other.token, 'WRONG-CODEX-XXXXX'), 409, 'INVITATION_INVALID')
    })
  })

  describe('tokens refused at once', () => {
    it('refuses a deactivated staff member’s token on the next request (401), and their login no longer carries staff', async () => {
      const staff = await h.staffMember('gone', { name: '离职', role: 'staff', store: 'SH-01' })
      const session = await h.session('gone')
      expect((await me(staff.token)).statusCode).toBe(200)
      expect((await me(session.staff!.token)).statusCode).toBe(200)
      const record = await h.patch(staff.id, { status: 'deactivated' })
      expect(record.status).toBe('deactivated')
      for (const token of [staff.token, session.staff!.token]) {
        const body = h.expectError(await me(token), 401, ErrorCodes.UNAUTHORIZED)
        expect(body.message).toContain('deactivated')
        h.expectError(await h.send('GET', `/api/staff/coupons/ABCDEFGHJKMN`, token), 401, ErrorCodes.UNAUTHORIZED)
      }
      expect((await h.session('gone')).staff).toBeNull()
      // the member token still works: they are a member like anyone
      expect((await h.send('GET', '/api/me', staff.memberToken)).statusCode).toBe(200)
      // enabled again: still bound, so active; the old tokens stay dead, a new login brings a new one
      expect((await h.patch(staff.id, { status: 'active' })).status).toBe('active')
      h.expectError(await me(staff.token), 401, ErrorCodes.UNAUTHORIZED)
      const again = await h.session('gone')
      expect((await me(again.staff!.token)).statusCode).toBe(200)
    })

    it('refuses the old token after a role change; the next login has the new role', async () => {
      const staff = await h.staffMember('promoted', { name: '晋升', role: 'staff', store: 'SH-01' })
      h.expectError(await h.send('GET', '/api/staff/audit', staff.token), 403, ErrorCodes.FORBIDDEN)
      await h.patch(staff.id, { role: 'manager' })
      h.expectError(await me(staff.token), 401, ErrorCodes.UNAUTHORIZED)
      const session = await h.session('promoted')
      expect(session.staff).toMatchObject({ role: 'manager', store: 'SH-01' })
      expect((await h.send('GET', '/api/staff/audit', session.staff!.token)).statusCode).toBe(200)
      // and to admin: the store goes
      const admin = await h.patch(staff.id, { role: 'admin' })
      expect(admin).toMatchObject({ role: 'admin', store: null })
      h.expectError(await me(session.staff!.token), 401, ErrorCodes.UNAUTHORIZED)
      const adminSession = await h.session('promoted')
      expect(adminSession.staff).toMatchObject({ role: 'admin', store: null })
      expect((await h.send('GET', '/api/admin/staff', adminSession.staff!.token)).statusCode).toBe(200)
    })

    it('refuses the old token after a store change, but not after a name change', async () => {
      const staff = await h.staffMember('renamed', { name: '旧名', role: 'staff', store: 'SH-01' })
      await h.patch(staff.id, { name: '新名' })
      const who = await me(staff.token)
      expect(who.statusCode).toBe(200)
      expect(who.json().name).toBe('新名')
      await h.patch(staff.id, { store: 'SH-02' })
      h.expectError(await me(staff.token), 401, ErrorCodes.UNAUTHORIZED)
      expect((await h.session('renamed')).staff).toMatchObject({ store: 'SH-02', name: '新名' })
    })

    it('refuses expired, forged and mismatched staff tokens', async () => {
      const staff = await h.staffMember('forged', { name: '伪造', role: 'staff', store: 'SH-01' })
      const ver = t.app.jwt.decode<{ ver: number }>(staff.token)!.ver
      const sign = (claims: object) => t.app.jwt.sign(claims as never)
      const expired = createSigner({ key: TEST_JWT_SECRET, expiresIn: 7_200_000, clockTimestamp: Date.now() - 7_300_000 })({ sub: staff.id, role: 'staff', store: 'SH-01', ver })
      const tokens = {
        expired,
        'another version': sign({ sub: staff.id, role: 'staff', store: 'SH-01', ver: ver + 1 }),
        'a role it does not have': sign({ sub: staff.id, role: 'admin', store: 'SH-01', ver }),
        'another store': sign({ sub: staff.id, role: 'staff', store: 'SH-02', ver }),
        'no record': sign({ sub: GHOST, role: 'staff', store: 'SH-01', ver: 1 }),
        'a version that is not a number': sign({ sub: staff.id, role: 'staff', store: 'SH-01', ver: '1' }),
        'a version with no record id': sign({ sub: 'ops', role: 'admin', ver: 1 }),
      }
      for (const [name, token] of Object.entries(tokens)) {
        const response = await me(token)
        expect(response.statusCode, name).toBe(401)
        expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
      }
      expect((await me(staff.token)).statusCode).toBe(200)
    })
  })

  describe('unhappy paths', () => {
    const admin = () => t.adminToken()

    it('POST /api/admin/staff refuses bad bodies with 400 and creates nothing', async () => {
      const Staff = t.app.db.connection.model('Staff')
      const before = await Staff.countDocuments()
      const bodies: unknown[] = [
        {},
        { name: '王芳' },
        { name: '王芳', role: 'staff' },
        { name: '王芳', role: 'manager', store: null },
        { name: '王芳', role: 'admin', store: 'SH-01' },
        { name: '', role: 'staff', store: 'SH-01' },
        { name: '   ', role: 'staff', store: 'SH-01' },
        { name: 'x'.repeat(41), role: 'staff', store: 'SH-01' },
        { name: '王\n芳', role: 'staff', store: 'SH-01' },
        { name: '王芳\u0000', role: 'staff', store: 'SH-01' },
        { name: 42, role: 'staff', store: 'SH-01' },
        { name: { $ne: null }, role: 'staff', store: 'SH-01' },
        { name: '王芳', role: 'owner', store: 'SH-01' },
        { name: '王芳', role: 'member', store: 'SH-01' },
        { name: '王芳', role: ['staff'], store: 'SH-01' },
        { name: '王芳', role: 'staff', store: 'sh-01' },
        { name: '王芳', role: 'staff', store: 'SH/01' },
        { name: '王芳', role: 'staff', store: 'SH.01' },
        { name: '王芳', role: 'staff', store: 'SH 01' },
        { name: '王芳', role: 'staff', store: 'SH_01' },
        { name: '王芳', role: 'staff', store: '-SH01' },
        { name: '王芳', role: 'staff', store: 'S' },
        { name: '王芳', role: 'staff', store: 'S'.repeat(17) },
        { name: '王芳', role: 'staff', store: 'SH-01\n' },
        { name: '王芳', role: 'staff', store: '$where' },
        { name: '王芳', role: 'staff', store: { $gt: '' } },
        { name: '王芳', role: 'staff', store: 'SH-01', $set: { role: 'admin' } },
        { name: '王芳', role: 'staff', store: 'SH-01', status: 'active' },
        { name: '王芳', role: 'staff', store: 'SH-01', 'a.b': 1 },
      ]
      for (const body of bodies) {
        const response = await h.send('POST', '/api/admin/staff', admin(), body)
        expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      expect(await Staff.countDocuments()).toBe(before)
    })

    it('PATCH /api/admin/staff/:id refuses bad bodies and ids with 400, unknown records with 404', async () => {
      const created = await h.create({ name: '补丁', role: 'staff', store: 'SH-01' })
      const url = `/api/admin/staff/${created.staff.id}`
      const bodies: unknown[] = [
        {},
        { status: 'invited' },
        { status: 'gone' },
        { role: 'root' },
        { store: 'sh-01' },
        { store: 'SH/01' },
        { store: null },
        { role: 'admin', store: 'SH-01' },
        { name: '' },
        { $inc: { version: 1 } },
        { name: 'ok', version: 7 },
        { name: 'ok', openid: 'o-someone' },
      ]
      for (const body of bodies) {
        const response = await h.send('PATCH', url, admin(), body)
        expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      for (const id of ['x', '%24where', GHOST.toUpperCase(), `${GHOST}0`]) {
        h.expectError(await h.send('PATCH', `/api/admin/staff/${id}`, admin(), { name: 'x' }), 400, ErrorCodes.VALIDATION_FAILED)
      }
      h.expectError(await h.send('PATCH', `/api/admin/staff/${GHOST}`, admin(), { name: 'x' }), 404, ErrorCodes.NOT_FOUND)
      h.expectError(await h.send('POST', `/api/admin/staff/${GHOST}/invitations`, admin()), 404, ErrorCodes.NOT_FOUND)
      h.expectError(await h.send('POST', `/api/admin/staff/nope/invitations`, admin()), 400, ErrorCodes.VALIDATION_FAILED)
      const unchanged = (await h.send('GET', '/api/admin/staff', admin())).json().items.find((r: { id: string }) => r.id === created.staff.id)
      expect(unchanged).toMatchObject({ name: '补丁', role: 'staff', store: 'SH-01', status: 'invited' })
    })

    it('GET /api/admin/staff refuses unknown and malformed filters with 400', async () => {
      for (const query of ['status=gone', 'store=sh-01', 'store=SH%2F01', 'store[$ne]=x', 'foo=1', `store=${'A'.repeat(17)}`]) {
        h.expectError(await h.send('GET', `/api/admin/staff?${query}`, admin()), 400, ErrorCodes.VALIDATION_FAILED)
      }
    })

    it('POST /api/staff/activate refuses bad bodies with 400, staff tokens with 401, a member that no longer exists with 404', async () => {
      const member = await t.login('activate-bad')
      for (const body of [{}, { inviteCode: '' }, { inviteCode: 12 }, { inviteCode: { $ne: null } }, { inviteCode: 'ABC$D' }, { inviteCode: 'x'.repeat(41) }, { inviteCode: 'ABCDE', $where: 1 }]) {
        h.expectError(await h.send('POST', '/api/staff/activate', member.token, body), 400, ErrorCodes.VALIDATION_FAILED)
      }
      const created = await h.create({ name: '幽灵', role: 'staff', store: 'SH-01' })
      h.expectError(await h.activate(t.adminToken(), created.invitation.code), 401, ErrorCodes.UNAUTHORIZED)
      h.expectError(await h.send('POST', '/api/staff/activate', null, { inviteCode: created.invitation.code }), 401, ErrorCodes.UNAUTHORIZED)
      const ghost = t.app.jwt.sign({ sub: GHOST, role: 'member' })
      h.expectError(await h.activate(ghost, created.invitation.code), 404, ErrorCodes.NOT_FOUND)
      // nothing was spent
      expect((await h.activate(member.token, created.invitation.code)).statusCode).toBe(200)
    })

    it('answers 401 without a token and 403 to members and staff on the admin routes', async () => {
      const staff = await h.staffMember('unhappy-staff', { name: '店员', role: 'staff', store: 'SH-01' })
      const manager = await h.staffMember('unhappy-manager', { name: '店长', role: 'manager', store: 'SH-01' })
      const requests: [string, string, unknown?][] = [
        ['POST', '/api/admin/staff', { name: '越权', role: 'admin' }],
        ['GET', '/api/admin/staff'],
        ['PATCH', `/api/admin/staff/${staff.id}`, { role: 'admin' }],
        ['POST', `/api/admin/staff/${staff.id}/invitations`],
      ]
      for (const [method, url, body] of requests) {
        h.expectError(await h.send(method as 'GET', url, null, body), 401, ErrorCodes.UNAUTHORIZED)
        for (const token of [staff.memberToken, staff.token, manager.token]) {
          h.expectError(await h.send(method as 'GET', url, token, body), 403, ErrorCodes.FORBIDDEN)
        }
      }
      expect((await me(staff.token)).json().role).toBe('staff')
    })
  })
})
