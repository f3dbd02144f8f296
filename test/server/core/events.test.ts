import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import mongoose, { type Connection } from 'mongoose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../../tools/build-client.js'
import { freshDatabaseUri } from '../../helpers/database.js'

/** Starts test/fixtures/event-process.ts as a real server process (node with tsx as a loader, so kill hits it). */
function startProcess(uri: string, name: string, mode: string, count?: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'event-process.ts'), uri, name, mode, String(count ?? '')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  const said = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (out.includes(`${word}\n`) ? resolve() : undefined)
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        check()
      })
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before saying ${word}`)))
      check()
    })
  return { child, ready: said('ready'), said }
}

describe('domain-event consumers across processes', () => {
  let connection: Connection
  let database: ReturnType<typeof freshDatabaseUri>
  const children: ChildProcess[] = []
  beforeAll(async () => {
    database = freshDatabaseUri()
    connection = await mongoose.createConnection(database.uri).asPromise()
  })
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  afterAll(async () => {
    await connection.close()
    await database.drop()
  })

  it('delivers every event to every consumer of its type exactly once while two processes write and three consume', async () => {
    const PER_WRITER = 60
    const a = startProcess(database.uri, 'a', 'write+consume', PER_WRITER)
    const b = startProcess(database.uri, 'b', 'write+consume', PER_WRITER)
    children.push(a.child, b.child)
    await Promise.all([a.ready, b.ready])
    const c = startProcess(database.uri, 'c', 'consume')
    children.push(c.child)
    await c.ready
    await Promise.all([a.said('written'), b.said('written')])

    const happened = ['a', 'b'].flatMap((w) => Array.from({ length: PER_WRITER }, (_, i) => ({ key: `${w}:${i}`, type: i % 3 === 0 ? 'test.other' : 'test.happened' })))
    // test.audit takes test.happened; test.mail takes both types
    const expected = new Set([
      ...happened.filter((e) => e.type === 'test.happened').map((e) => `test.audit:${e.key}`),
      ...happened.map((e) => `test.mail:${e.key}`),
    ])
    const effects = connection.collection('effects')
    await expect.poll(() => effects.countDocuments(), { timeout: 60_000, interval: 250 }).toBe(expected.size)
    const keys = new Set((await effects.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)))
    expect([...expected].filter((k) => !keys.has(k))).toEqual([])
    expect([...keys].filter((k) => !expected.has(k))).toEqual([])
    // every event is in the log once, and several processes did the consuming
    expect(await connection.collection('domain_events').countDocuments()).toBe(2 * PER_WRITER)
    const by = await effects.distinct('by')
    expect(by.length).toBeGreaterThan(1)
    // nothing was handled twice here (no process died), and no delivery is left
    expect(await connection.collection('calls').countDocuments({ n: { $gt: 1 } })).toBe(0)
    expect(await connection.collection('jobs').countDocuments({ type: /^event:/, state: { $ne: 'done' } })).toBe(0)
  }, 120_000)

  it('keeps a failing delivery visible with its attempts and error, without holding back other events or consumers', async () => {
    const consumer = startProcess(database.uri, 'c2', 'consume')
    children.push(consumer.child)
    await consumer.ready
    // "poison:" keys make test.mail throw every time; test.audit handles the same events
    const writer = startProcess(database.uri, 'poison', 'write', 6)
    children.push(writer.child)
    await writer.said('written')
    await expect
      .poll(async () => connection.collection('jobs').findOne({ _id: 'event:test.mail:poison:0' as never }), { timeout: 30_000, interval: 250 })
      .toMatchObject({ state: 'failed', attempts: 2, lastError: 'cannot mail poison:0' })
    const effects = connection.collection('effects')
    const audited = [1, 2, 4, 5].map((i) => `test.audit:poison:${i}`)
    await expect.poll(async () => effects.countDocuments({ _id: { $in: audited as never[] } }), { timeout: 30_000 }).toBe(audited.length)
    expect(await effects.countDocuments({ _id: /^test\.mail:poison:/ as never })).toBe(0)
  }, 60_000)

  it('hands a delivery to another process when the one handling it dies mid-way, and the effect happens once', async () => {
    const hanging = startProcess(database.uri, 'hang', 'hang')
    children.push(hanging.child)
    await hanging.ready
    // slow:1 is a test.happened event (slow:0 is test.other, which test.audit does not take)
    const writer = startProcess(database.uri, 'slow', 'write', 2)
    children.push(writer.child)
    await writer.said('written')
    // the only consumer claims it, starts, and hangs: kill it there
    await expect.poll(() => connection.collection('started').countDocuments({ key: 'test.audit:slow:1' }), { timeout: 20_000 }).toBe(1)
    hanging.child.kill('SIGKILL')
    const rescue = startProcess(database.uri, 'rescue', 'consume')
    children.push(rescue.child)
    await expect
      .poll(() => connection.collection('effects').findOne({ _id: 'test.audit:slow:1' as never }), { timeout: 30_000, interval: 250 })
      .toMatchObject({ by: 'rescue' })
    expect(await connection.collection('effects').countDocuments({ _id: 'test.audit:slow:1' as never })).toBe(1)
  }, 60_000)
})
