import fastifyJwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Forbidden, Unauthorized } from './errors.js'

export type Role = 'member' | 'staff' | 'manager' | 'admin'
const ROLES = new Set<unknown>(['member', 'staff', 'manager', 'admin'])
/** A member token's subject: the member's id */
const MEMBER_ID = /^[0-9a-f]{24}$/

export interface TokenPayload {
  /** the member's id, or the staff member's name */
  sub: string
  role: Role
}

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
    app.decorate('authenticateStaff', async (request: FastifyRequest) => {
      await verify(request)
      if (request.user.role === 'member') throw new Forbidden('this needs a staff token')
    })
    app.decorate('authenticateAdmin', async (request: FastifyRequest) => {
      await verify(request)
      if (request.user.role !== 'admin') throw new Forbidden('this needs an admin token')
    })
  },
  { name: 'auth' },
)
