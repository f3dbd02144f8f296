import { ErrorCodes } from '@member-center/shared'
import { MongoClient } from 'mongodb'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestApp, type TestContext } from '../../helpers/app.js'

/** A TCP proxy in front of the test database that can be cut, as a database server going away looks to the app. */
async function cuttableProxy() {
  const target = new URL(inject('mongoUri'))
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
    },
  }
}

const timed = async <T>(run: () => Promise<T>) => {
  const started = Date.now()
  const result = await run()
  return { result, ms: Date.now() - started }
}

describe('when the database goes away', () => {
  const name = `test_down_${Date.now().toString(36)}`
  let t: TestContext
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>
  let member: { token: string; memberId: string }

  beforeAll(async () => {
    proxy = await cuttableProxy()
    t = await startTestApp({ MONGODB_URI: `mongodb://127.0.0.1:${proxy.port}/${name}` })
    member = await t.login('down-member')
    await proxy.cut()
  })
  afterAll(async () => {
    await t.close()
    const client = new MongoClient(inject('mongoUri'), { serverSelectionTimeoutMS: 5000 })
    try {
      await client.db(name).dropDatabase()
    } finally {
      await client.close()
    }
  })

  it('member routes answer 503 DATABASE_UNAVAILABLE within seconds', async () => {
    for (const url of ['/api/me', '/api/me/card', '/api/me/points/history']) {
      const { result: response, ms } = await timed(() => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${member.token}` } }))
      expect(response.statusCode, `${url}: ${response.body}`).toBe(503)
      expect(response.json()).toEqual({
        statusCode: 503,
        code: ErrorCodes.DATABASE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'the database is not reachable right now; try again shortly',
      })
      expect(response.headers['retry-after']).toBe('5')
      expect(ms, url).toBeLessThan(6000)
    }
  })

  it('GET /health answers 503 within 2 seconds, without addresses or driver messages for anonymous callers', async () => {
    const { result: anonymous, ms } = await timed(() => t.app.inject({ method: 'GET', url: '/health' }))
    expect(ms).toBeLessThan(2000)
    expect(anonymous.statusCode).toBe(503)
    expect(anonymous.json()).toMatchObject({ status: 'degraded', checks: { database: { ok: false }, wechat: { ok: true } } })
    expect(anonymous.json().checks.database).not.toHaveProperty('detail')
    expect(anonymous.body).not.toContain('127.0.0.1')
    expect(anonymous.body).not.toContain(String(proxy.port))
    const admin = await t.app.inject({ method: 'GET', url: '/health', headers: { authorization: `Bearer ${t.adminToken()}` } })
    expect(admin.statusCode).toBe(503)
    expect(admin.json().checks.database.detail).toMatch(/\S/)
  })
})

describe('when the connection is closed under the app', () => {
  let t: TestContext
  let token: string
  beforeAll(async () => {
    t = await startTestApp()
    token = (await t.login('closed-member')).token
    await t.app.db.connection.close()
  })
  afterAll(async () => {
    await t.close()
  })

  it('member routes answer 503 DATABASE_UNAVAILABLE at once', async () => {
    const { result: response, ms } = await timed(() => t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } }))
    expect(response.statusCode).toBe(503)
    expect(response.json().code).toBe(ErrorCodes.DATABASE_UNAVAILABLE)
    expect(ms).toBeLessThan(2000)
    const health = await t.app.inject({ method: 'GET', url: '/health' })
    expect(health.statusCode).toBe(503)
    expect(health.json().checks.database.ok).toBe(false)
  })
})
