import fastifyJwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Unauthorized } from '../errors.js'

export interface TokenPayload {
  /** the member's id */
  sub: string
  role: 'member'
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
  }
}

export interface AuthOptions {
  secret: string
  expiresInSeconds: number
}

export default fp<AuthOptions>(
  async (app, opts) => {
    await app.register(fastifyJwt, { secret: opts.secret, sign: { expiresIn: opts.expiresInSeconds, algorithm: 'HS256' }, verify: { algorithms: ['HS256'] } })
    app.decorate('authenticateMember', async (request: FastifyRequest) => {
      const header = request.headers.authorization
      if (!header?.startsWith('Bearer ')) throw new Unauthorized('log in first: send Authorization: Bearer <token>')
      try {
        await request.jwtVerify()
      } catch {
        throw new Unauthorized('the token is invalid or expired; log in again')
      }
      if (request.user.role !== 'member') throw new Unauthorized('a member token is required')
    })
  },
  { name: 'auth' },
)
