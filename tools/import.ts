import { SHOP_EVENT_TYPES, type ShopEvent } from '@member-center/shared'
import { SingleBar, Presets } from 'cli-progress'
import Fastify from 'fastify'
import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import app from '../server/src/app.js'
import { loadConfig } from '../server/src/config.js'

/**
 * `npm run import -- <file.jsonl>`: migrates order history from an old CRM. One shop event per line (the webhook's
 * envelope); each goes through the same ingestion as the webhook, so a re-run skips what was imported (duplicate)
 * and members not yet known are parked until they appear. Needs the server's settings (MONGODB_URI, secrets, …).
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
try {
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    lineNo++
    bytes += Buffer.byteLength(line) + 1
    if (!line.trim()) continue
    try {
      const event = JSON.parse(line) as ShopEvent
      if (!event || !SHOP_EVENT_TYPES.includes(event.type) || !event.eventId || !event.data?.orderId) throw new Error('not a shop event envelope')
      const result = await server.shopEvents.ingest(event)
      counts[result.status]++
    } catch (error) {
      counts.rejected++
      rejected.push(`line ${lineNo}: ${(error as Error).message}`)
    }
    bar.update(bytes, counts)
  }
} finally {
  bar.update(bytes, counts)
  bar.stop()
  await server.close()
}
for (const r of rejected.slice(0, 50)) console.error(r)
if (rejected.length > 50) console.error(`… and ${rejected.length - 50} more`)
console.log(`imported ${lineNo} lines: ${JSON.stringify(counts)}`)
process.exitCode = counts.rejected > 0 ? 1 : 0
