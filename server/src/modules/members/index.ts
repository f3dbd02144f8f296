import fp from 'fastify-plugin'
import type { Types } from 'mongoose'
import { MemberBalances } from './balances.js'
import { AuthService, type SessionPart } from './login.js'
import { memberCodeFor, verifyMemberCode, type MemberCode } from './member-code.js'
import { memberModel } from './models/member.js'
import { phoneBindingModel } from './models/phone-binding.js'
import { PhoneService } from './phone.js'
import { memberRefKeys, MemberRepository, type Member } from './repository.js'
import authRoutes from './routes/auth.js'
import phoneRoutes from './routes/phone.js'
import profileRoutes from './routes/profile.js'

/** Runs when a member appears under a name a shop may have used before: first login, every login, a bound phone. */
export type MemberSeenListener = (member: Member, refKeys: string[]) => Promise<void>

export interface MembersService {
  /** reads by id or by a shop's reference; find-or-create by WeChat identity */
  repo: MemberRepository
  /** the balance fields, for the loyalty ledger only (their one writer) */
  balances: MemberBalances
  login: AuthService
  phone: PhoneService
  /** the rotating member code on the card, and its check (staff scanning it) */
  memberCode(memberId: string | Types.ObjectId, now?: Date): MemberCode
  verifyMemberCode(code: string, now?: Date): string | null
  /** modules that hold things for members not yet known (parked shop orders) register here */
  onSeen(listener: MemberSeenListener): void
  /** modules that add to a login's session register here (staff: the staff token of a bound WeChat user) */
  addSessionPart(part: SessionPart): void
}

declare module 'fastify' {
  interface FastifyInstance {
    members: MembersService
  }
}

export interface MembersOptions {
  tokenTtlSeconds: number
  memberCodeSecret: string
  loginRateLimitPerMinute: number
}

/** members: WeChat login, the profile, phone binding, the member code. Routes: /api/auth/wechat, /api/me, /api/me/phone. */
export default fp<MembersOptions>(
  async (app, opts) => {
    const { Member, PhoneBinding } = await app.db.register({ Member: memberModel(app.db.connection), PhoneBinding: phoneBindingModel(app.db.connection) })
    const repo = new MemberRepository(Member)
    const listeners: MemberSeenListener[] = []
    const seen = async (member: Member) => {
      for (const listener of listeners) await listener(member, memberRefKeys(member))
    }
    const login = new AuthService({
      wechat: app.wechat,
      members: repo,
      signToken: (payload) => app.jwt.sign(payload),
      tokenTtlSeconds: opts.tokenTtlSeconds,
      now: app.now,
      onMemberSeen: seen,
    })
    const service: MembersService = {
      repo,
      balances: new MemberBalances(Member),
      login,
      phone: new PhoneService(PhoneBinding, repo, app.wechat, app.now, seen),
      memberCode: (memberId, now = app.now()) => memberCodeFor(opts.memberCodeSecret, memberId.toString(), now),
      verifyMemberCode: (code, now = app.now()) => verifyMemberCode(opts.memberCodeSecret, code, now),
      onSeen: (listener) => void listeners.push(listener),
      addSessionPart: (part) => login.addPart(part),
    }
    app.decorate('members', service)

    await app.register(authRoutes, { prefix: '/api/auth', rateLimitPerMinute: opts.loginRateLimitPerMinute })
    await app.register(profileRoutes, { prefix: '/api/me' })
    await app.register(phoneRoutes, { prefix: '/api/me' })
  },
  { name: 'members', dependencies: ['core'] },
)
