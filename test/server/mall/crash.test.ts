import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../../tools/build-client.js'
import { useTestApp } from '../../helpers/app.js'
import { mallHelpers } from './mall-helpers.js'

/**
 * Starts crash-child.ts as a real process (node with tsx as a loader, so the pid killed is the server's): it redeems
 * and hangs once the saga has recorded `stopAfter`; answers the redemption id it reached the step with.
 */
function startRedemption(args: { uri: string; now: Date; memberId: string; itemId: string; key: string; stopAfter: string; address?: unknown }) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'test', 'server', 'mall', 'crash-child.ts'),
      args.uri,
      args.now.toISOString(),
      args.memberId,
      args.itemId,
      args.key,
      args.stopAfter,
      ...(args.address ? [JSON.stringify(args.address)] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  const stopped = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = out.match(new RegExp(`step:${args.stopAfter}:([0-9a-f]{24})\\n`))
      if (found) resolve(found[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the redeeming process exited (${code}) before ${args.stopAfter}: ${out}`)))
  })
  return { child, stopped, exited: new Promise((resolve) => child.once('exit', resolve)) }
}

describe('a redemption whose process is killed between two steps', () => {
  const t = useTestApp()
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  const model = (name: string) => t.app.db.connection.model(name)

  /** Runs a redemption in a child process, kills it after `stopAfter`, and answers the redemption as left behind. */
  async function killAfter(stopAfter: string, setup: { memberId: string; itemId: string; address?: unknown }) {
    const key = `crash-${stopAfter}`
    const run = startRedemption({ uri: t.databaseUri, now: t.clock.now(), key, stopAfter, ...setup })
    children.push(run.child)
    const redemptionId = await run.stopped
    run.child.kill('SIGKILL')
    await run.exited
    return { redemptionId, key }
  }

  /** The test process's job runner, once the lease and the repair's due time have passed, repairs it. */
  async function repair() {
    t.clock.set(new Date(t.clock.now().getTime() + 2 * 60_000))
    await t.app.jobs.drain()
  }

  it('is finished by the repair job when killed between the points and the coupon: one coupon, points spent once', { timeout: 60_000 }, async () => {
    const h = mallHelpers(t)
    const { memberId, token } = await t.login('crash-points')
    await h.grant(memberId, 250)
    const item = await h.couponItem({ pointsPrice: 100, stock: 5 })
    const { redemptionId, key } = await killAfter('points-taken', { memberId, itemId: item.id })

    // left behind: points spent (the ledger's entry is the record of the step) and the unit taken, no coupon yet
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'created' })
    expect((await t.balances(memberId)).available).toBe(150)
    expect(await t.models.PointsEntry.findById(`mall:${redemptionId}:spend`).lean()).toMatchObject({ available: -100 })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 4, takes: [redemptionId] })
    expect(await model('Coupon').countDocuments({ issueKey: `mall:${redemptionId}` })).toBe(0)
    // its repair job is waiting for the lease to run out
    expect(await model('Job').findOne({ type: 'mall.redemption-repair', 'payload.redemptionIds': redemptionId }).lean()).toMatchObject({ state: 'queued' })

    await repair()
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'done', leaseOwner: null })
    expect(await model('Coupon').countDocuments({ issueKey: `mall:${redemptionId}` })).toBe(1)
    expect((await t.balances(memberId)).available).toBe(150)
    expect(await t.models.PointsEntry.countDocuments({ memberId, reason: 'redeem' })).toBe(1)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 4, takes: [] })
    expect(await t.models.DomainEvent.countDocuments({ key: `mall:${redemptionId}:redeemed` })).toBe(1)
    // the member asking again with the same key gets the finished redemption
    const again = await h.redeem(token, { itemId: item.id, idempotencyKey: key })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ id: redemptionId, status: 'done', coupon: { id: expect.any(String) } })
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('finishes a redemption left recorded points-taken (as the version before recorded that step)', { timeout: 60_000 }, async () => {
    const h = mallHelpers(t)
    const { memberId } = await t.login('crash-legacy-points')
    await h.grant(memberId, 250)
    const item = await h.couponItem({ pointsPrice: 100, stock: 5 })
    const { redemptionId } = await killAfter('points-taken', { memberId, itemId: item.id })
    await model('MallRedemption').updateOne({ _id: redemptionId }, { $set: { state: 'points-taken' } })
    await repair()
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'done', leaseOwner: null })
    expect(await model('Coupon').countDocuments({ issueKey: `mall:${redemptionId}` })).toBe(1)
    expect((await t.balances(memberId)).available).toBe(150)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 4, takes: [] })
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('is recorded done by the repair job when killed after the coupon was issued: the same coupon, nothing taken twice', { timeout: 60_000 }, async () => {
    const h = mallHelpers(t)
    const { memberId, token } = await t.login('crash-delivered')
    await h.grant(memberId, 250)
    const item = await h.couponItem({ pointsPrice: 100, stock: 5, perMemberLimit: 2 })
    const { redemptionId, key } = await killAfter('delivered', { memberId, itemId: item.id })

    // left behind: everything taken and the coupon issued, the redemption not yet recorded done
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'created' })
    const coupon = await model('Coupon').findOne({ issueKey: `mall:${redemptionId}` }).lean<{ _id: unknown; state: string }>()
    expect(coupon).toMatchObject({ state: 'usable' })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 4, takes: [redemptionId] })

    await repair()
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'done', leaseOwner: null })
    expect(await model('Coupon').countDocuments({ issueKey: `mall:${redemptionId}` })).toBe(1)
    expect((await t.balances(memberId)).available).toBe(150)
    expect(await t.models.PointsEntry.countDocuments({ memberId, reason: 'redeem' })).toBe(1)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 4, takes: [] })
    expect(await model('MallClaim').findById(`${item.id}:${memberId}`).lean()).toMatchObject({ n: 1, rids: [redemptionId] })
    expect(await t.models.DomainEvent.findById(`mall:${redemptionId}:redeemed`).lean()).toMatchObject({ payload: { couponId: String(coupon!._id) } })
    const again = await h.redeem(token, { itemId: item.id, idempotencyKey: key })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ id: redemptionId, status: 'done', coupon: { id: String(coupon!._id) } })
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('is finished by the repair job when killed after taking the unit, before the points', { timeout: 60_000 }, async () => {
    const h = mallHelpers(t)
    const { memberId } = await t.login('crash-stock')
    await h.grant(memberId, 500)
    const item = await h.giftItem({ pointsPrice: 300, stock: 2 })
    const { redemptionId } = await killAfter('stock-taken', { memberId, itemId: item.id, address: h.address })
    // the unit's record is the item's takes: the redemption itself still says created
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'created' })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 1, takes: [redemptionId] })
    expect((await t.balances(memberId)).available).toBe(500)
    await repair()
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'done', giftOrderId: `MG${redemptionId}` })
    expect(await model('MallGiftOrder').findById(`MG${redemptionId}`).lean()).toMatchObject({ state: 'pending', address: h.address })
    expect((await t.balances(memberId)).available).toBe(200)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 1, takes: [] })
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('ends failed with everything given back when the repair finds the points gone meanwhile', { timeout: 60_000 }, async () => {
    const h = mallHelpers(t)
    const { memberId } = await t.login('crash-then-short')
    await h.grant(memberId, 100)
    const item = await h.couponItem({ pointsPrice: 100, stock: 3, perMemberLimit: 1 })
    const { redemptionId } = await killAfter('stock-taken', { memberId, itemId: item.id })
    // while it lay there, the points went elsewhere
    await t.app.adjustments.adjust(memberId, { kind: 'points', delta: -60, reason: 'spent elsewhere', requestId: 'crash-short-1' }, { actor: 'test', role: 'admin' })
    await repair()
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'failed', failure: { code: 'INSUFFICIENT_POINTS' } })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 3, takes: [] })
    expect(await model('MallClaim').findById(`${item.id}:${memberId}`).lean()).toMatchObject({ n: 0, rids: [] })
    expect((await t.balances(memberId)).available).toBe(40)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('takes no second unit or slot when killed just after taking them', { timeout: 60_000 }, async () => {
    const h = mallHelpers(t)
    const { memberId } = await t.login('crash-created')
    await h.grant(memberId, 100)
    const item = await h.couponItem({ pointsPrice: 10, stock: 3, perMemberLimit: 5 })
    const { redemptionId } = await killAfter('created', { memberId, itemId: item.id })
    // as if the process had died right after the slot and the stock updates: both taken and marked with the
    // redemption's id, the redemption still says created
    await model('MallClaim').updateOne({ _id: `${item.id}:${memberId}` }, { $inc: { n: 1 }, $push: { rids: redemptionId } }, { upsert: true })
    await model('MallItem').updateOne({ _id: item.id }, { $inc: { stockLeft: -1 }, $push: { takes: redemptionId } })
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'created' })
    await repair()
    expect(await model('MallRedemption').findById(redemptionId).lean()).toMatchObject({ state: 'done' })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 2, takes: [] })
    expect(await model('MallClaim').findById(`${item.id}:${memberId}`).lean()).toMatchObject({ n: 1, rids: [redemptionId] })
    expect((await t.balances(memberId)).available).toBe(90)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })
})
