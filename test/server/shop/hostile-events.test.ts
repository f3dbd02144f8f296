import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { shopSignature } from '../../../server/src/modules/shop/signature.js'
import { getSigned, TEST_SHOP_SECRET, useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

const url = '/api/integrations/shop/events'

describe('shop events: hostile input', () => {
  const t = useTestApp()
  let memberId: string
  beforeAll(async () => {
    memberId = (await t.login('hostile-shop-member')).memberId
  })

  const paid = (eventId?: string) => shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00', eventId)

  /** POSTs exactly `raw`, signed over exactly `raw`. */
  function sendRaw(path: string, raw: string | Buffer, contentType = 'application/json', signed = true) {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = { 'content-type': contentType }
    if (signed) {
      headers['x-shop-timestamp'] = timestamp
      headers['x-shop-signature'] = shopSignature(TEST_SHOP_SECRET, timestamp, raw.toString())
    }
    return t.app.inject({ method: 'POST', url: path, headers, payload: raw })
  }
  const settle = async <T>(response: T) => {
    await t.app.shopEvents.idle()
    return response
  }

  /** The event with unknown fields everywhere, some with keys the database refuses. */
  function withHostileUnknowns() {
    const event = paid() as Record<string, any>
    event.$set = { points: 1e9 }
    event['a.b'] = 1
    event.extra = { deeper: { deepest: [1, 2, { $where: 'sleep(1000)' }] } }
    event.data.$where = '1'
    event.data['x.y'] = { z: 1 }
    event.data.member.$ne = null
    event.data.member['openid.evil'] = 'x'
    event.data.lines[0].$inc = { paidFen: 1 }
    event.data.lines[0]['engraving.text'] = 'A&B'
    return event
  }

  /** Every key in a stored document, at any depth. */
  function keys(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(keys)
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)])
    return []
  }

  it('ignores unknown fields, $-prefixed and dotted ones too, and stores only the fields it knows', async () => {
    const event = withHostileUnknowns()
    const response = await settle(await sendRaw(url, JSON.stringify(event)))
    expect(response.statusCode).toBe(202)
    expect((await getSigned(t.app, `${url}/${event.eventId}`)).json()).toEqual({ eventId: event.eventId, status: 'applied' })
    const stored = (await t.models.ShopEvent.findById(event.eventId).lean())!
    expect(stored.data).toEqual({
      orderId: event.data.orderId,
      member: { memberId },
      paidAt: event.data.paidAt,
      channel: 'mall',
      store: 'online',
      lines: [{ lineId: '1', sku: 'SKU-1', name: '商品 1', quantity: 1, paidFen: 10_000 }],
    })
    expect(keys(stored).filter((k) => k.startsWith('$') || k.includes('.'))).toEqual([])
  })

  it('accepts 39 valid events and one with $-prefixed keys sent at the same moment, all of them', async () => {
    const events = [...Array.from({ length: 39 }, () => paid()), withHostileUnknowns()]
    const responses = await Promise.all(events.map((e) => sendRaw(url, JSON.stringify(e))))
    await t.app.shopEvents.idle()
    expect(responses.map((r) => r.statusCode)).toEqual(Array(40).fill(202))
    const states = await Promise.all(events.map(async (e) => (await getSigned(t.app, `${url}/${e.eventId}`)).json().status))
    expect(states).toEqual(Array(40).fill('applied'))
  })

  it('answers each event of a batch on its own: hostile ones rejected, the others accepted', async () => {
    const good = [paid(), paid(), paid()]
    const hostile = withHostileUnknowns()
    const wrongType = paid() as Record<string, any>
    wrongType.data.lines[0].paidFen = '100'
    const deepUnknown = paid() as Record<string, any>
    deepUnknown.data.note = JSON.parse('['.repeat(20) + ']'.repeat(20))
    const items = [
      good[0],
      null,
      5,
      'an event',
      [],
      {},
      { eventId: 7, type: 'order.paid' },
      { ...paid(), type: 'constructor' },
      { ...paid(), type: '__proto__' },
      { ...paid(), eventId: 'e'.repeat(129) },
      { ...paid(), occurredAt: 'yesterday' },
      { ...paid(), data: [] },
      { ...paid(), data: { orderId: 'SO-1', member: { unknownRef: 'x' }, lines: [{ lineId: '1', sku: 's', name: 'n', quantity: 1, paidFen: 1 }] } },
      wrongType,
      good[1],
      hostile,
      deepUnknown,
      good[2],
    ]
    // 1e400 and -2^60 only exist in the text
    const raw = JSON.stringify({ events: items }).replace(/]}$/, `,${JSON.stringify(paid()).replace('"paidFen":10000', '"paidFen":1e400')},${JSON.stringify(paid()).replace('"quantity":1', `"quantity":${-(2 ** 60)}`)}]}`)
    const response = await settle(await sendRaw(`${url}/batch`, raw))
    expect(response.statusCode).toBe(200)
    const results = response.json().results as { eventId: string; status: string; code?: string }[]
    expect(results).toHaveLength(items.length + 2)
    const accepted = new Set([0, 14, 15, 16, 17])
    results.forEach((result, i) => {
      if (accepted.has(i)) expect(result, `item ${i}`).toEqual({ eventId: (items[i] as { eventId: string }).eventId, status: 'accepted' })
      else expect(result, `item ${i}`).toMatchObject({ status: 'rejected', code: ErrorCodes.VALIDATION_FAILED })
    })
    expect(results[9]!.eventId).toBe('')
    expect(results[13]!.eventId).toBe(wrongType.eventId)
    for (const i of accepted) expect((await getSigned(t.app, `${url}/${(items[i] as { eventId: string }).eventId}`)).json().status).toBe('applied')
  })

  it('refuses a body nested 100,000 levels deep at once, while other events go through', async () => {
    const started = Date.now()
    const [single, batch, valid] = await Promise.all([
      sendRaw(url, `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      sendRaw(`${url}/batch`, `{"events":[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]}`),
      sendRaw(url, JSON.stringify(paid())),
    ])
    expect(Date.now() - started).toBeLessThan(3000)
    for (const response of [single, batch]) {
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, message: expect.stringContaining('nested deeper than 32') })
    }
    expect(valid.statusCode).toBe(202)
    await t.app.shopEvents.idle()
  })

  it('caps the body: 1 MiB for one event, 5 MiB for a batch (413)', async () => {
    const big = { ...paid(), padding: 'x'.repeat(1024 * 1024) }
    const one = await sendRaw(url, JSON.stringify(big))
    expect(one.statusCode).toBe(413)
    expect(one.json()).toMatchObject({ statusCode: 413, code: ErrorCodes.PAYLOAD_TOO_LARGE, error: 'Payload Too Large' })
    // the same event in a batch fits
    const batch = await settle(await sendRaw(`${url}/batch`, JSON.stringify({ events: [big] })))
    expect(batch.statusCode).toBe(200)
    expect(batch.json().results[0].status).toBe('accepted')
    const tooBig = await sendRaw(`${url}/batch`, JSON.stringify({ events: [big, big, big, big, big] }))
    expect(tooBig.statusCode).toBe(413)
    expect(tooBig.json().code).toBe(ErrorCodes.PAYLOAD_TOO_LARGE)
  })

  it('answers anything but JSON with 415 before looking at the signature', async () => {
    const raw = JSON.stringify(paid())
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx']) {
      for (const signed of [true, false]) {
        const response = await sendRaw(url, raw, contentType, signed)
        expect(response.statusCode, `${contentType} signed=${signed}`).toBe(415)
        expect(response.json()).toMatchObject({ statusCode: 415, code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE, error: 'Unsupported Media Type' })
      }
    }
    expect(await t.models.ShopEventQueue.exists({ _id: JSON.parse(raw).eventId })).toBeNull()
  })

  it('checks the signature over the exact bytes sent, and refuses a body that is not UTF-8', async () => {
    const event = paid()
    // spaced out and reordered: signed as sent, it is accepted
    const spaced = `{ "type" : "order.paid",\n  "eventId": "${event.eventId}", "occurredAt": "${event.occurredAt}", "data": ${JSON.stringify(event.data, null, 2)} }`
    expect((await settle(await sendRaw(url, spaced, 'application/json; charset=utf-8'))).statusCode).toBe(202)
    // signed over a compact copy but sent spaced out: refused
    const other = paid()
    const timestamp = String(Math.floor(Date.now() / 1000))
    const mismatched = await t.app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(other, null, 2),
      headers: { 'content-type': 'application/json', 'x-shop-timestamp': timestamp, 'x-shop-signature': shopSignature(TEST_SHOP_SECRET, timestamp, JSON.stringify(other)) },
    })
    expect(mismatched.statusCode).toBe(401)
    const latin1 = Buffer.concat([Buffer.from('{"eventId":"caf'), Buffer.from([0xe9]), Buffer.from('"}')])
    const notUtf8 = await sendRaw(url, latin1)
    expect(notUtf8.statusCode).toBe(400)
    expect(notUtf8.json()).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, message: expect.stringContaining('UTF-8') })
  })

  it('refuses a lone surrogate anywhere in the text (the database would store another string), takes a whole pair', async () => {
    const event = paid()
    const lone = await sendRaw(url, JSON.stringify(event).replace(`"${event.eventId}"`, `"${event.eventId}\\ud800"`))
    expect(lone.statusCode).toBe(400)
    expect(lone.json()).toMatchObject({ code: ErrorCodes.VALIDATION_FAILED, message: expect.stringContaining('surrogate') })
    const unknownField = await sendRaw(url, JSON.stringify({ ...paid(), note: 'x' }).replace('"note":"x"', '"note":"\\udc00"'))
    expect(unknownField.statusCode).toBe(400)
    const pair = await settle(await sendRaw(url, JSON.stringify(event).replace(`"${event.eventId}"`, `"${event.eventId}\\ud83d\\ude00"`)))
    expect(pair.statusCode).toBe(202)
    expect(pair.json().eventId).toBe(`${event.eventId}😀`)
  })

  it('one event the database refuses fails alone: the others of its group and batch are recorded', async () => {
    const refused = paid()
    const collection = t.models.ShopEventQueue.collection
    const insertMany = collection.insertMany.bind(collection)
    // the database refusing one document of an unordered insert: the others are written, the error names its index
    const spy = vi.spyOn(collection, 'insertMany').mockImplementation((async (docs: { _id: string }[], options: object) => {
      const index = docs.findIndex((d) => d._id === refused.eventId)
      if (index < 0) return insertMany(docs as never[], options)
      await insertMany(docs.filter((_, i) => i !== index) as never[], options)
      throw Object.assign(new Error('write errors'), { writeErrors: [{ code: 2, index, errmsg: 'the document was refused' }] })
    }) as never)
    try {
      const others = Array.from({ length: 5 }, () => paid())
      const responses = await settle(await Promise.all([...others, refused].map((e) => sendRaw(url, JSON.stringify(e)))))
      expect(responses.slice(0, 5).map((r) => r.statusCode)).toEqual(Array(5).fill(202))
      expect(responses[5]!.statusCode).toBe(500)
      expect(responses[5]!.json()).toEqual({ statusCode: 500, code: ErrorCodes.INTERNAL, error: 'Internal Server Error', message: 'Something went wrong on our side; it has been logged.' })
      const good = [paid(), paid()]
      const batch = await settle(await sendRaw(`${url}/batch`, JSON.stringify({ events: [good[0], refused, good[1]] })))
      expect(batch.json().results).toEqual([
        { eventId: good[0]!.eventId, status: 'accepted' },
        expect.objectContaining({ eventId: refused.eventId, status: 'rejected', code: ErrorCodes.INTERNAL }),
        { eventId: good[1]!.eventId, status: 'accepted' },
      ])
      for (const e of [...others, ...good]) expect((await getSigned(t.app, `${url}/${e.eventId}`)).json().status).toBe('applied')
    } finally {
      spy.mockRestore()
    }
    // sent again once the database takes it
    expect((await settle(await sendRaw(url, JSON.stringify(refused)))).statusCode).toBe(202)
  })

  it('accepts and looks up event ids up to 128 characters, whatever they contain', async () => {
    const ids = ['e'.repeat(101), 'f'.repeat(128), '$where', 'a.b.c', 'with space', '日本語のイベント', 'slash/in/id', 'nul\u0000in id']
    for (const eventId of ids) {
      expect((await settle(await sendRaw(url, JSON.stringify(paid(eventId))))).statusCode, eventId).toBe(202)
      const status = await getSigned(t.app, `${url}/${encodeURIComponent(eventId)}`)
      expect(status.statusCode, eventId).toBe(200)
      expect(status.json()).toEqual({ eventId, status: 'applied' })
    }
  })
})
