import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'

describe('GET /health and the API document', () => {
  const t = useTestApp()

  it('reports the database and WeChat reachable', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'ok', checks: { database: { ok: true }, wechat: { ok: true } } })
  })

  it('answers 503 degraded when WeChat is unreachable', async () => {
    await t.sandbox.close()
    const response = await t.app.inject({ method: 'GET', url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 'degraded', checks: { database: { ok: true }, wechat: { ok: false } } })
  })

  it('publishes OpenAPI JSON at /docs/json with every route and the one error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/wechat', '/api/me/', '/api/me/card', '/health']))
    expect(doc.components.schemas.Error.required).toEqual(['statusCode', 'code', 'error', 'message'])
    const ui = await t.app.inject({ method: 'GET', url: '/docs' })
    expect([200, 302]).toContain(ui.statusCode)
  })

  it('answers unknown routes with the error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/nope' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'no route for GET /api/nope' })
  })
})
