import fastifyJwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Forbidden, Unauthorized } from './errors.js'

export type Role = 'member' | 'staff' | 'manager' | 'admin'
const ROLES = new Set<unknown>(['member', 'staff', 'manager', 'admin'])
/** A member token's subject: the member's id */
const MEMBER_ID = /^[0-9a-f]{24}$/

export interface TokenPayload {
  /** the member's id; a staff token's staff record id (or, for `npm run admin-token`, the operator's name) */
  sub: string
  role: Role
  /** staff tokens: the store the staff member works in (admins: none — every store) */
  store?: string | null
  /** staff tokens from a login: the staff record's version when the token was signed (a change refuses the token) */
  ver?: number
}

export type StaffRole = Exclude<Role, 'member'>

/**
 * Who is calling a staff route, as the staff module vouched for it: `id` is the staff record (null for an operator
 * token from `npm run admin-token`, which has no record), `store` the store they act for (null: admins, every store).
 */
export interface StaffContext {
  id: string | null
  name: string
  role: StaffRole
  store: string | null
}

/**
 * Checks a staff token against its staff record on every request (deactivated, role or store changed → refused at
 * once, not at expiry) and answers who it is. Installed by the staff module; until then a staff token is taken at its
 * word (its claims were signed by this server).
 */
export type StaffTokenCheck = (claims: TokenPayload) => Promise<StaffContext>

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload
    user: TokenPayload
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for member routes: a valid member JWT or 401 */
    authenticateMember: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preHandler for staff routes: a valid staff, manager or admin JWT, 401 without one, 403 with a member's */
    authenticateStaff: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preHandler for operator routes: a valid admin JWT, 401 without one, 403 with another role */
    authenticateAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** the staff module installs the check of staff tokens against their records */
    setStaffTokenCheck: (check: StaffTokenCheck) => void
  }
  interface FastifyRequest {
    /** on staff and admin routes: who is calling (set by authenticateStaff / authenticateAdmin) */
    staff: StaffContext | null
  }
}

export interface AuthOptions {
  secret: string
  expiresInSeconds: number
}

export default fp<AuthOptions>(
  async (app, opts) => {
    await app.register(fastifyJwt, { secret: opts.secret, sign: { expiresIn: opts.expiresInSeconds, algorithm: 'HS256' }, verify: { algorithms: ['HS256'] } })
    const verify = async (request: FastifyRequest) => {
      const header = request.headers.authorization
      if (!header?.startsWith('Bearer ')) throw new Unauthorized('log in first: send Authorization: Bearer <token>')
      try {
        await request.jwtVerify()
      } catch {
        throw new Unauthorized('the token is invalid or expired; log in again')
      }
      // signed is not enough: the claims are used in queries, so they are checked like any other input
      const claims = request.user as unknown as Record<string, unknown> | null
      const sub = claims?.sub
      if (typeof claims !== 'object' || claims === null || typeof sub !== 'string' || sub.length === 0 || sub.length > 200 || !ROLES.has(claims.role)) {
        throw new Unauthorized('the token is invalid; log in again')
      }
    }
    app.decorate('authenticateMember', async (request: FastifyRequest) => {
      await verify(request)
      if (request.user.role !== 'member') throw new Unauthorized('a member token is required')
      if (!MEMBER_ID.test(request.user.sub)) throw new Unauthorized('the token is invalid; log in again')
    })
    let staffCheck: StaffTokenCheck = async (claims) => ({
      id: null,
      name: claims.sub,
      role: claims.role as StaffRole,
      store: typeof claims.store === 'string' ? claims.store : null,
    })
    app.decorate('setStaffTokenCheck', (check: StaffTokenCheck) => {
      staffCheck = check
    })
    app.decorateRequest('staff', null)
    app.decorate('authenticateStaff', async (request: FastifyRequest) => {
      await verify(request)
      if (request.user.role === 'member') throw new Forbidden('this needs a staff token')
      request.staff = await staffCheck(request.user)
    })
    app.decorate('authenticateAdmin', async (request: FastifyRequest) => {
      await verify(request)
      if (request.user.role === 'member') throw new Forbidden('this needs an admin token')
      request.staff = await staffCheck(request.user)
      if (request.staff.role !== 'admin') throw new Forbidden('this needs an admin token')
    })
  },
  { name: 'auth' },
)
