import { addGrowth, combine, credit, earnPending, type Balances } from '@member-center/shared'
import type { FastifyInstance } from 'fastify'
import { sandboxOpenid, sandboxUnionid } from './wechat-sandbox/users.js'

/**
 * Demo members for the sandbox's demo users, so the demo opens on cards with something on them. Dave is left out:
 * he joins on his first login, as a new member would. Balances go through the ledger like any other change (as an
 * opening balance migrated from an old CRM would), so `npm run reconcile` holds for the demo too.
 */
export const DEMO_MEMBERS = [
  { user: 'alice', nickname: 'Alice', growth: 12_680, available: 3_560, pending: 420, phone: '13800138000', birthday: '06-18' },
  { user: 'bob', nickname: 'Bob', growth: 2_350, available: 680, pending: 0, phone: null, birthday: null },
  { user: 'carol', nickname: 'Carol', growth: 96_000, available: 18_800, pending: 1_200, phone: '13900139000', birthday: '02-29' },
] as const

/** Seeds the demo members when there are no members yet; returns how many it created. */
export async function seedDemo(app: FastifyInstance, appid: string): Promise<number> {
  const Member = app.db.connection.model('Member')
  if ((await Member.countDocuments()) > 0) return 0
  const at = app.now()
  for (const m of DEMO_MEMBERS) {
    const openid = sandboxOpenid(appid, m.user)
    await Member.updateOne(
      { openid },
      {
        $setOnInsert: {
          openid,
          unionid: sandboxUnionid(m.user),
          nickname: m.nickname,
          phone: m.phone,
          birthday: m.birthday,
          growth: 0,
          points: { available: 0, pending: 0, debt: 0, expired: 0 },
          lots: [],
          growthByMonth: [],
          tierLevel: 1,
          rev: 0,
          pendingOps: [],
        },
      },
      { upsert: true },
    )
    const member = (await Member.findOne({ openid }, { _id: 1 }).lean())!
    await app.ledger.apply(member._id, {
      key: `seed:${m.user}:opening-balance`,
      reason: 'opening balance',
      at,
      note: 'demo data',
      compute: (b, { policy }) =>
        combine(
          b,
          (x: Balances) => addGrowth(x, m.growth, at),
          (x: Balances) => credit(x, m.available, at, policy),
          (x: Balances) => earnPending(x, m.pending),
        ),
    })
  }
  return DEMO_MEMBERS.length
}
