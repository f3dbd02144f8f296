import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The one place that decides where the database is (DESIGN.md §4):
 *  1. MONGODB_URI when set — any MongoDB-protocol server;
 *  2. otherwise a `mongod` binary (MONGOMS_SYSTEM_BINARY, or `mongod` on PATH), started here;
 *  3. otherwise FerretDB 1.24 with its SQLite backend, built once from Go modules by tools/ferretdb/build.sh.
 * Whatever it starts it stops again with `stop()` (and on process exit).
 */
export interface Database {
  /** a mongodb:// URI without a database name */
  uri: string
  kind: 'external' | 'mongod' | 'ferretdb'
  /** the server's own words about itself, e.g. "FerretDB v1.24.2 (sqlite) on 127.0.0.1:40123" */
  description: string
  stop(): Promise<void>
}

export interface StartDatabaseOptions {
  /** keep data here across runs (the demo); by default a temporary directory removed on stop */
  dataDir?: string
  /** write the server's log here instead of discarding it */
  logFile?: string
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export async function startDatabase(options: StartDatabaseOptions = {}): Promise<Database> {
  const external = process.env.MONGODB_URI
  if (external) {
    return { uri: external, kind: 'external', description: `MONGODB_URI (${redact(external)})`, stop: async () => {} }
  }
  const mongod = findMongod()
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'member-center-db-'))
  const temporary = !options.dataDir
  mkdirSync(dataDir, { recursive: true })
  const port = await freePort()
  let child: ChildProcess
  let kind: Database['kind']
  let description: string
  if (mongod) {
    kind = 'mongod'
    description = `mongod (${mongod}) on 127.0.0.1:${port}`
    child = spawn(mongod, ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'], {
      stdio: 'ignore',
    })
  } else {
    const ferretdb = buildFerretDb()
    kind = 'ferretdb'
    description = `FerretDB v1.24.2 (sqlite backend, patched for atomic updates) on 127.0.0.1:${port}`
    const stateDir = path.join(dataDir, 'state')
    mkdirSync(stateDir, { recursive: true })
    child = spawn(
      ferretdb,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/?_pragma=synchronous(normal)`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${stateDir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    child.stderr?.on('data', (chunk: Buffer) => {
      if (options.logFile || process.env.DATABASE_DEBUG) process.stderr.write(chunk)
    })
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  await waitForPort(port, child)
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    kind,
    description,
    async stop() {
      process.off('exit', killOnExit)
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      if (temporary) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

function findMongod(): string | null {
  const fromEnv = process.env.MONGOMS_SYSTEM_BINARY
  if (fromEnv && existsSync(fromEnv)) return fromEnv
  try {
    return execFileSync('sh', ['-c', 'command -v mongod'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

/** Builds FerretDB on first use (about a minute) and returns the cached binary's path. */
export function buildFerretDb(): string {
  const out = execFileSync('bash', [path.join(root, 'tools', 'ferretdb', 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return out.trim().split('\n').pop()!
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the database server exited with code ${child.exitCode} before listening`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket()
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
      socket.connect(port, '127.0.0.1')
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`the database server did not listen on ${port} within ${timeoutMs} ms`)
}

function redact(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@')
}
