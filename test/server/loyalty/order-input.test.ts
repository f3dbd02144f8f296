import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { shopSignature } from '../../../server/src/modules/shop/signature.js'
import { getSigned, TEST_SHOP_SECRET, useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

const url = '/api/integrations/shop/events'

/**
 * What a hostile (or careless) shop sends and the loyalty core must not take as it comes: repeated line ids, a
 * member named by no known field, amounts past their maximum, impossible dates and facts in an impossible order.
 */
describe('shop events the loyalty core refuses or records as anomalies', () => {
  const t = useTestApp()
  let memberId: string
  beforeAll(async () => {
    memberId = (await t.login('order-input-member')).memberId
  })

  const PAID_AT = '2026-03-10T10:00:00+08:00' // the test clock's moment
  const member = async () => (await t.models.Member.findById(memberId).lean())!
  /** POSTs exactly `raw` (numbers like 1e308 and 2^60 exist only in the text). */
  const sendRaw = async (raw: string, path = url) => {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const response = await t.app.inject({
      method: 'POST',
      url: path,
      payload: raw,
      headers: { 'content-type': 'application/json', 'x-shop-timestamp': timestamp, 'x-shop-signature': shopSignature(TEST_SHOP_SECRET, timestamp, raw) },
    })
    await t.app.shopEvents.idle()
    return response
  }
  const expect400 = (response: { statusCode: number; json(): { code: string; message: string } }, names: string) => {
    expect(response.statusCode, JSON.stringify(response.json())).toBe(400)
    expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    expect(response.json().message).toContain(names)
  }

  describe('repeated line ids', () => {
    it('refuses an order that repeats a lineId with a 400 naming it, and one that repeats it in a refund', async () => {
      const orderId = shop.orderId()
      const paid = shop.paid(orderId, { memberId }, [{ lineId: 'L1', paidFen: 1_000_000 }, { lineId: 'L2', paidFen: 500 }, { lineId: 'L1', paidFen: 1_000_000 }], PAID_AT)
      expect400(await t.sendEvent(paid), 'data.lines: line ids repeat ("L1")')
      expect(await t.models.Order.exists({ _id: orderId })).toBeNull()

      const ok = shop.paid(orderId, { memberId }, [{ lineId: 'L1', paidFen: 1_000_000 }], PAID_AT)
      expect((await t.sendEvent(ok)).statusCode).toBe(202)
      const refund = shop.refunded(orderId, 'RF', [{ lineId: 'L1', refundFen: 100 }, { lineId: 'L1', refundFen: 100 }], PAID_AT)
      expect400(await t.sendEvent(refund), 'a refund names each line once')
      expect((await member()).points!.pending).toBe(10_000)
    })

    it('answers a batch item that repeats a lineId `rejected`, and takes the others', async () => {
      const good = shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], PAID_AT)
      const bad = shop.paid(shop.orderId(), { memberId }, [{ lineId: '7', paidFen: 100 }, { lineId: '7', paidFen: 100 }], PAID_AT)
      const response = await t.sendBatch([good, bad])
      expect(response.statusCode).toBe(200)
      expect(response.json().results).toEqual([
        { eventId: good.eventId, status: 'accepted' },
        { eventId: bad.eventId, status: 'rejected', code: ErrorCodes.VALIDATION_FAILED, message: expect.stringContaining('line ids repeat ("7")') },
      ])
    })

    it("never lets one order's refund take points another order earned", async () => {
      const before = (await member()).points!.pending
      const victim = shop.orderId()
      await t.sendEvent(shop.paid(victim, { memberId }, [{ lineId: '1', paidFen: 1_000_000 }], PAID_AT))
      const attacker = shop.orderId()
      const twice = shop.paid(attacker, { memberId }, [{ lineId: '1', paidFen: 1_000_000 }, { lineId: '1', paidFen: 1_000_000 }], PAID_AT)
      expect((await t.sendEvent(twice)).statusCode).toBe(400)
      await t.sendEvent(shop.paid(attacker, { memberId }, [{ lineId: '1', paidFen: 1_000_000 }], PAID_AT))
      await t.sendEvent(shop.cancelled(attacker, PAID_AT))
      expect((await member()).points!.pending).toBe(before + 10_000)
      expect((await t.app.reconcile()).differences).toEqual([])
    })
  })

  describe('the member reference', () => {
    it('refuses a member named by no known field (mobile) with a 400, alone or in a batch, and parks nothing', async () => {
      const event = shop.paid(shop.orderId(), { mobile: '13800138000' } as never, [{ lineId: '1', paidFen: 100 }], PAID_AT)
      expect400(await t.sendEvent(event), 'data.member: name the member by memberId, openid, unionid, phone')
      const batch = await t.sendBatch([event])
      expect(batch.json().results[0]).toMatchObject({ status: 'rejected', code: ErrorCodes.VALIDATION_FAILED })
      // a refund naming one is refused the same way
      const refund = { ...shop.refunded(shop.orderId(), 'R', [{ lineId: '1', refundFen: 1 }], PAID_AT) }
      ;(refund.data as Record<string, unknown>).member = { mobile: '1' }
      expect400(await t.sendEvent(refund), 'data.member')
      expect(await t.models.Order.countDocuments({ memberRef: /undefined/ })).toBe(0)
    })
  })

  describe('upper bounds', () => {
    it('refuses amounts past 10^11 fen per line, 1e308 and 2^60 among them', async () => {
      const valid = JSON.stringify(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 12_345 }], PAID_AT))
      for (const amount of ['1e308', String(2 ** 60), '100000000001', '1e400']) {
        expect400(await sendRaw(valid.replace('"paidFen":12345', `"paidFen":${amount}`)), 'data.lines.0.paidFen')
      }
      const refund = JSON.stringify(shop.refunded(shop.orderId(), 'R', [{ lineId: '1', refundFen: 100 }], PAID_AT))
      expect400(await sendRaw(refund.replace('"refundFen":100', `"refundFen":${2 ** 60}`)), 'data.lines.0.refundFen')
    })

    it('keeps points exact at the maximum amount: 10^11 fen earns 10^9 points, and a 1-yuan refund reverses exactly 1', async () => {
      const { memberId: rich } = await t.login('order-input-rich')
      const orderId = shop.orderId()
      await t.sendEvent(shop.paid(orderId, { memberId: rich }, [{ lineId: '1', paidFen: 100_000_000_000 }], PAID_AT))
      expect((await t.models.Member.findById(rich).lean())!.points!.pending).toBe(1_000_000_000)
      await t.sendEvent(shop.refunded(orderId, 'R1', [{ lineId: '1', refundFen: 100 }], PAID_AT))
      expect((await t.models.Member.findById(rich).lean())!.points!.pending).toBe(999_999_999)
    })

    it('refuses a change that would take a balance past Number.MAX_SAFE_INTEGER: the event stays queued, saying why', async () => {
      const { memberId: full } = await t.login('order-input-full')
      const nearly = Number.MAX_SAFE_INTEGER - 10
      // the member's pending points and ledger agree at the brink (as if it got there honestly)
      await t.app.ledger.apply(full, { key: 'test:brink', reason: 'test', at: t.clock.now(), compute: (b) => ({ ...noChange(b), balances: { ...b, pending: nearly }, points: { available: 0, pending: nearly, debt: 0, expired: 0 } }) })
      const event = shop.paid(shop.orderId(), { memberId: full }, [{ lineId: '1', paidFen: 10_000 }], PAID_AT)
      expect((await t.sendEvent(event)).statusCode).toBe(202)
      const status = (await getSigned(t.app, `${url}/${event.eventId}`)).json()
      expect(status).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('past the maximum of 9007199254740991') })
      expect((await t.models.Member.findById(full).lean())!.points!.pending).toBe(nearly)
      await t.models.ShopEventQueue.deleteOne({ _id: event.eventId })
    })
  })

  describe('event times', () => {
    it('refuses impossible dates: 31 February, hour 24, minute 60, offset +25:00', async () => {
      for (const [field, value] of [
        ['paidAt', '2026-02-31T10:00:00+08:00'],
        ['paidAt', '2026-03-09T24:00:00Z'],
        ['paidAt', '2026-03-09T10:60:00Z'],
        ['paidAt', '2026-03-09T10:00:00+25:00'],
        ['occurredAt', '2026-02-29T10:00:00Z'],
      ] as const) {
        const event = shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], PAID_AT) as Record<string, any>
        if (field === 'paidAt') event.data.paidAt = value
        else event.occurredAt = value
        const response = await t.sendEvent(event)
        expect400(response, field === 'paidAt' ? 'data.paidAt' : 'occurredAt')
        // Date.parse would have moved it to another day: refused rather than stored as 3 March
        expect(await t.models.Order.exists({ _id: event.data.orderId }), value).toBeNull()
      }
      // 29 February of a leap year is a date
      const leap = shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], '2024-02-29T10:00:00+08:00')
      expect((await t.sendEvent(leap)).statusCode).toBe(202)
    })

    it('refuses times before 2000 and more than a day ahead of the server clock (year 1, year 9999)', async () => {
      const now = t.clock.now().getTime()
      for (const at of ['0001-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '9999-12-31T00:00:00Z', new Date(now + 86_400_001).toISOString()]) {
        expect400(await t.sendEvent(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], at)), 'occurredAt')
        const delivered = shop.delivered(shop.orderId(), PAID_AT)
        ;(delivered.data as Record<string, unknown>).deliveredAt = at
        expect400(await t.sendEvent(delivered), 'data.deliveredAt')
      }
      // a day ahead (clocks differ) and 2000-01-01 are taken
      expect((await t.sendEvent(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], new Date(now + 86_400_000).toISOString()))).statusCode).toBe(202)
      expect((await t.sendEvent(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 100 }], '2000-01-01T00:00:00Z'))).statusCode).toBe(202)
    })

    it('records a delivery before the payment as an anomaly and counts it delivered at the payment', async () => {
      const orderId = shop.orderId()
      t.clock.set('2026-03-10T02:00:00Z')
      const delivered = shop.delivered(orderId, '2026-03-01T10:00:00+08:00')
      const shipped = shop.shipped(orderId, '2026-02-28T10:00:00+08:00')
      await t.sendEvent(delivered)
      await t.sendEvent(shipped)
      await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], PAID_AT))
      const order = (await t.models.Order.findById(orderId).lean())!
      expect(order.anomalies).toEqual([
        { kind: 'shipped-before-paid', eventId: shipped.eventId, at: new Date('2026-02-28T02:00:00Z'), usedAt: new Date('2026-03-10T02:00:00Z') },
        { kind: 'delivered-before-paid', eventId: delivered.eventId, at: new Date('2026-03-01T02:00:00Z'), usedAt: new Date('2026-03-10T02:00:00Z') },
      ])
      // the return window runs from the payment, not from a delivery before it (which would have closed it already)
      expect(order.confirmAt).toEqual(new Date('2026-03-17T02:00:00Z'))
      const status = (await getSigned(t.app, `${url}/${delivered.eventId}`)).json()
      expect(status).toEqual({
        eventId: delivered.eventId,
        status: 'applied',
        anomalies: [{ kind: 'delivered-before-paid', at: '2026-03-01T02:00:00.000Z', usedAt: '2026-03-10T02:00:00.000Z' }],
      })
      t.clock.set('2026-03-17T01:59:00Z')
      await t.app.jobs.drain()
      expect((await t.models.PointsEntry.countDocuments({ orderId, reason: 'confirm' }))).toBe(0)
    })

    it('records a refund before the payment as an anomaly and dates its reversal at the payment', async () => {
      const orderId = shop.orderId()
      t.clock.set('2026-03-10T02:00:00Z')
      const refund = shop.refunded(orderId, 'R-early', [{ lineId: '1', refundFen: 5_000 }], '2026-03-09T10:00:00+08:00')
      await t.sendEvent(refund)
      await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], PAID_AT))
      const entry = (await t.models.PointsEntry.findOne({ orderId, reason: 'refund' }).lean())!
      expect(entry).toMatchObject({ pending: -50, at: new Date('2026-03-10T02:00:00Z') })
      expect((await getSigned(t.app, `${url}/${refund.eventId}`)).json().anomalies).toEqual([
        { kind: 'refunded-before-paid', at: '2026-03-09T02:00:00.000Z', usedAt: '2026-03-10T02:00:00.000Z' },
      ])
    })
  })
})

/** A change with nothing in it, to build a planted one from. */
function noChange(b: import('@member-center/shared').Balances) {
  return { balances: b, points: { available: 0, pending: 0, debt: 0, expired: 0 }, growth: 0, absorbed: 0, debtRepaid: 0 }
}
