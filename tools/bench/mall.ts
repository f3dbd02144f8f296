import type { FastifyInstance } from 'fastify'

/**
 * Points-mall redemptions of one hot coupon item (the service the route calls, in process, as the ingestion bench
 * does) against a baseline measured in the same run on the same database with the same concurrency: one conditional
 * `updateOne({_id, stock: {$gt: 0}}, {$inc: {stock: -1}})` on one document — the least a redemption must do.
 *  1. throughput: many members, stock large enough not to run out; prints redemptions/s, the ratio (target ≥ 0.30×)
 *     and the write commands a redemption costs. Measured in rounds — the baseline, the coupon item, the gift item,
 *     again and again — so that each figure is taken beside the others while the machine's load drifts; a rate is the
 *     total over the rounds (each round's ratio is printed too, to show the spread), and a redemption round lasts until
 *     its last bookkeeping is written (under load a batch's record of being done follows its answer);
 *  2. no oversell: more requests than units, all at once; prints redeemed == initial stock, and that the mall and
 *     the ledgers reconcile.
 */
export async function benchMall(server: FastifyInstance, sandboxUrl: string): Promise<void> {
  /** redemptions of each item per round */
  const REDEMPTIONS = Number(process.env.BENCH_REDEMPTIONS ?? 500)
  const ROUNDS = Number(process.env.BENCH_MALL_ROUNDS ?? 4)
  /** baseline updates per round */
  const BASELINE = Number(process.env.BENCH_MALL_BASELINE ?? 1500)
  const CONCURRENCY = Number(process.env.BENCH_MALL_CONCURRENCY ?? 32)
  const MEMBERS = Number(process.env.BENCH_MALL_MEMBERS ?? 200)
  const SCARCE = Number(process.env.BENCH_MALL_SCARCE_STOCK ?? 100)
  const admin = { actor: 'bench', role: 'admin' }
  const run = Date.now().toString(36)

  // members with points to spend, logged in through the sandbox like any other
  const memberIds: string[] = []
  for (let i = 0; i < MEMBERS; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, MEMBERS - i) }, async (_, k) => {
        const { code } = (await (await fetch(`${sandboxUrl}/sandbox/code?user=mall-${run}-${i + k}`)).json()) as { code: string }
        const { member } = await server.members.login.loginWithWechat(code)
        await server.adjustments.adjust(member.id, { kind: 'points', delta: 1_000_000, reason: 'bench points', requestId: `bench-${run}-${i + k}` }, admin)
        return member.id
      }),
    )
    memberIds.push(...batch)
  }
  const template = await server.coupons.templates.create({ name: '满 500 减 50', kind: 'amount', amountFen: 5_000, thresholdFen: 50_000, validity: { days: 30 } }, admin)
  const item = async (name: string, stock: number) =>
    server.mall.items.create({ kind: 'coupon', name, pointsPrice: 100, stock, couponTemplateId: template.id }, admin)

  // (`settle`: what must finish before the run counts as done — a redemption round's last bookkeeping, written after
  // its answers under load, is that round's work)
  const pool = async (count: number, work: (i: number) => Promise<unknown>, settle?: () => Promise<void>) => {
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await work(next++)
      }),
    )
    await settle?.()
    return count / ((performance.now() - started) / 1000)
  }
  const settled = () => server.mall.redemptions.idle()

  // 1. throughput
  const baselineCollection = server.db.connection.collection('bench_baseline_stock')
  await baselineCollection.insertOne({ _id: `hot-${run}` as never, stock: 1_000_000_000 })
  const baselineUpdate = () => baselineCollection.updateOne({ _id: `hot-${run}` as never, stock: { $gt: 0 } }, { $inc: { stock: -1 } })

  const hot = await item('热门 50 元券', 1_000_000)
  // the same for a gift: the mall's own steps without the coupons service (a gift order instead of a coupon)
  const gift = await server.mall.items.create({ kind: 'gift', name: '清洁套装', pointsPrice: 100, stock: 1_000_000 }, admin)
  const address = { name: '张三', phone: '13800138000', region: '上海市 黄浦区', detail: '南京东路 1 号' }
  const redeem = (itemId: string, i: number, prefix: string) =>
    server.mall.redemptions.redeem(memberIds[i % memberIds.length]!, { itemId, idempotencyKey: `${prefix}-${run}-${i}` })
  const redeemGift = (i: number, prefix: string) =>
    server.mall.redemptions.redeem(memberIds[i % memberIds.length]!, { itemId: gift.id, idempotencyKey: `${prefix}-${run}-${i}`, address })
  // warm-up (not measured)
  await pool(100, (i) => redeem(hot.id, i, 'warm'), settled)
  await pool(100, (i) => redeemGift(i, 'gift-warm'), settled)

  // write commands of the coupon redemptions, the coupons service's apart from the rest
  const writes = { coupons: 0, other: 0 }
  const WRITE_METHODS = new Set(['insertOne', 'insertMany', 'updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndDelete', 'deleteOne', 'deleteMany', 'bulkWrite', 'replaceOne'])
  const count = (collection: string, method: string) => {
    if (WRITE_METHODS.has(method)) writes[collection.startsWith('coupon') ? 'coupons' : 'other']++
  }
  const totals = { baseline: { n: 0, s: 0 }, coupon: { n: 0, s: 0 }, gift: { n: 0, s: 0 } }
  const timed = async (what: keyof typeof totals, n: number, work: (i: number) => Promise<unknown>, settle?: () => Promise<void>) => {
    const rate = await pool(n, work, settle)
    totals[what].n += n
    totals[what].s += n / rate
    return rate
  }
  const rounds: { baseline: number; coupon: number; gift: number }[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const baseline = await timed('baseline', BASELINE, baselineUpdate)
    server.db.connection.set('debug', count)
    const coupon = await timed('coupon', REDEMPTIONS, (i) => redeem(hot.id, i, `hot-${round}`), settled)
    server.db.connection.set('debug', false)
    const giftRate = await timed('gift', REDEMPTIONS, (i) => redeemGift(i, `gift-${round}`), settled)
    rounds.push({ baseline, coupon, gift: giftRate })
  }
  const hotAfter = await server.mall.items.get(hot.id)
  if (hotAfter.redeemed !== ROUNDS * REDEMPTIONS + 100) throw new Error(`hot item: ${hotAfter.redeemed} redeemed for ${ROUNDS * REDEMPTIONS + 100} redemptions`)

  const rate = (what: keyof typeof totals) => totals[what].n / totals[what].s
  const baselineRate = rate('baseline')
  const redeemRate = rate('coupon')
  const giftRate = rate('gift')
  console.table([
    { what: `baseline: conditional updateOne (stock > 0 → −1), ${ROUNDS} rounds of ${BASELINE}`, 'per second': Math.round(baselineRate) },
    { what: `POST /api/mall/redemptions (service): hot coupon item, ${ROUNDS} rounds of ${REDEMPTIONS}`, 'per second': Math.round(redeemRate) },
    { what: '  the same for a hot gift item (no coupon issued)', 'per second': Math.round(giftRate) },
  ])
  const ratio = redeemRate / baselineRate
  console.log(`redemptions / baseline: ${ratio.toFixed(2)}× (target ≥ 0.30×) ${ratio >= 0.3 ? 'OK' : 'BELOW TARGET'}; gift item / baseline: ${(giftRate / baselineRate).toFixed(2)}×`)
  console.log(`each round (baseline/s, coupon ratio, gift ratio): ${rounds.map((r) => `${Math.round(r.baseline)} ${(r.coupon / r.baseline).toFixed(2)}× ${(r.gift / r.baseline).toFixed(2)}×`).join('; ')}`)
  console.log(
    `write commands per coupon redemption: ${(writes.coupons / totals.coupon.n).toFixed(2)} by the coupons service (issue), ` +
      `${(writes.other / totals.coupon.n).toFixed(2)} by the rest (the saga's steps, the unit, the points through the ledger, the repair job, ` +
      `the event — each one command per batch; ${CONCURRENCY} at a time over ${memberIds.length} members)`,
  )

  // 2. no oversell: twice as many requests as units, all at once
  const scarce = await item('限量 50 元券', SCARCE)
  let redeemed = 0
  let outOfStock = 0
  await pool(SCARCE * 2, async (i) => {
    try {
      await redeem(scarce.id, i, 'scarce')
      redeemed++
    } catch (error) {
      if ((error as { code?: string }).code !== 'OUT_OF_STOCK') throw error
      outOfStock++
    }
  })
  const scarceAfter = await server.mall.items.get(scarce.id)
  const { problems } = await server.mall.reconcile()
  // (the card bench before this plants balances of its own member without ledger entries: only this bench's members count)
  const mine = new Set(memberIds)
  const differences = (await server.reconcile()).differences.filter((d) => mine.has(d.memberId))
  console.log(
    `no oversell: ${SCARCE * 2} requests for ${SCARCE} units → redeemed ${redeemed} == initial stock ${SCARCE}: ${redeemed === SCARCE && scarceAfter.stockLeft === 0 ? 'OK' : 'OVERSOLD OR UNDERSOLD'} ` +
      `(${outOfStock} OUT_OF_STOCK, stockLeft ${scarceAfter.stockLeft}); mall reconcile: ${problems.length} problems; ledger reconcile: ${differences.length} differences`,
  )
  if (redeemed !== SCARCE || scarceAfter.stockLeft !== 0 || problems.length > 0 || differences.length > 0) {
    throw new Error(`mall: ${JSON.stringify({ redeemed, stockLeft: scarceAfter.stockLeft, problems: problems.slice(0, 5), differences: differences.slice(0, 5) })}`)
  }
}
