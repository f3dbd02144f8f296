import { ErrorCodes } from '@member-center/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSigned, postSigned, startTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('POST /api/integrations/shop/events', () => {
  let t: TestContext
  let memberId: string
  beforeAll(async () => {
    t = await startTestApp()
    memberId = (await t.login('webhook-member')).memberId
  })
  afterAll(async () => {
    await t.close()
  })

  const url = '/api/integrations/shop/events'
  const paid = () => shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00')
  const pendingPoints = async () => (await t.models.Member.findById(memberId).lean())!.points!.pending

  it('accepts a signed event with 202 and applies it at once', async () => {
    const before = await pendingPoints()
    const response = await t.sendEvent(paid())
    expect(response.statusCode).toBe(202)
    expect(response.json().status).toBe('accepted')
    expect(await pendingPoints()).toBe(before + 100)
    const status = await getSigned(t.app, `${url}/${response.json().eventId}`)
    expect(status.statusCode).toBe(200)
    expect(status.json()).toEqual({ eventId: response.json().eventId, status: 'applied' })
    expect(await t.models.ShopEventQueue.countDocuments()).toBe(0)
  })

  it('answers where an event stands only to a signed request, and 404 for one never accepted', async () => {
    expect((await t.app.inject({ method: 'GET', url: `${url}/nope` })).statusCode).toBe(401)
    const missing = await getSigned(t.app, `${url}/never-sent`)
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe(ErrorCodes.NOT_FOUND)
  })

  it('applies events left queued by a process that died before applying them', async () => {
    const before = await pendingPoints()
    const event = paid()
    // what a crash right after accepting leaves behind: the event queued, nothing applied
    await t.models.ShopEventQueue.create({ _id: event.eventId, event, receivedAt: new Date(t.clock.now().getTime() - 60_000) })
    expect((await getSigned(t.app, `${url}/${event.eventId}`)).json()).toMatchObject({ status: 'queued', attempts: 0 })
    expect((await t.sendEvent(event)).json().status).toBe('duplicate')
    expect(await pendingPoints()).toBe(before)
    await t.app.jobs.drain()
    expect(await pendingPoints()).toBe(before + 100)
    expect((await getSigned(t.app, `${url}/${event.eventId}`)).json()).toMatchObject({ status: 'applied' })
    expect(await t.models.ShopEventQueue.countDocuments()).toBe(0)
  })

  it('keeps an event it cannot apply queued with its error, applies the rest of its batch, and retries it later', async () => {
    const before = await pendingPoints()
    const good = paid()
    // an event that passed validation once but cannot be applied (stored before a schema change, say)
    const broken = { ...paid(), data: { orderId: shop.orderId(), member: { memberId } } }
    const at = new Date(t.clock.now().getTime() - 60_000)
    await t.models.ShopEventQueue.create([
      { _id: good.eventId, event: good, receivedAt: at },
      { _id: broken.eventId, event: broken, receivedAt: at },
    ])
    // what the recovery job does every 30 s
    expect(await t.app.shopEvents.applyLeftBehind()).toBe(2)
    await t.app.shopEvents.idle()
    expect(await pendingPoints()).toBe(before + 100)
    const stuck = (await getSigned(t.app, `${url}/${broken.eventId}`)).json()
    expect(stuck).toMatchObject({ status: 'queued', attempts: 1 })
    expect(stuck.lastError).toMatch(/\S/)
    const queued = (await t.models.ShopEventQueue.findById(broken.eventId).lean())!
    expect(queued.retryAt!.getTime()).toBeGreaterThan(t.clock.now().getTime())
    // once the shop's data is fixed (here: in place), the retry applies it
    await t.models.ShopEventQueue.updateOne({ _id: broken.eventId }, { $set: { 'event.data': paid().data, retryAt: new Date(t.clock.now().getTime() - 1) } })
    expect(await t.app.shopEvents.applyLeftBehind()).toBe(1)
    await t.app.shopEvents.idle()
    expect(await pendingPoints()).toBe(before + 200)
    expect(await t.models.ShopEventQueue.countDocuments()).toBe(0)
  })

  it('rejects an unsigned request with 401 and changes nothing', async () => {
    const before = await pendingPoints()
    const event = paid()
    const response = await t.app.inject({ method: 'POST', url, payload: event })
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
    expect(await pendingPoints()).toBe(before)
    expect(await t.models.ShopEvent.exists({ eventId: event.eventId })).toBeNull()
  })

  it('rejects a wrong signature, a signature with another secret and a tampered body', async () => {
    const event = paid()
    const wrongSecret = await postSigned(t.app, url, event, { secret: 'not-the-shop-secret-at-all' })
    expect(wrongSecret.statusCode).toBe(401)
    const timestamp = String(Math.floor(Date.now() / 1000))
    const { shopSignature } = await import('../../../server/src/modules/shop/signature.js')
    const { TEST_SHOP_SECRET } = await import('../../helpers/app.js')
    const signature = shopSignature(TEST_SHOP_SECRET, timestamp, JSON.stringify(event))
    const tampered = JSON.stringify({ ...event, data: { ...event.data, lines: [{ ...event.data.lines[0], paidFen: 99_999_999 }] } })
    const response = await t.app.inject({
      method: 'POST',
      url,
      payload: tampered,
      headers: { 'content-type': 'application/json', 'x-shop-timestamp': timestamp, 'x-shop-signature': signature },
    })
    expect(response.statusCode).toBe(401)
    expect(response.json().message).toContain('does not match')
  })

  it('rejects a timestamp more than 5 minutes off, either way', async () => {
    const now = Math.floor(Date.now() / 1000)
    for (const timestamp of [now - 301, now + 301]) {
      const response = await postSigned(t.app, url, paid(), { timestamp })
      expect(response.statusCode).toBe(401)
      expect(response.json().message).toContain('5 minutes')
    }
    expect((await postSigned(t.app, url, paid(), { timestamp: now - 290 })).statusCode).toBe(202)
  })

  it('answers a replay with duplicate and changes nothing', async () => {
    const event = paid()
    expect((await t.sendEvent(event)).json().status).toBe('accepted')
    const before = await pendingPoints()
    const replay = await t.sendEvent(event)
    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toEqual({ eventId: event.eventId, status: 'duplicate' })
    expect(await pendingPoints()).toBe(before)
  })

  it('answers 400 naming the field for a wrong type, and records nothing', async () => {
    const event = paid()
    ;(event.data.lines[0] as Record<string, unknown>).paidFen = '100.00'
    const response = await t.sendEvent(event)
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    expect(response.json().message).toContain('data.lines.0.paidFen')
    expect(await t.models.ShopEvent.exists({ eventId: event.eventId })).toBeNull()

    const noMember = paid() as Record<string, any>
    delete noMember.data.member
    const missing = await t.sendEvent(noMember)
    expect(missing.statusCode).toBe(400)
    expect(missing.json().message).toContain('member')

    const badType = { ...paid(), type: 'order.teleported' }
    expect((await t.sendEvent(badType)).statusCode).toBe(400)
  })

  it('ignores unknown fields', async () => {
    const event = { ...paid(), extra: { anything: true } } as Record<string, any>
    event.data.giftWrap = 'red'
    event.data.lines[0].engraving = 'A&B'
    const response = await t.sendEvent(event)
    expect(response.statusCode).toBe(202)
    expect(response.json().status).toBe('accepted')
  })

  it('stores a line\'s category and list price on the order, null when not sent, and still ignores unknown line fields', async () => {
    const orderId = shop.orderId()
    const event = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }, { lineId: '2', paidFen: 5_000 }], '2026-03-10T10:00:00+08:00') as Record<string, any>
    Object.assign(event.data.lines[0], { category: 'ring', listPriceFen: 12_000, engraving: 'A&B' })
    expect((await t.sendEvent(event)).statusCode).toBe(202)
    const order = (await t.models.Order.findById(orderId).lean()) as Record<string, any>
    expect(order.paid.lines).toEqual([
      { lineId: '1', sku: 'SKU-1', name: '商品 1', quantity: 1, paidFen: 10_000, category: 'ring', listPriceFen: 12_000 },
      { lineId: '2', sku: 'SKU-2', name: '商品 2', quantity: 1, paidFen: 5_000, category: null, listPriceFen: null },
    ])
    const tooLong = paid() as Record<string, any>
    tooLong.data.lines[0].category = 'c'.repeat(65)
    expect((await t.sendEvent(tooLong)).statusCode).toBe(400)
    const tooDear = paid() as Record<string, any>
    tooDear.data.lines[0].listPriceFen = 1e12
    expect((await t.sendEvent(tooDear)).statusCode).toBe(400)
  })

  it('accepts a batch, answering each event, rejecting bad ones without stopping', async () => {
    const good = paid()
    const bad = { ...paid(), data: { ...paid().data, lines: [] } }
    const response = await t.sendBatch([good, bad, good])
    expect(response.statusCode).toBe(200)
    expect(response.json().results).toEqual([
      { eventId: good.eventId, status: 'accepted' },
      expect.objectContaining({ eventId: bad.eventId, status: 'rejected', code: ErrorCodes.VALIDATION_FAILED }),
      { eventId: good.eventId, status: 'duplicate' },
    ])
  })

  it('publishes the webhook in the OpenAPI document with an example per type', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
    const op = doc.paths['/api/integrations/shop/events'].post
    const body = op.requestBody.content['application/json']
    const examples = body.examples ? Object.values(body.examples).map((e: any) => e.value) : body.schema.examples
    expect(examples.map((e: { type: string }) => e.type).sort()).toEqual(
      ['order.cancelled', 'order.created', 'order.delivered', 'order.logistics_update', 'order.paid', 'order.refunded', 'order.shipped'],
    )
  })
})
