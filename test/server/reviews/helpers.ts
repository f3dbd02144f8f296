import type { LightMyRequestResponse } from 'fastify'
import sharp from 'sharp'
import { expect } from 'vitest'
import type { TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { staffHelpers } from '../staff/helpers.js'

/** A small real JPEG (a coloured square) to upload as a review photo. */
export async function testJpeg(colour = { r: 200, g: 160, b: 90 }): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).jpeg().toBuffer()
}

/** A multipart/form-data body with one file field, as the mini-program's uploadFile sends it. */
export function multipart(file: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----mc${Math.random().toString(16).slice(2)}`
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return { payload: Buffer.concat([head, file, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** What the review tests share: campaigns, delivered orders, photos, reviews, moderation, the sandbox's verdicts. */
export function reviewHelpers(t: TestContext) {
  const staff = staffHelpers(t)
  const h = {
    ...staff,
    /** POST /api/admin/review-campaigns; expects 201 */
    async campaign(overrides: Record<string, unknown> = {}) {
      const now = t.clock.now().getTime()
      const response = await staff.send('POST', '/api/admin/review-campaigns', t.adminToken(), {
        name: '晒单有礼',
        products: { skus: [], categories: ['earring'] },
        purchaseWindow: { from: new Date(now - 60 * 86_400_000).toISOString(), to: new Date(now + 86_400_000).toISOString() },
        minPhotos: 1,
        minTextLength: 5,
        reward: { points: 200 },
        budget: 100,
        endsAt: new Date(now + 30 * 86_400_000).toISOString(),
        ...overrides,
      })
      expect(response.statusCode, response.body).toBe(201)
      return response.json() as { id: string; budget: number; granted: number }
    },
    /** a paid, delivered online order of the member's: its id and lines (sku SKU-{lineId}, category earring) */
    async deliveredOrder(memberId: string, options: { lines?: number; delivered?: boolean; category?: string; daysAgo?: number } = {}) {
      const orderId = shop.orderId()
      const now = t.clock.now().getTime()
      const paidAt = new Date(now - (options.daysAgo ?? 10) * 86_400_000).toISOString()
      const lines = Array.from({ length: options.lines ?? 1 }, (_, i) => ({ lineId: String(i + 1), paidFen: 100_000, category: options.category ?? 'earring' }))
      await t.sendAccepted(shop.paid(orderId, { memberId }, lines, paidAt))
      if (options.delivered !== false) await t.sendAccepted(shop.delivered(orderId, new Date(now - 86_400_000).toISOString()))
      return { orderId, lineIds: lines.map((l) => l.lineId) }
    },
    /** POST /api/reviews/photos with a real JPEG; expects 201 */
    async photo(token: string, file?: Buffer): Promise<{ id: string; url: string; thumbUrl: string }> {
      const body = multipart(file ?? (await testJpeg()))
      const response = await t.app.inject({ method: 'POST', url: '/api/reviews/photos', headers: { ...staff.bearer(token), ...body.headers }, payload: body.payload })
      expect(response.statusCode, response.body).toBe(201)
      return response.json()
    },
    /** POST /api/reviews */
    review: (token: string, body: Record<string, unknown>): Promise<LightMyRequestResponse> => staff.send('POST', '/api/reviews', token, body),
    /** a review with one photo, accepted (201): its id */
    async writeReview(token: string, orderId: string, lineId: string, rating: number, text = '真实的使用感受，做工不错') {
      const photo = await h.photo(token)
      const response = await h.review(token, { orderId, lineId, rating, text, photoIds: [photo.id] })
      expect(response.statusCode, response.body).toBe(201)
      return response.json() as { id: string; state: string }
    },
    /** runs the check jobs, then pushes WeChat's held media verdicts (all pass unless `suggest`) and waits for them */
    async passChecks(suggest?: 'pass' | 'risky' | 'review') {
      await t.app.jobs.drain()
      await t.sandbox.releaseMediaChecks(suggest ? { suggest } : {})
    },
    async reviewState(id: string): Promise<string> {
      return ((await t.app.db.connection.model("Review").findById(id, { state: 1 }).lean()) as unknown as { state: string }).state
    },
  }
  return h
}
