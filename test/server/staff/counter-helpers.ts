import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { TestContext } from '../../helpers/app.js'

export type StaffRole = 'staff' | 'manager' | 'admin'

/** A staff member as the counter tests act as one. */
export interface CounterStaff {
  token: string
  /** the staff record's id (null: a token without a record, taken at its word) */
  id: string | null
  name: string
  role: StaffRole
  store: string | null
  /** what the audit log and members' advisor field name them by: the record id, else the token's subject */
  actor: string
}

let made = 0

/**
 * THE one place the counter tests get staff tokens from. With the staff module's routes (POST /api/admin/staff, then
 * a sandbox user redeeming the invitation): a real record and the staff token its activation gives — checked on every
 * request like any staff token. `record: false`, or an app without those routes: a token signed with the app's key
 * and no record (`{sub, role, store}`), which the token check takes at its word (id null, name = sub).
 */
export async function staffToken(t: TestContext, options: { role?: StaffRole; store?: string | null; name?: string; record?: boolean } = {}): Promise<CounterStaff> {
  const role = options.role ?? 'staff'
  const store = options.store === undefined ? (role === 'admin' ? null : 'SH-01') : options.store
  const name = options.name ?? `${role}-${store ?? 'all'}-${++made}`
  if (options.record !== false) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/admin/staff',
      headers: { authorization: `Bearer ${t.adminToken()}` },
      payload: { name, role, ...(role === 'admin' ? {} : { store }) },
    })
    if (created.statusCode !== 404) {
      expect(created.statusCode, created.body).toBe(201)
      const { staff, invitation } = created.json() as { staff: { id: string; store: string | null }; invitation: { code: string } }
      const member = await t.login(`counter-staff-${staff.id}`)
      const activated = await t.app.inject({ method: 'POST', url: '/api/staff/activate', headers: { authorization: `Bearer ${member.token}` }, payload: { inviteCode: invitation.code } })
      expect(activated.statusCode, activated.body).toBe(200)
      return { token: activated.json().staff.token, id: staff.id, name, role, store: staff.store, actor: staff.id }
    }
  }
  const token = t.app.jwt.sign({ sub: name, role, ...(store ? { store } : {}) })
  return { token, id: null, name, role, store, actor: name }
}

export const bearer = (token: string | null | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})

/** A request with an optional token and JSON body. */
export function send(t: TestContext, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, token?: string | null, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) })
}

/** Checks an error answer: status, the one error shape, the code. */
export function expectError(response: LightMyRequestResponse, status: number, code: string): { message: string } {
  expect(response.statusCode, response.body).toBe(status)
  const body = response.json()
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode'])
  expect(body.code, response.body).toBe(code)
  return body
}

/** The audit entries of an action, oldest first (by id: in the order written). */
export async function auditOf(t: TestContext, action: string, filter: Record<string, unknown> = {}) {
  const entries = (await t.models.Audit.find({ action, ...filter }).lean()) as unknown as { _id: { toString(): string } }[]
  return entries.sort((a, b) => a._id.toString().localeCompare(b._id.toString())) as unknown as {
    actor: string
    actorName: string | null
    role: string
    store: string | null
    memberId: { toString(): string } | null
    details: Record<string, unknown>
  }[]
}

/** Hostile variants of a valid JSON body: unknown, `$` and dotted keys at the top and in each nested object. */
export function hostileKeys(valid: Record<string, unknown>): unknown[] {
  const variants: unknown[] = []
  const visit = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]))
    else if (value && typeof value === 'object') {
      for (const key of ['$where', 'a.b', 'zzUnknown']) {
        const copy = structuredClone(valid) as Record<string | number, unknown>
        let at = copy as Record<string | number, unknown>
        for (const step of path) at = at[step] as Record<string | number, unknown>
        at[key] = 1
        variants.push(copy)
      }
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k])
    }
  }
  visit(valid, [])
  return variants
}
