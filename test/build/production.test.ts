import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { createServer } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { ErrorCodes } from '@member-center/shared'
import { parse } from 'acorn'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../tools/build-client.js'
import { freshDatabaseUri } from '../helpers/database.js'
import { startSandbox, TEST_APPID, TEST_SECRET, type TestSandbox } from '../helpers/sandbox.js'

const run = promisify(execFile)

// ≥ 32 characters, as the config demands (test/helpers/app.ts is not imported: it loads the server's source)
const JWT_SECRET = 'production-build-jwt-secret-0123456789abcdef'
const MEMBER_CODE_SECRET = 'production-build-member-code-secret-0123456789'

/** A port nobody listens on right now (PORT=0 would work, but the server would not tell us which port it took). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** Every .js file under a directory. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file))
}

/**
 * Every module a compiled file imports — static imports, re-exports and import() of a literal — found by parsing it
 * (a pattern over the text would take `'from' in x` in the code for an import).
 */
function specifiersOf(file: string): string[] {
  const found: string[] = []
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node)) return node.forEach(visit)
    const n = node as { type?: string; source?: { type?: string; value?: unknown } }
    if ((n.type === 'ImportDeclaration' || n.type === 'ExportNamedDeclaration' || n.type === 'ExportAllDeclaration' || n.type === 'ImportExpression') && n.source?.type === 'Literal' && typeof n.source.value === 'string') {
      found.push(n.source.value)
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') visit(value)
  }
  visit(parse(readFileSync(file, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }))
  return found
}

/** The bare package names a compiled file imports (node builtins left out). */
function packagesImportedBy(file: string): string[] {
  const specifiers = specifiersOf(file)
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'))
}

const dependenciesOf = (pkg: string): string[] =>
  Object.keys((JSON.parse(readFileSync(path.join(ROOT, pkg, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {})

describe('the production build (npm run build, node server/dist/server.js)', () => {
  beforeAll(async () => {
    // the build itself is under test: it must compile the current source, and what follows runs its output
    await run('npm', ['run', 'build', '--silent'], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } })
  }, 300_000)

  it('imports at runtime only packages its own package.json lists under "dependencies"', () => {
    for (const [pkg, dir] of [
      ['server', 'server/dist'],
      ['shared', 'shared/dist'],
    ] as const) {
      const files = jsFiles(path.join(ROOT, dir))
      expect(files.length).toBeGreaterThan(5)
      const imported = new Set(files.flatMap(packagesImportedBy))
      expect([...imported].filter((name) => !dependenciesOf(pkg).includes(name)), `${dir} imports these undeclared packages`).toEqual([])
    }
  })

  it('never reaches outside its dist folder with a relative import (no tools/, no src/, no .ts)', () => {
    for (const dir of ['server/dist', 'shared/dist']) {
      const root = path.join(ROOT, dir)
      for (const file of jsFiles(root)) {
        const relative = specifiersOf(file).filter((s) => s.startsWith('.'))
        for (const specifier of relative) {
          const target = path.resolve(path.dirname(file), specifier)
          expect(target.startsWith(root + path.sep) && target.endsWith('.js'), `${path.relative(ROOT, file)} imports ${specifier}`).toBe(true)
        }
      }
    }
  })

  describe('started with plain node, no tsx, no loader, no NODE_OPTIONS', () => {
    let sandbox: TestSandbox
    let database: ReturnType<typeof freshDatabaseUri>
    let child: ChildProcess
    let output = ''
    let base: string

    beforeAll(async () => {
      sandbox = await startSandbox()
      database = freshDatabaseUri()
      const port = await freePort()
      base = `http://127.0.0.1:${port}`
      child = spawn(process.execPath, [path.join(ROOT, 'server', 'dist', 'server.js')], {
        cwd: ROOT,
        // only what a deployer sets: nothing from this test process (no NODE_OPTIONS, no loader, no VITEST)
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          MONGODB_URI: database.uri,
          JWT_SECRET,
          MEMBER_CODE_SECRET,
          WECHAT_APPID: TEST_APPID,
          WECHAT_SECRET: TEST_SECRET,
          WECHAT_API_BASE: sandbox.url,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const exited = once(child, 'exit').then(([code]) => {
        throw new Error(`node server/dist/server.js exited (${String(code)}) before listening:\n${output}`)
      })
      const listening = (async () => {
        while (child.exitCode === null) {
          const up = await fetch(`${base}/health`).then(
            () => true,
            () => false,
          )
          if (up) return
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      })()
      await Promise.race([listening, exited])
    }, 120_000)

    afterAll(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL')
      await sandbox?.close()
      await database?.drop()
    })

    it('answers GET /health with 200: the database and the WeChat sandbox are reachable', async () => {
      const response = await fetch(`${base}/health`)
      expect(response.status, output).toBe(200)
      expect(await response.json()).toMatchObject({ status: 'ok', checks: { database: { ok: true }, wechat: { ok: true } } })
    })

    it('logs a member in through POST /api/auth/wechat with a sandbox code', async () => {
      const response = await fetch(`${base}/api/auth/wechat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: await sandbox.code('production-build') }),
      })
      expect(response.status, output).toBe(200)
      const body = (await response.json()) as { token: string; created: boolean; member: { id: string } }
      expect(body.created).toBe(true)
      expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
      expect(body.member.id).toMatch(/^[0-9a-f]{24}$/)
    })

    it('answers a login without a code with 400 VALIDATION_FAILED (schemas and the error handler made it into the build)', async () => {
      const response = await fetch(`${base}/api/auth/wechat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(response.status, output).toBe(400)
      expect(((await response.json()) as { code: string }).code).toBe(ErrorCodes.VALIDATION_FAILED)
    })

    it('stops cleanly on SIGTERM', async () => {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const [code] = await exited
      expect(code, output).toBe(0)
    })
  })
})
