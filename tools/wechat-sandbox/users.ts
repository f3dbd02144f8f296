import { createHash } from 'node:crypto'

/**
 * How the sandbox names its test users: a user name maps to a stable openid per app and a unionid shared across the
 * brand's apps, just as WeChat gives one person a different openid in each app and one unionid under the brand's
 * Open Platform account. The demo seed uses the same mapping to prepare members for its demo users.
 */
export function sandboxOpenid(appid: string, user: string): string {
  return 'o' + createHash('sha256').update(`${appid}:${user}`).digest('base64url').slice(0, 27)
}

export function sandboxUnionid(user: string): string {
  return 'u' + createHash('sha256').update(`unionid:${user}`).digest('base64url').slice(0, 27)
}

/** The demo users the H5 build offers to log in as; any other name works too. */
export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'sam', 'mia', 'olivia'] as const
