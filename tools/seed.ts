import type { Models } from '../server/src/models/index.js'
import { defaultNickname } from '../server/src/repositories/members.js'
import { sandboxOpenid, sandboxUnionid } from './wechat-sandbox/users.js'

/**
 * Demo members for the sandbox's demo users, so the demo opens on cards with something on them. Dave is left out:
 * he joins on his first login, as a new member would.
 * TODO(loyalty core): once the points and growth ledgers exist, seed through them instead of setting balances.
 */
export const DEMO_MEMBERS = [
  { user: 'alice', nickname: 'Alice', growth: 12_680, available: 3_560, pending: 420, phone: '13800138000', birthday: '06-18' },
  { user: 'bob', nickname: 'Bob', growth: 2_350, available: 680, pending: 0, phone: null, birthday: null },
  { user: 'carol', nickname: 'Carol', growth: 96_000, available: 18_800, pending: 1_200, phone: '13900139000', birthday: '02-29' },
] as const

/** Seeds the demo members when there are no members yet; returns how many it created. */
export async function seedDemo(models: Models, appid: string): Promise<number> {
  if ((await models.Member.countDocuments()) > 0) return 0
  for (const m of DEMO_MEMBERS) {
    const openid = sandboxOpenid(appid, m.user)
    await models.Member.updateOne(
      { openid },
      {
        $setOnInsert: {
          openid,
          unionid: sandboxUnionid(m.user),
          nickname: m.nickname ?? defaultNickname(openid),
          growth: m.growth,
          points: { available: m.available, pending: m.pending, debt: 0, expired: 0 },
          lots: m.available ? [{ earnedAt: Date.now(), expiresAt: null, remaining: m.available }] : [],
          growthByMonth: [],
          tierLevel: 1,
          rev: 0,
          pendingOps: [],
          phone: m.phone,
          birthday: m.birthday,
        },
      },
      { upsert: true },
    )
  }
  return DEMO_MEMBERS.length
}
