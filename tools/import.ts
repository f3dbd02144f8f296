import { SingleBar, Presets } from 'cli-progress'
import Fastify from 'fastify'
import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import app from '../server/src/app.js'
import { loadConfig } from '../server/src/core/config.js'
import type { ImportResult } from '../server/src/modules/loyalty/migration.js'

/**
 * `npm run import -- <file.jsonl>`: a migration from another CRM (README, "Migrating from another CRM"). One record
 * per line: `{"kind":"order",…}` — an order, loaded as history — or `{"kind":"member",…}` — a member's balances as
 * they were (available points with their expiry dates, growth, tier and tier date), carried over as an opening
 * entry. The file is read twice: orders first, then members (their growth window comes from their orders). Nothing
 * is earned again; re-running the same file changes nothing. Needs the server's settings (MONGODB_URI, secrets, …).
 */
const file = process.argv[2] ?? ''
if (!file) {
  console.error('usage: npm run import -- <records.jsonl>')
  process.exit(2)
}
const config = loadConfig({ ...process.env, WORKER_ENABLED: 'false' })
const server = Fastify({ logger: { level: 'warn' } })
await server.register(app, config)
await server.ready()

const size = statSync(file).size
const bar = new SingleBar(
  { format: 'import {pass} |{bar}| {percentage}% · {applied} applied · {parked} parked · {unchanged} unchanged · {rejected} rejected' },
  Presets.shades_classic,
)
const counts = { applied: 0, parked: 0, unchanged: 0, rejected: 0 }
const rejected: string[] = []

/** Reads the file and imports the records of one kind, 200 at a time; the other kind's lines are skipped. */
async function pass(kind: 'order' | 'member', importMany: (records: unknown[]) => Promise<ImportResult[]>) {
  bar.start(size, 0, { ...counts, pass: `${kind}s` })
  let chunk: { record: unknown; line: number }[] = []
  const flush = async () => {
    if (chunk.length === 0) return
    const results = await importMany(chunk.map((c) => c.record))
    results.forEach((result, i) => {
      counts[result.status]++
      if (result.status === 'rejected') rejected.push(`line ${chunk[i]!.line}: ${result.message}`)
    })
    chunk = []
  }
  let bytes = 0
  let lineNo = 0
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    lineNo++
    bytes += Buffer.byteLength(line) + 1
    if (!line.trim()) continue
    const record = parse(line)
    // a line that is no record at all is reported once, on the first pass
    if (typeof record === 'string') {
      if (kind === 'order') {
        counts.rejected++
        rejected.push(`line ${lineNo}: ${record}`)
      }
    } else if (record.kind === kind) {
      chunk.push({ record, line: lineNo })
      if (chunk.length >= 200) await flush()
    }
    bar.update(bytes, { ...counts, pass: `${kind}s` })
  }
  await flush()
  bar.update(size, { ...counts, pass: `${kind}s` })
  bar.stop()
}

/** The record on a line, or what is wrong with the line. */
function parse(line: string): { kind: string } | string {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    return `not JSON (${(error as Error).message})`
  }
  const kind = (value as { kind?: unknown } | null)?.kind
  if (kind === 'order' || kind === 'member') return value as { kind: string }
  if ((value as { eventId?: unknown } | null)?.eventId !== undefined) {
    return 'a shop event: a migration does not replay events (they would earn again); send an "order" record, or the event to POST /api/shop/events/batch'
  }
  return 'not a migration record: "kind" must be "order" or "member"'
}

try {
  await pass('order', (records) => server.migration.importOrders(records))
  await pass('member', (records) => server.migration.importMembers(records))
} finally {
  await server.close()
}
for (const r of rejected.slice(0, 50)) console.error(r)
if (rejected.length > 50) console.error(`… and ${rejected.length - 50} more`)
console.log(`imported ${file}: ${JSON.stringify(counts)}`)
process.exitCode = rejected.length > 0 ? 1 : 0
