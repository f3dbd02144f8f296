import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../tools/build-client.js'
import { useTestApp, TEST_JWT_SECRET, TEST_MEMBER_CODE_SECRET } from '../helpers/app.js'
import { TEST_APPID, TEST_SECRET } from '../helpers/sandbox.js'
import { shop } from '../helpers/shop.js'

const run = promisify(execFile)

describe('npm run import', () => {
  const t = useTestApp()

  it('migrates a JSONL file: balances as they were, orders as history, bad lines reported, a re-run unchanged', async () => {
    const { memberId } = await t.login('import-member')
    const lines = [
      JSON.stringify({
        kind: 'order',
        member: { memberId },
        orderId: 'CRM-1001',
        paidAt: '2024-05-01T10:00:00+08:00',
        channel: 'store',
        store: 'SH-IFC',
        lines: [{ lineId: '1', sku: 'RING-1', name: '戒指', quantity: 1, paidFen: 30_000, category: 'ring' }],
      }),
      JSON.stringify({ kind: 'member', member: { memberId }, points: { lots: [{ points: 420, expiresAt: '2099-12-31T23:59:59+08:00' }] }, growth: 3_000 }),
      '{ not json',
      JSON.stringify(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 5_000 }], '2024-06-01T10:00:00+08:00')),
      JSON.stringify({ kind: 'member', member: { phone: '13700000000' }, growth: 10 }),
    ]
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'import-')), 'crm.jsonl')
    writeFileSync(file, lines.join('\n') + '\n')
    const env = {
      ...process.env,
      MONGODB_URI: t.databaseUri,
      JWT_SECRET: TEST_JWT_SECRET,
      MEMBER_CODE_SECRET: TEST_MEMBER_CODE_SECRET,
      WECHAT_APPID: TEST_APPID,
      WECHAT_SECRET: TEST_SECRET,
      WECHAT_API_BASE: t.sandbox.url,
    }
    const cli = () =>
      run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', 'import.ts'), file], { cwd: ROOT, env }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      )
    const first = await cli()
    expect(first.code).toBe(1)
    expect(first.out).toContain('{"applied":2,"parked":1,"unchanged":0,"rejected":2}')
    expect(first.err).toContain('line 3: not JSON')
    expect(first.err).toContain('line 4: a shop event: a migration does not replay events')
    // the balances as they were; the 300-yuan order earned nothing again
    expect(await t.balances(memberId)).toMatchObject({ available: 420, pending: 0, growth: 3_000 })
    await t.expectReconciled()

    const second = await cli()
    expect(second.out).toContain('{"applied":0,"parked":1,"unchanged":2,"rejected":2}')
    expect(await t.balances(memberId)).toMatchObject({ available: 420, pending: 0, growth: 3_000 })
    expect(await t.models.PointsEntry.countDocuments({ memberId })).toBe(1)
  })
})
