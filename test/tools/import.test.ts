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

  it('imports a JSONL history through the same ingestion, reports bad lines, and skips what it imported before', async () => {
    const { memberId } = await t.login('import-member')
    const orderId = shop.orderId()
    const lines = [
      JSON.stringify(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 30_000 }], '2024-05-01T10:00:00+08:00')),
      JSON.stringify(shop.delivered(orderId, '2024-05-03T10:00:00+08:00')),
      '{ not json',
      JSON.stringify(shop.paid(shop.orderId(), { phone: '13700000000' }, [{ lineId: '1', paidFen: 5_000 }], '2024-06-01T10:00:00+08:00')),
    ]
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'import-')), 'history.jsonl')
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
    expect(first.out).toContain('"applied":2')
    expect(first.out).toContain('"parked":1')
    expect(first.out).toContain('"rejected":1')
    expect(first.err).toContain('line 3')
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(300)

    const second = await cli()
    expect(second.out).toContain('"duplicate":3')
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(300)
  })
})
