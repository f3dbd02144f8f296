import { execFile } from 'node:child_process'
import path from 'node:path'
import { Types } from 'mongoose'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../../tools/build-client.js'
import { startTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

const run = promisify(execFile)

describe('npm run reconcile', () => {
  let t: TestContext
  let uri: string
  beforeAll(async () => {
    t = await startTestApp()
    uri = t.databaseUri
  })
  afterAll(async () => {
    await t.close()
  })

  const cli = () =>
    run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', 'reconcile.ts')], { cwd: ROOT, env: { ...process.env, MONGODB_URI: uri } }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    )

  it('passes when balances equal the ledgers, and finds a planted inconsistency', async () => {
    const { memberId } = await t.login('reconcile-member')
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 20_000 }], '2026-03-10T10:00:00+08:00'))
    t.clock.set('2026-04-01T00:00:00Z')
    await t.app.jobs.drain()
    expect((await t.app.reconcile()).differences).toEqual([])
    const ok = await cli()
    expect(ok.code, ok.out).toBe(0)
    expect(ok.out).toMatch(/✔ \d+ members reconcile/)

    // plant: someone edits the balance behind the ledger's back
    await t.models.Member.updateOne({ _id: memberId }, { $inc: { 'points.available': 7 } })
    const { differences } = await t.app.reconcile()
    expect(differences).toEqual(
      expect.arrayContaining([
        { memberId, field: 'available', member: 207, ledger: 200 },
        { memberId, field: 'lots', member: 200, ledger: 207 },
      ]),
    )
    const bad = await cli()
    expect(bad.code).toBe(1)
    expect(bad.out).toContain(`member ${memberId}: available is 207 on the member, 200 in the ledger`)
  })

  it('finishes a change a crashed process left half-written instead of reporting it', async () => {
    const { memberId } = await t.login('reconcile-crash')
    // a change whose balances were written but whose ledger entry was not (the process died in between)
    await t.models.Member.updateOne(
      { _id: memberId },
      {
        $set: {
          'points.pending': 50,
          pendingOps: [
            {
              key: 'crash:test:1',
              at: new Date('2026-03-10T00:00:00Z'),
              points: { key: 'crash:test:1', memberId: new Types.ObjectId(memberId), reason: 'purchase', available: 0, pending: 50, debt: 0, expired: 0, at: new Date('2026-03-10T00:00:00Z') },
              growth: null,
              tierChange: null,
              events: [],
            },
          ],
        },
        $inc: { rev: 1 },
      },
    )
    const { differences } = await t.app.reconcile()
    expect(differences.filter((d) => d.memberId === memberId)).toEqual([])
    expect(await t.models.PointsEntry.exists({ key: 'crash:test:1' })).not.toBeNull()
    expect((await t.models.Member.findById(memberId).lean())!.pendingOps).toEqual([])
  })
})

