import { spawn } from 'node:child_process'
import path from 'node:path'
import mongoose, { type Connection } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobModel } from '../../../server/src/core/jobs/model.js'
import { backoffMs, JobRunner } from '../../../server/src/core/jobs/runner.js'
import { ROOT } from '../../../tools/build-client.js'
import { freshDatabaseUri } from '../../helpers/database.js'

describe('JobRunner', () => {
  let connection: Connection
  let models: { Job: ReturnType<typeof jobModel> }
  let database: ReturnType<typeof freshDatabaseUri>
  beforeAll(async () => {
    database = freshDatabaseUri()
    connection = await mongoose.createConnection(database.uri).asPromise()
    models = { Job: jobModel(connection) }
    await models.Job.createIndexes()
  })
  afterAll(async () => {
    await connection.close()
    await database.drop()
  })

  it('takes over a job whose worker process was killed mid-run, once its lease expires', async () => {
    const runner = new JobRunner(models.Job, { owner: 'survivor', leaseMs: 1000 })
    runner.register('test.effect', async (payload) => {
      // idempotent effect: keyed by the job's business key
      await connection.collection('effects').updateOne({ key: payload.key }, { $setOnInsert: { key: payload.key, by: 'survivor' } }, { upsert: true })
    })
    await runner.schedule('effect:1', 'test.effect', { key: 'effect:1' }, new Date(Date.now() - 1000))

    // node itself (tsx as a loader), so the pid we kill is the worker's
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'job-worker.ts'), database.uri], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    await expect.poll(async () => (await connection.collection('effects_started').countDocuments()), { timeout: 20_000, interval: 100 }).toBe(1)
    const claimed = await models.Job.findOne({ key: 'effect:1' }).lean()
    expect(claimed).toMatchObject({ state: 'running', leaseOwner: `child-${child.pid}`, attempts: 1 })

    child.kill('SIGKILL')
    await exited
    // the lease still holds: nobody else may take the job yet
    expect(await runner.runOnce()).toBe(false)
    await new Promise((r) => setTimeout(r, 1100))
    expect(await runner.runOnce()).toBe(true)
    expect(await models.Job.findOne({ key: 'effect:1' }).lean()).toMatchObject({ state: 'done', attempts: 2, leaseOwner: null })
    expect(await connection.collection('effects').countDocuments({ key: 'effect:1' })).toBe(1)
  })

  it('lets one of many workers claim a due job', async () => {
    let runs = 0
    const workers = Array.from({ length: 8 }, (_, i) => {
      const w = new JobRunner(models.Job, { owner: `w${i}` })
      w.register('test.count', async () => {
        runs++
      })
      return w
    })
    await workers[0]!.schedule('count:1', 'test.count', {}, new Date(Date.now() - 1000))
    const claimed = await Promise.all(workers.map((w) => w.runOnce()))
    expect(claimed.filter(Boolean)).toHaveLength(1)
    expect(runs).toBe(1)
  })

  it('retries a failing job with growing backoff and gives up after maxAttempts', async () => {
    let clock = Date.now()
    const runner = new JobRunner(models.Job, { owner: 'retry', now: () => new Date(clock) })
    runner.register('test.fail', async () => {
      throw new Error('WeChat said no')
    })
    await runner.schedule('fail:1', 'test.fail', {}, new Date(clock - 1), { maxAttempts: 3 })
    expect(await runner.runOnce()).toBe(true)
    let job = (await models.Job.findOne({ key: 'fail:1' }).lean())!
    expect(job).toMatchObject({ state: 'queued', attempts: 1, lastError: 'WeChat said no' })
    expect(job.dueAt.getTime() - clock).toBe(backoffMs(1))
    expect(await runner.runOnce()).toBe(false) // not due yet
    clock += backoffMs(1)
    await runner.runOnce()
    clock += backoffMs(2)
    await runner.runOnce()
    job = (await models.Job.findOne({ key: 'fail:1' }).lean())!
    expect(job).toMatchObject({ state: 'failed', attempts: 3 })
    expect(backoffMs(2)).toBeGreaterThan(backoffMs(1))
  })

  it('keeps one job per business key, and moves a queued one only when asked', async () => {
    const runner = new JobRunner(models.Job, { owner: 'sched' })
    const first = new Date('2030-01-01T00:00:00Z')
    await runner.schedule('once:1', 'test.noop', {}, first)
    await runner.schedule('once:1', 'test.noop', {}, new Date('2031-01-01T00:00:00Z'))
    expect(await models.Job.countDocuments({ key: 'once:1' })).toBe(1)
    expect((await models.Job.findOne({ key: 'once:1' }).lean())!.dueAt.toISOString()).toBe(first.toISOString())
    await runner.schedule('once:1', 'test.noop', {}, new Date('2029-06-01T00:00:00Z'), { move: true })
    expect((await models.Job.findOne({ key: 'once:1' }).lean())!.dueAt.toISOString()).toBe('2029-06-01T00:00:00.000Z')
  })
})
