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
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    )

  it('passes when balances equal the ledgers, and finds a planted inconsistency', async () => {
    const { memberId } = await t.login('reconcile-member')
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 20_000 }], '2026-03-10T10:00:00+08:00'))
    t.clock.set('2026-04-01T00:00:00Z')
    await t.app.jobs.drain()
    expect((await t.app.reconcile()).differences).toEqual([])
    const ok = await cli()
    expect(ok.code).toBe(0)
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