describe('npm run reconcile: orders, shop events and jobs', () => {
  let t: TestContext
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(async () => {
    await t.close()
  })

  const cli = () =>
    run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', 'reconcile.ts')], { cwd: ROOT, env: { ...process.env, MONGODB_URI: t.databaseUri } }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    )

  it('exits 1 naming each kind of problem planted, and 0 once it is gone; anomalies are notes', async () => {
    const { memberId } = await t.login('reconcile-orders')
    const orderId = shop.orderId()
    t.clock.set('2026-03-10T02:00:00Z')
    // a delivery reported before the payment: recorded as an anomaly, handled — a note, not a failure
    await t.sendEvent(shop.delivered(orderId, '2026-03-09T10:00:00+08:00'))
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 20_000 }, { lineId: '2', paidFen: 5_000 }], '2026-03-10T10:00:00+08:00'))
    await t.sendEvent(shop.refunded(orderId, 'R1', [{ lineId: '1', refundFen: 5_000 }], '2026-03-10T10:00:00+08:00'))
    const clean = await cli()
    expect(clean.code, clean.out).toBe(0)
    expect(clean.out).toContain(`note: order ${orderId}: delivered-before-paid`)

    const plants: { name: string; expected: string; plant: () => Promise<unknown>; remove: () => Promise<unknown> }[] = [
      {
        name: 'an order line that disagrees with the ledger',
        expected: `order ${orderId} line 1 (member ${memberId}): line points is 999 on the order, 150 in the ledger`,
        plant: () => t.models.Order.updateOne({ _id: orderId }, { $set: { 'lines.0.pointsLeft': 999 } }),
        remove: () => t.models.Order.updateOne({ _id: orderId }, { $set: { 'lines.0.pointsLeft': 150 } }),
      },
      {
        name: 'ledger entries of a line no order stands for',
        expected: `order ${orderId} line 9 (member ${memberId}): line points is 0 on the order, 5 in the ledger`,
        plant: () =>
          t.app.ledger.apply(memberId, {
            key: 'test:orphan-line',
            reason: 'purchase',
            at: new Date(),
            source: { orderId, lineId: '9' },
            compute: (b) => ({ balances: { ...b, pending: b.pending + 5 }, points: { available: 0, pending: 5, debt: 0, expired: 0 }, growth: 0, absorbed: 0, debtRepaid: 0 }),
          }),
        remove: async () => {
          await t.models.PointsEntry.deleteOne({ _id: 'test:orphan-line' })
          await t.models.Member.updateOne({ _id: memberId }, { $inc: { 'points.pending': -5 }, $set: { pendingOps: [] } })
        },
      },
      {
        name: 'a shop event that keeps failing',
        expected: 'shop event evt-stuck-1: still queued since 2026-03-10T02:00:00.000Z (2 failed attempts, last error: boom)',
        plant: () =>
          t.models.ShopEventQueue.collection.insertOne({
            _id: 'evt-stuck-1' as never,
            event: shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], '2026-03-10T10:00:00+08:00', 'evt-stuck-1'),
            receivedAt: new Date('2026-03-10T02:00:00Z'),
            attempts: 2,
            lastError: 'boom',
            retryAt: new Date('2026-03-10T02:00:08Z'),
          }),
        remove: () => t.models.ShopEventQueue.deleteOne({ _id: 'evt-stuck-1' }),
      },
      {
        name: 'a shop event nobody applied for 10 minutes',
        expected: 'shop event evt-stuck-2: still queued since 2020-01-01T00:00:00.000Z (never applied)',
        plant: () =>
          t.models.ShopEventQueue.collection.insertOne({
            _id: 'evt-stuck-2' as never,
            event: shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], '2026-03-10T10:00:00+08:00', 'evt-stuck-2'),
            receivedAt: new Date('2020-01-01T00:00:00Z'),
            attempts: 0,
            lastError: null,
            retryAt: null,
          }),
        remove: () => t.models.ShopEventQueue.deleteOne({ _id: 'evt-stuck-2' }),
      },
      {
        name: 'a job that failed for good',
        expected: `job order.confirm-points:${orderId}: failed for good after 10 attempts: the order vanished`,
        plant: () => t.models.Job.updateOne({ _id: `order.confirm-points:${orderId}` }, { $set: { state: 'failed', attempts: 10, lastError: 'the order vanished' } }),
        remove: () => t.models.Job.updateOne({ _id: `order.confirm-points:${orderId}` }, { $set: { state: 'queued', attempts: 0, lastError: null } }),
      },
      {
        name: 'a job that keeps failing',
        expected: `job order.confirm-points:${orderId}: keeps failing (3 attempts so far): timeout`,
        plant: () => t.models.Job.updateOne({ _id: `order.confirm-points:${orderId}` }, { $set: { attempts: 3, lastError: 'timeout' } }),
        remove: () => t.models.Job.updateOne({ _id: `order.confirm-points:${orderId}` }, { $set: { attempts: 0, lastError: null } }),
      },
      {
        name: 'an event delivery that failed for good (any consumer, any module)',
        expected: 'event delivery care.shipping:order:SO-x:shipped: failed for good after 20 attempts: template missing',
        plant: () =>
          t.models.Job.create({ _id: 'event:care.shipping:order:SO-x:shipped', key: 'event:care.shipping:order:SO-x:shipped', type: 'event:care.shipping', state: 'failed', attempts: 20, lastError: 'template missing', dueAt: new Date() }),
        remove: () => t.models.Job.deleteOne({ _id: 'event:care.shipping:order:SO-x:shipped' }),
      },
    ]
    for (const { name, expected, plant, remove } of plants) {
      await plant()
      const bad = await cli()
      expect(bad.code, `${name}: ${bad.out}`).toBe(1)
      expect(bad.out, name).toContain(expected)
      expect(bad.out, name).toMatch(/✘ \d+ problems/)
      await remove()
    }
    const again = await cli()
    expect(again.code, again.out).toBe(0)
  }, 120_000)
})
