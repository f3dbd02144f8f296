import type { Session } from '@member-center/shared'
import { WechatCodeInvalid, WechatCodeUsed, WechatUnavailable, WechatUserRisky } from '../../core/errors.js'
import { WechatApiError, WechatUnreachableError } from '../../core/wechat/errors.js'
import type { WechatClient } from '../../core/wechat/client.js'
import type { Member, MemberRepository } from './repository.js'
import { toProfile } from './profile.js'

export interface AuthServiceDeps {
  wechat: WechatClient
  members: MemberRepository
  signToken: (payload: { sub: string; role: 'member' }) => string
  tokenTtlSeconds: number
  now: () => Date
  /** run after every login (shop events that named this member before they ever logged in) */
  onMemberSeen?: (member: Member) => Promise<void>
}

/** What another module adds to a login's session (the staff module: the staff token of a WeChat user bound to a record). */
export type SessionExtras = Pick<Session, 'staff'>
export type SessionPart = (member: Member) => Promise<Partial<SessionExtras>>

/**
 * Login through WeChat: code → jscode2session → the member (created on first login) → our JWT, and what other
 * modules add to the session (addPart).
 */
export class AuthService {
  private readonly parts: SessionPart[] = []

  constructor(private readonly deps: AuthServiceDeps) {}

  /** Adds a part to every session (run after the member is found, in the order added). */
  addPart(part: SessionPart): void {
    this.parts.push(part)
  }

  async loginWithWechat(code: string): Promise<Session> {
    const session = await this.deps.wechat.code2Session(code).catch(mapLoginError)
    const { member, created } = await this.deps.members.upsertByWechat(
      { openid: session.openid, unionid: session.unionid },
      this.deps.now(),
    )
    await this.deps.onMemberSeen?.(member)
    const id = member._id.toString()
    const extras: SessionExtras = { staff: null }
    for (const part of this.parts) Object.assign(extras, await part(member))
    return {
      token: this.deps.signToken({ sub: id, role: 'member' }),
      expiresIn: this.deps.tokenTtlSeconds,
      created,
      member: toProfile(member),
      ...extras,
    }
  }
}

function mapLoginError(error: unknown): never {
  if (error instanceof WechatUnreachableError) throw new WechatUnavailable(error.reason)
  if (error instanceof WechatApiError) {
    switch (error.errcode) {
      case 40029:
        throw new WechatCodeInvalid()
      case 40163:
        throw new WechatCodeUsed()
      case 40226:
        throw new WechatUserRisky()
      case 45011:
        throw new WechatUnavailable('too many logins per minute')
    }
  }
  throw error
}
