import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { appointmentHelpers, baseStore, staffToken } from './helpers.js'

/** The brand's stores: operators create and replace them (audited), anyone lists the open ones. */
describe('stores', () => {
  const t = useTestApp()
  const h = appointmentHelpers(t)

  describe('PUT /api/admin/stores/:code', () => {
    it('creates a store, then replaces it whole; both audited with the store before and after', async () => {
      const created = await h.putStore('SH-IFC', baseStore())
      expect(created.statusCode, created.body).toBe(200)
      expect(created.json()).toEqual({ code: 'SH-IFC', ...baseStore() })

      const replaced = await h.putStore('SH-IFC', { ...baseStore({ capacity: 5, priorityCapacity: 2, status: 'closed' }), code: 'SH-IFC' })
      expect(replaced.statusCode, replaced.body).toBe(200)
      expect(replaced.json()).toMatchObject({ code: 'SH-IFC', capacity: 5, priorityCapacity: 2, status: 'closed' })

      const [create] = await h.audits('store.create')
      expect(create).toMatchObject({ actor: 'ops@brand.test', actorName: 'ops@brand.test', role: 'admin', store: 'SH-IFC', details: { code: 'SH-IFC', before: null, after: { capacity: 3 } } })
      const [replace] = await h.audits('store.replace')
      expect(replace).toMatchObject({ details: { before: { capacity: 3, status: 'open' }, after: { capacity: 5, status: 'closed' } } })
    })

    it('answers 400 for codes that are not store codes: lower case, separators, $, too long, too short', async () => {
      for (const code of ['sh-ifc', 'SH%7CIFC', 'SH|IFC', '%24where', 'SH$1', 'A', '-SH', 'SH.IFC', 'X'.repeat(17), 'SH%20IFC']) {
        const response = await h.putStore(code, baseStore())
        expect(response.statusCode, `${code}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      expect((await t.app.stores.list()).map((s) => s.code)).toEqual(['SH-IFC'])
    })

    it('answers 400 for hours that close before they open, leave no room for a slot, or are not HH:MM', async () => {
      for (const hours of [
        { open: '18:00', close: '10:00' },
        { open: '10:00', close: '10:00' },
        { open: '10:00', close: '10:30' },
        { open: '24:00', close: '25:00' },
        { open: '9:00', close: '18:00' },
        { open: '10:00', close: '18:00', break: '12:00' },
      ]) {
        const response = await h.putStore('BJ-SKP', { ...baseStore(), hours })
        expect(response.statusCode, `${JSON.stringify(hours)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      expect(await t.app.stores.exists('BJ-SKP')).toBe(false)
    })

    it('answers 400 for places out of range: priorityCapacity above capacity, capacity 0 or 21, slots of 45 minutes, 61 days', async () => {
      for (const changes of [{ priorityCapacity: 4 }, { capacity: 0 }, { capacity: 21 }, { slotMinutes: 45 }, { bookingDays: 61 }, { bookingDays: 0 }, { capacity: 2.5 }]) {
        const response = await h.putStore('BJ-SKP', { ...baseStore(), ...changes })
        expect(response.statusCode, `${JSON.stringify(changes)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
    })

    it('answers 400 for $ keys, unknown properties, unknown or repeated purposes, a body code that is not the path’s', async () => {
      for (const body of [
        { ...baseStore(), $set: { capacity: 20 } },
        { ...baseStore(), hours: { open: '10:00', close: '18:00', $where: '1' } },
        { ...baseStore(), manager: 'x' },
        { ...baseStore(), purposes: ['cleaning', 'cleaning'] },
        { ...baseStore(), purposes: ['engraving'] },
        { ...baseStore(), purposes: [] },
        { ...baseStore(), code: 'SH-OTHER' },
        { ...baseStore(), status: 'paused' },
        { ...baseStore(), name: '' },
        { ...baseStore(), name: '店'.repeat(41) },
        { ...baseStore(), phone: 'call me' },
      ]) {
        const response = await h.putStore('BJ-SKP', body)
        expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      expect(await t.app.stores.exists('BJ-SKP')).toBe(false)
    })

    it('answers 401 without a token, 403 for a member, staff or manager token', async () => {
      const none = await t.app.inject({ method: 'PUT', url: '/api/admin/stores/BJ-SKP', payload: baseStore() })
      expect(none.statusCode).toBe(401)
      expect(none.json().code).toBe(ErrorCodes.UNAUTHORIZED)
      const member = await t.login('store-member')
      for (const token of [member.token, staffToken(t, { role: 'staff', store: 'BJ-SKP' }), staffToken(t, { role: 'manager', store: 'BJ-SKP' })]) {
        const response = await h.putStore('BJ-SKP', baseStore(), token)
        expect(response.statusCode).toBe(403)
        expect(response.json().code).toBe(ErrorCodes.FORBIDDEN)
      }
      expect(await t.app.stores.exists('BJ-SKP')).toBe(false)
    })
  })

  describe('GET /api/stores and /api/admin/stores', () => {
    it('lists the open stores to anyone, every store to an admin', async () => {
      await h.store('SH-IFC', { status: 'closed' })
      await h.store('GZ-TH', { name: '广州天河店' })
      const open = await t.app.inject({ method: 'GET', url: '/api/stores' })
      expect(open.statusCode).toBe(200)
      expect(open.json().items.map((s: { code: string }) => s.code)).toEqual(['GZ-TH'])
      expect(open.json().items[0]).toEqual({ code: 'GZ-TH', ...baseStore({ name: '广州天河店' }) })

      const all = await t.app.inject({ method: 'GET', url: '/api/admin/stores', headers: h.admin() })
      expect(all.statusCode).toBe(200)
      expect(all.json().items.map((s: { code: string }) => s.code)).toEqual(['GZ-TH', 'SH-IFC'])
    })

    it('answers 401 and 403 on the admin list', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/admin/stores' })).statusCode).toBe(401)
      const staff = await t.app.inject({ method: 'GET', url: '/api/admin/stores', headers: h.bearer(staffToken(t, { role: 'manager', store: 'GZ-TH' })) })
      expect(staff.statusCode).toBe(403)
    })

    it('answers other modules through app.stores: get and exists', async () => {
      expect(await t.app.stores.get('GZ-TH')).toMatchObject({ code: 'GZ-TH', name: '广州天河店' })
      expect(await t.app.stores.get('NOPE')).toBeNull()
      expect(await t.app.stores.exists('GZ-TH')).toBe(true)
      expect(await t.app.stores.exists('NOPE')).toBe(false)
    })
  })
})
