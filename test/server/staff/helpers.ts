import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { TestContext } from '../../helpers/app.js'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A staff member as the tests make one: their record, their staff token, and the member behind it. */
export interface TestStaff {
  id: string
  name: string
  role: 'staff' | 'manager' | 'admin'
  store: string | null
  /** the staff token from the activation */
  token: string
  /** the sandbox user (WeChat identity) bound to the record */
  user: string
  memberToken: string
  memberId: string
}

/** What the staff tests share: requests with tokens, creating records, redeeming invitations, logging in. */
export function staffHelpers(t: TestContext) {
  const bearer = (token: string | null | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})

  const h = {
    bearer,
    /** a request with an optional token and JSON body */
    send(method: Method, url: string, token?: string | null, payload?: unknown): Promise<LightMyRequestResponse> {
      return t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) })
    },
    /** the error body, after checking the status and the code */
    expectError(response: LightMyRequestResponse, status: number, code: string) {
      expect(response.statusCode, response.body).toBe(status)
      const body = response.json()
      expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode'])
      expect(body.code, response.body).toBe(code)
      return body as { message: string }
    },
    /** POST /api/admin/staff (by an operator token unless `token`); expects 201 */
    async create(body: { name: string; role: string; store?: string | null }, token: string = t.adminToken()) {
      const response = await h.send('POST', '/api/admin/staff', token, body)
      expect(response.statusCode, response.body).toBe(201)
      return response.json() as { staff: { id: string; name: string; role: string; store: string | null; status: string }; invitation: { code: string; expiresAt: string; qrSvg: string } }
    },
    /** POST /api/staff/activate with a member token */
    activate: (memberToken: string, inviteCode: string) => h.send('POST', '/api/staff/activate', memberToken, { inviteCode }),
    /** POST /api/auth/wechat as a sandbox user: the whole session */
    async session(user: string) {
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code: await t.sandbox.code(user) } })
      expect(response.statusCode, response.body).toBe(200)
      return response.json() as { token: string; member: { id: string }; staff: null | { token: string; role: string; store: string | null; name: string; expiresIn: number } }
    },
    /** a staff record, redeemed by the sandbox user `user` (a member first): what it takes to act as staff */
    async staffMember(user: string, record: { name: string; role: 'staff' | 'manager' | 'admin'; store?: string | null }, adminToken?: string): Promise<TestStaff> {
      const created = await h.create(record, adminToken)
      const member = await t.login(user)
      const activated = await h.activate(member.token, created.invitation.code)
      expect(activated.statusCode, activated.body).toBe(200)
      return {
        id: created.staff.id,
        name: created.staff.name,
        role: record.role,
        store: created.staff.store,
        token: activated.json().staff.token,
        user,
        memberToken: member.token,
        memberId: member.memberId,
      }
    },
    /** PATCH /api/admin/staff/:id by an operator token; expects 200 */
    async patch(id: string, body: Record<string, unknown>) {
      const response = await h.send('PATCH', `/api/admin/staff/${id}`, t.adminToken(), body)
      expect(response.statusCode, response.body).toBe(200)
      return response.json()
    },
  }
  return h
}
