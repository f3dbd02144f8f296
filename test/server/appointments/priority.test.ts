import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { appointmentHelpers, at } from './helpers.js'

/**
 * "Higher tiers get priority slots when their benefits say so": a tier whose benefits carry the priority icon (优先预约;
 * S4 钻石会员 and up in the default table) books the places a store keeps for them, and 7 days further ahead. The store
 * here has 2 places per slot, 1 of them kept, and books 3 days ahead.
 */
describe('appointments: priority tiers', () => {
  const t = useTestApp()
  const h = appointmentHelpers(t)
  let regular: { token: string; memberId: string }
  let vip: { token: string; memberId: string }
  const slotAt = async (token: string, date: string, start: string) => (await h.slots(token, 'SH-VIP', date)).json().slots.find((s: { start: string }) => s.start === start)

  beforeAll(async () => {
    await h.store('SH-VIP', { capacity: 2, priorityCapacity: 1, bookingDays: 3 })
    regular = await t.login('prio-regular')
    vip = await t.login('prio-vip')
    const raised = await h.makePriority(vip.memberId)
    expect(raised).toMatchObject({ tierLevel: 4 })
  })

  it('tells who has priority: the tier’s benefits, not its level alone', async () => {
    expect((await h.slots(regular.token, 'SH-VIP', '2026-03-11')).json().priorityMember).toBe(false)
    expect((await h.slots(vip.token, 'SH-VIP', '2026-03-11')).json().priorityMember).toBe(true)
    const tiers = await t.app.tierTable.current()
    expect(tiers.find((x) => x.level === 4)!.benefits!.some((b) => b.icon === 'priority')).toBe(true)
    expect(tiers.find((x) => x.level === 3)!.benefits!.some((b) => b.icon === 'priority')).toBe(false)
  })

  it('gives a regular member the general place only: then the slot is full for them, with a place left for priority tiers', async () => {
    const start = at('2026-03-11', '10:00')
    expect(await slotAt(regular.token, '2026-03-11', start)).toMatchObject({ left: 1, priority: false, full: false })
    await h.booked(regular.token, { store: 'SH-VIP', start })
    const another = await t.login('prio-regular-2')
    expect(await slotAt(another.token, '2026-03-11', start)).toEqual({ start, end: at('2026-03-11', '11:00'), left: 0, priority: true, full: true })
    const refused = await h.book(another.token, { store: 'SH-VIP', start })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe(ErrorCodes.SLOT_FULL)
    expect(refused.json().message).toContain('priority')

    // the priority member sees the kept place and gets it
    expect(await slotAt(vip.token, '2026-03-11', start)).toMatchObject({ left: 1, priority: true, full: false })
    const mine = await h.booked(vip.token, { store: 'SH-VIP', start })
    expect(await h.counter('SH-VIP', start)).toMatchObject({ booked: 1, priorityBooked: 1, priorityHolders: [mine.id] })
    expect(await slotAt(vip.token, '2026-03-11', start)).toMatchObject({ left: 0, priority: false, full: true })
  })

  it('takes a kept place first for a priority member, leaving the general one to everyone', async () => {
    const start = at('2026-03-11', '11:00')
    const vip2 = await t.login('prio-vip-2')
    await h.makePriority(vip2.memberId)
    const mine = await h.booked(vip2.token, { store: 'SH-VIP', start })
    expect(await h.counter('SH-VIP', start)).toMatchObject({ booked: 0, priorityBooked: 1, priorityHolders: [mine.id] })
    const late = await t.login('prio-regular-3')
    expect(await slotAt(late.token, '2026-03-11', start)).toMatchObject({ left: 1, full: false })
    await h.booked(late.token, { store: 'SH-VIP', start })
    // both places gone: full for everyone
    expect(await slotAt(vip.token, '2026-03-11', start)).toMatchObject({ left: 0, full: true })
    const vip3 = await t.login('prio-vip-3')
    await h.makePriority(vip3.memberId)
    const refused = await h.book(vip3.token, { store: 'SH-VIP', start })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe(ErrorCodes.SLOT_FULL)
  })

  it('lets a priority member book 7 days further ahead; others see no slots there and are refused with 400', async () => {
    const far = '2026-03-15' // 5 days ahead: beyond 3, within 3 + 7
    expect((await h.slots(regular.token, 'SH-VIP', far)).json().slots).toEqual([])
    const refused = await h.book(regular.token, { store: 'SH-VIP', start: at(far, '10:00') })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    expect((await h.slots(vip.token, 'SH-VIP', far)).json().slots).toHaveLength(8)
    const vip4 = await t.login('prio-vip-4')
    await h.makePriority(vip4.memberId)
    await h.booked(vip4.token, { store: 'SH-VIP', start: at(far, '10:00') })
    expect((await h.slots(vip.token, 'SH-VIP', '2026-03-20')).json().slots).toHaveLength(8)
    expect((await h.slots(vip.token, 'SH-VIP', '2026-03-21')).json().slots).toEqual([])
  })

  it('gives back a kept place on cancellation to the kept pool', async () => {
    const start = at('2026-03-12', '15:00')
    const vip5 = await t.login('prio-vip-5')
    await h.makePriority(vip5.memberId)
    const mine = await h.booked(vip5.token, { store: 'SH-VIP', start })
    expect(await h.counter('SH-VIP', start)).toMatchObject({ priorityBooked: 1 })
    expect((await h.cancelMine(vip5.token, mine.id)).statusCode).toBe(200)
    expect(await h.counter('SH-VIP', start)).toMatchObject({ booked: 0, priorityBooked: 0, priorityHolders: [] })
    expect(await t.app.appointments.reconcile()).toEqual([])
  })
})
