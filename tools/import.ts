import { SHOP_EVENT_TYPES, type ShopEvent } from '@member-center/shared'
import { SingleBar, Presets } from 'cli-progress'
import Fastify from 'fastify'
import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import app from '../server/src/app.js'
import { loadConfig } from '../server/src/core/config.js'

/**
 * `npm run import -- <file.jsonl>`: migrates order history from an old CRM. One shop event per line (the webhook's
 * envelope); they go through the same ingestion as the webhook's batch route, 200 at a time, so a re-run skips what
 * was imported (duplicate) and members not yet known are parked until they appear. Needs the server's settings (MONGODB_URI, secrets, …).
 */
const file = process.argv[2]
if (!file) {
  console.error('usage: npm run import -- <events.jsonl>')
  process.exit(2)
}
const config = loadConfig({ ...process.env, WORKER_ENABLED: 'false' })
const server = Fastify({ logger: { level: 'warn' } })
await server.register(app, config)
await server.ready()

const bar = new SingleBar({ format: 'import |{bar}| {percentage}% · {value}/{total} bytes · {applied} applied · {duplicate} duplicate · {parked} parked · {rejected} rejected' }, Presets.shades_classic)
const counts = { applied: 0, duplicate: 0, parked: 0, rejected: 0 }
const rejected: string[] = []
bar.start(statSync(file).size, 0, counts)
let bytes = 0
let lineNo = 0
let chunk: { event: ShopEvent; line: number }[] = []

/** Accepts a chunk of events, waits until they are applied (so memory stays flat), and counts what became of them. */
async function flush() {
  if (chunk.length === 0) return
  const results = await server.shopEvents.acceptMany(chunk.map((c) => c.event))
  await server.shopEvents.idle()
  const accepted: string[] = []
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      counts.rejected++
      rejected.push(`line ${chunk[i]!.line}: ${result.message}`)
    } else if (result.status === 'duplicate') {
      counts.duplicate++
    } else {
      accepted.push(result.eventId)
    }
  })
  for (const id of accepted) {
    const state = (await server.shopEvents.status(id))?.status
    if (state === 'applied' || state === 'parked') counts[state]++
    else rejected.push(`line ${chunk[results.findIndex((r) => r.eventId === id)]!.line}: accepted but not applied (${(await server.shopEvents.status(id))?.lastError ?? 'still queued'})`)
  }
  chunk = []
  bar.update(bytes, counts)
}

try {
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    lineNo++
    bytes += Buffer.byteLength(line) + 1
    if (!line.trim()) continue
    try {
      const event = JSON.parse(line) as ShopEvent
      if (!event || !SHOP_EVENT_TYPES.includes(event.type) || !event.eventId || !event.data?.orderId) throw new Error('not a shop event envelope')
      chunk.push({ event, line: lineNo })
    } catch (error) {
      counts.rejected++
      rejected.push(`line ${lineNo}: ${(error as Error).message}`)
    }
    if (chunk.length >= 200) await flush()
  }
  await flush()
} finally {
  bar.update(bytes, counts)
  bar.stop()
  await server.close()
}
for (const r of rejected.slice(0, 50)) console.error(r)
if (rejected.length > 50) console.error(`… and ${rejected.length - 50} more`)
console.log(`imported ${lineNo} lines: ${JSON.stringify(counts)}`)
process.exitCode = rejected.length > 0 ? 1 : 0
