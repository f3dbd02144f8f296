import { ErrorCodes, type StaffTask } from '@member-center/shared'
import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { auditOf, expectError, send, staffToken, type CounterStaff } from './counter-helpers.js'

/**
 * GET /api/staff/tasks and the done marks: a store's day — appointments, members of the store with a birthday this
 * week, shipments with a logistics exception, members who bought in the store and are now at risk — each with a
 * hand-built scenario; done marks per store; the store scoping.
 */
describe('today’s tasks for my store', () => {
  const t = useTestApp()
  let staff: CounterStaff
  let otherStore: CounterStaff
  let manager: CounterStaff
  let admin: CounterStaff
  const NOW = '2026-03-10T02:00:00Z' // 10:00 in Shanghai, a Tuesday

  beforeAll(async () => {
    t.clock.set(NOW)
    staff = await staffToken(t, { role: 'staff', store: 'SH-01' })
    otherStore = await staffToken(t, { role: 'staff', store: 'BJ-01' })
    manager = await staffToken(t, { role: 'manager', store: 'SH-01' })
    admin = await staffToken(t, { role: 'admin' })
  })

  const tasks = async (query = '', who: CounterStaff = staff) => {
    const response = await send(t, 'GET', `/api/staff/tasks${query}`, who.token)
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as { date: string; store: string; items: StaffTask[] }
  }
  const ofKind = async (kind: string, query = '') => (await tasks(query)).items.filter((i) => i.kind === kind)
  /** a member of a store (home store), with a phone and a birthday when given */
  const member = async (user: string, fields: { homeStore?: string; birthday?: string; phone?: string } = {}) => {
    const { memberId, token } = await t.login(user)
    const _id = new Types.ObjectId(memberId)
    if (fields.homeStore) await t.app.members.repo.assignStoreAndAdvisor(_id, { homeStore: fields.homeStore })
    if (fields.birthday) await t.app.members.repo.updateProfile(_id, { birthday: fields.birthday })
    if (fields.phone) await t.app.members.repo.setPhone(_id, fields.phone)
    return { memberId, token, nickname: ((await t.models.Member.findById(memberId).lean()) as unknown as { nickname: string }).nickname }
  }
  const storeSale = (orderId: string, memberId: string, store: string, paidAt: string, fen = 50_000) => {
    const event = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: fen }], paidAt)
    return { ...event, data: { ...event.data, channel: 'store', store } }
  }
  const markDone = (id: string, who: CounterStaff = staff, query = '') => send(t, 'POST', `/api/staff/tasks/${encodeURIComponent(id)}/done${query}`, who.token)
  const undo = (id: string, who: CounterStaff = staff, query = '') => send(t, 'DELETE', `/api/staff/tasks/${encodeURIComponent(id)}/done${query}`, who.token)

  it('answers the store and today’s date (Shanghai) by default', async () => {
    t.clock.set('2026-03-10T17:30:00Z') // 01:30 on the 11th in Shanghai
    expect(await tasks()).toMatchObject({ date: '2026-03-11', store: 'SH-01' })
    t.clock.set(NOW)
    expect(await tasks('?date=2026-04-01')).toMatchObject({ date: '2026-04-01', store: 'SH-01' })
  })

  it('lists members of the store whose birthday falls this week (today and the 6 days after)', async () => {
    const soon = await member('tasks-birthday-soon', { homeStore: 'SH-01', birthday: '03-12', phone: '13800138001' })
    const today = await member('tasks-birthday-today', { homeStore: 'SH-01', birthday: '03-10' })
    await member('tasks-birthday-other-store', { homeStore: 'BJ-01', birthday: '03-11' })
    await member('tasks-birthday-later', { homeStore: 'SH-01', birthday: '03-17' })
    await member('tasks-birthday-passed', { homeStore: 'SH-01', birthday: '03-09' })
    await member('tasks-birthday-no-store', { birthday: '03-11' })

    const items = await ofKind('birthday')
    expect(items).toEqual([
      {
        id: `birthday:2026-03-10:${today.memberId}`,
        kind: 'birthday',
        memberId: today.memberId,
        memberName: today.nickname,
        phone: null,
        title: '3月10日生日（今天）',
        detail: expect.any(String),
        due: '2026-03-09T16:00:00.000Z',
        done: false,
        actions: ['care', 'note'],
      },
      {
        id: `birthday:2026-03-12:${soon.memberId}`,
        kind: 'birthday',
        memberId: soon.memberId,
        memberName: soon.nickname,
        phone: '138****8001',
        title: '3月12日生日（2 天后）',
        detail: expect.any(String),
        due: '2026-03-11T16:00:00.000Z',
        done: false,
        actions: ['call', 'care', 'note'],
      },
    ])
    // the week seen from the 16th reaches the 17th's and no longer the 12th's
    expect((await ofKind('birthday', '?date=2026-03-16')).map((i) => i.title)).toEqual(['3月17日生日（1 天后）'])
  })

  it('celebrates 29 February on the 28th in a common year', async () => {
    const leap = await member('tasks-birthday-leap', { homeStore: 'SH-01', birthday: '02-29' })
    const items = await ofKind('birthday', '?date=2026-02-25')
    expect(items.map((i) => [i.id, i.title])).toEqual([[`birthday:2026-02-28:${leap.memberId}`, '2月28日生日（3 天后）']])
  })

  it('keeps a done mark for the fact (a birthday done on Tuesday is done all week), per store, until undone; audited', async () => {
    const m = await member('tasks-done', { homeStore: 'SH-01', birthday: '03-14' })
    const id = `birthday:2026-03-14:${m.memberId}`
    const done = await markDone(id)
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toEqual({ id, done: true })
    // twice is the same
    expect((await markDone(id, manager)).json()).toEqual({ id, done: true })
    expect((await ofKind('birthday')).find((i) => i.id === id)?.done).toBe(true)
    expect((await ofKind('birthday', '?date=2026-03-12')).find((i) => i.id === id)?.done).toBe(true)
    // another store's list does not share the mark (an admin looking at BJ-01: the member is not theirs anyway)
    expect((await tasks('?store=SH-01', admin)).items.find((i) => i.id === id)?.done).toBe(true)
    const undone = await undo(id)
    expect(undone.json()).toEqual({ id, done: false })
    expect((await ofKind('birthday')).find((i) => i.id === id)?.done).toBe(false)
    expect((await undo(id)).json()).toEqual({ id, done: false })

    const audited = (await auditOf(t, 'staff.task-done', { 'details.taskId': id })).concat(await auditOf(t, 'staff.task-undone', { 'details.taskId': id }))
    expect(audited.map((a) => [a.actor, a.store, a.memberId?.toString()])).toEqual([
      [staff.actor, 'SH-01', m.memberId],
      [manager.actor, 'SH-01', m.memberId],
      [staff.actor, 'SH-01', m.memberId],
      [staff.actor, 'SH-01', m.memberId],
    ])
  })

  it('lists undelivered shipments of the store or its members whose last report is an exception, or that went silent', async () => {
    const ours = await member('tasks-logistics', { homeStore: 'SH-01', phone: '13800138002' })
    const theirs = await member('tasks-logistics-other', { homeStore: 'BJ-01' })
    const send = async (event: unknown) => void (await t.sendAccepted(event))
    const report = (orderId: string, status: string, at: string, description?: string) => ({
      eventId: `evt-${orderId}-${status}-${at}`,
      type: 'order.logistics_update',
      occurredAt: at,
      data: { orderId, status, at, ...(description ? { description } : {}) },
    })
    const shipped = async (orderId: string, memberId: string, shippedAt: string, paid = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-01T10:00:00+08:00')) => {
      await send(paid)
      await send(shop.shipped(orderId, shippedAt))
    }
    // an exception reported yesterday
    const exception = 'SO-EXC-1'
    await shipped(exception, ours.memberId, '2026-03-08T10:00:00+08:00')
    await send(report(exception, 'in_transit', '2026-03-08T20:00:00+08:00'))
    await send(report(exception, 'failed_delivery', '2026-03-09T15:00:00+08:00', '收件人电话无人接听'))
    // silent since it was shipped 5 days ago (72 hours without news: the 8th)
    const silent = 'SO 1/2:3'
    await shipped(silent, ours.memberId, '2026-03-05T09:00:00+08:00')
    // an exception, then news again: no longer an exception
    const recovered = 'SO-REC-1'
    await shipped(recovered, ours.memberId, '2026-03-08T10:00:00+08:00')
    await send(report(recovered, 'exception', '2026-03-08T18:00:00+08:00'))
    await send(report(recovered, 'in_transit', '2026-03-09T09:00:00+08:00'))
    // delivered after its exception
    const delivered = 'SO-DEL-1'
    await shipped(delivered, ours.memberId, '2026-03-07T10:00:00+08:00')
    await send(report(delivered, 'exception', '2026-03-08T10:00:00+08:00'))
    await send(shop.delivered(delivered, '2026-03-09T10:00:00+08:00'))
    // shipped last night: not silent yet
    await shipped('SO-NEW-1', ours.memberId, '2026-03-09T20:00:00+08:00')
    // another store's member
    await shipped('SO-BJ-1', theirs.memberId, '2026-03-08T10:00:00+08:00')
    await send(report('SO-BJ-1', 'lost', '2026-03-09T10:00:00+08:00'))
    // but a sale of this store shipped to another store's member is this store's
    const ourSale = 'SO-SH-SALE'
    await shipped(ourSale, theirs.memberId, '2026-03-08T10:00:00+08:00', storeSale(ourSale, theirs.memberId, 'SH-01', '2026-03-07T10:00:00+08:00'))
    await send(report(ourSale, 'returned', '2026-03-09T11:00:00+08:00'))

    const items = await ofKind('logistics_exception')
    expect(items.map((i) => [i.id, i.memberId, i.title])).toEqual(
      expect.arrayContaining([
        [`logistics_exception:2026-03-09:${exception}`, ours.memberId, `派送失败：订单 ${exception}`],
        [expect.stringMatching(/^logistics_exception:2026-03-08:~[\w-]{22}$/), ours.memberId, `物流停滞：订单 ${silent}`],
        [`logistics_exception:2026-03-09:${ourSale}`, theirs.memberId, `包裹退回：订单 ${ourSale}`],
      ]),
    )
    expect(items).toHaveLength(3)
    const failed = items.find((i) => i.id.endsWith(exception))!
    expect(failed).toMatchObject({ phone: '138****8002', due: null, actions: ['call', 'care', 'note'], done: false })
    expect(failed.detail).toContain('收件人电话无人接听')
    // BJ-01 sees its member's lost parcel, not ours
    const bj = (await tasks('', otherStore)).items.filter((i) => i.kind === 'logistics_exception').map((i) => i.id)
    expect(bj).toContain('logistics_exception:2026-03-09:SO-BJ-1')
    expect(bj).not.toContain(`logistics_exception:2026-03-09:${exception}`)

    // an id with a hashed ref is marked done like any other
    const hashed = items.find((i) => i.title.includes(silent))!.id
    expect((await markDone(hashed)).json()).toEqual({ id: hashed, done: true })
    expect((await ofKind('logistics_exception')).find((i) => i.id === hashed)?.done).toBe(true)
    // an order that is not known: 404
    expectError(await markDone('logistics_exception:2026-03-09:SO-NEVER'), 404, ErrorCodes.NOT_FOUND)
  })

  it('lists members who bought in the store and whose last purchase was 45–90 days ago', async () => {
    const send = async (event: unknown) => void (await t.sendAccepted(event))
    const atRisk = await member('tasks-risk-yes', { phone: '13800138003' })
    await send(storeSale(shop.orderId(), atRisk.memberId, 'SH-01', '2026-01-09T15:00:00+08:00', 123_400))
    const edge = await member('tasks-risk-edge-90')
    await send(storeSale(shop.orderId(), edge.memberId, 'SH-01', '2025-12-10T23:00:00+08:00'))
    const recent = await member('tasks-risk-recent')
    await send(storeSale(shop.orderId(), recent.memberId, 'SH-01', '2026-02-08T10:00:00+08:00'))
    const lapsed = await member('tasks-risk-lapsed')
    await send(storeSale(shop.orderId(), lapsed.memberId, 'SH-01', '2025-12-09T10:00:00+08:00'))
    const cameBack = await member('tasks-risk-came-back')
    await send(storeSale(shop.orderId(), cameBack.memberId, 'SH-01', '2026-01-20T10:00:00+08:00'))
    await send(shop.paid(shop.orderId(), { memberId: cameBack.memberId }, [{ lineId: '1', paidFen: 9_900 }], '2026-03-01T10:00:00+08:00'))
    const elsewhere = await member('tasks-risk-elsewhere')
    await send(storeSale(shop.orderId(), elsewhere.memberId, 'BJ-01', '2026-01-09T10:00:00+08:00'))
    const refunded = await member('tasks-risk-refunded')
    const refundedOrder = shop.orderId()
    await send(storeSale(refundedOrder, refunded.memberId, 'SH-01', '2026-01-09T10:00:00+08:00'))
    await send(shop.refunded(refundedOrder, 'RF-1', [{ lineId: '1', refundFen: 50_000 }], '2026-01-10T10:00:00+08:00'))
    await t.app.jobs.drain()

    const items = await ofKind('at_risk')
    expect(items.map((i) => i.memberId).sort()).toEqual([atRisk.memberId, edge.memberId].sort())
    expect(items.find((i) => i.memberId === atRisk.memberId)).toEqual({
      id: `at_risk:2026-01-09:${atRisk.memberId}`,
      kind: 'at_risk',
      memberId: atRisk.memberId,
      memberName: atRisk.nickname,
      phone: '138****8003',
      title: '60 天未购买',
      detail: '上次购买 2026-01-09 · 累计 1 天 ¥1,234',
      due: '2026-04-09T16:00:00.000Z',
      done: false,
      actions: ['call', 'care', 'note'],
    })
    expect(items.find((i) => i.memberId === edge.memberId)?.title).toBe('90 天未购买')
    expect((await tasks('', otherStore)).items.filter((i) => i.kind === 'at_risk').map((i) => i.memberId)).toEqual([elsewhere.memberId])
    // done until the member buys again (a new last purchase is a new task)
    const id = `at_risk:2026-01-09:${atRisk.memberId}`
    expect((await markDone(id)).statusCode).toBe(200)
    expect((await ofKind('at_risk', '?date=2026-03-20')).find((i) => i.memberId === atRisk.memberId)?.done).toBe(true)
  })

  it('lists the store’s appointments of the day from the appointments module (not cancelled ones), first', async () => {
    const guest = await member('tasks-appointment', { phone: '13800138004' })
    const service = t.app.appointments as unknown as { forStoreOn: (store: string, date: string) => Promise<unknown[]> }
    const original = service.forStoreOn
    const asked: [string, string][] = []
    service.forStoreOn = async (store: string, date: string) => {
      asked.push([store, date])
      if (store !== 'SH-01' || date !== '2026-03-10') return []
      return [
        { id: 'a1b2c3d4e5f6a1b2c3d4e5f6', memberId: guest.memberId, memberName: '预约的会员', start: new Date('2026-03-10T06:00:00Z'), purpose: 'resizing', status: 'confirmed' },
        { id: 'a1b2c3d4e5f6a1b2c3d4e5f7', memberId: guest.memberId, memberName: '预约的会员', start: new Date('2026-03-10T03:00:00Z'), purpose: 'cleaning', status: 'requested' },
        { id: 'a1b2c3d4e5f6a1b2c3d4e5f8', memberId: guest.memberId, memberName: '预约的会员', start: new Date('2026-03-10T08:00:00Z'), purpose: 'viewing', status: 'cancelled' },
      ]
    }
    try {
      const list = await tasks()
      expect(asked).toContainEqual(['SH-01', '2026-03-10'])
      const appointments = list.items.filter((i) => i.kind === 'appointment')
      expect(appointments).toEqual([
        {
          id: 'appointment:2026-03-10:a1b2c3d4e5f6a1b2c3d4e5f7',
          kind: 'appointment',
          memberId: guest.memberId,
          memberName: '预约的会员',
          phone: '138****8004',
          title: '11:00 到店预约：清洗保养',
          detail: '待确认',
          due: '2026-03-10T03:00:00.000Z',
          done: false,
          actions: ['call', 'care', 'note'],
        },
        expect.objectContaining({ id: 'appointment:2026-03-10:a1b2c3d4e5f6a1b2c3d4e5f6', title: '14:00 到店预约：改圈', detail: '已确认' }),
      ])
      // appointments come first
      expect(list.items[0]!.kind).toBe('appointment')
      expect((await markDone('appointment:2026-03-10:a1b2c3d4e5f6a1b2c3d4e5f6')).json()).toEqual({ id: 'appointment:2026-03-10:a1b2c3d4e5f6a1b2c3d4e5f6', done: true })
      expect((await tasks()).items.find((i) => i.id === 'appointment:2026-03-10:a1b2c3d4e5f6a1b2c3d4e5f6')?.done).toBe(true)
    } finally {
      service.forStoreOn = original
    }
  })

  it('leaves out a source that fails, and shows the others', async () => {
    await member('tasks-failing-source', { homeStore: 'SH-01', birthday: '03-11' })
    const service = t.app.appointments as unknown as { forStoreOn: (store: string, date: string) => Promise<unknown[]> }
    const original = service.forStoreOn
    service.forStoreOn = async () => {
      throw new Error('appointments are down')
    }
    try {
      const list = await tasks()
      expect(list.items.some((i) => i.kind === 'birthday')).toBe(true)
      expect(list.items.some((i) => i.kind === 'appointment')).toBe(false)
    } finally {
      service.forStoreOn = original
    }
  })

  it('is per store: another store’s staff are refused (403), managers see theirs, admins name the store (400 without)', async () => {
    expectError(await send(t, 'GET', '/api/staff/tasks?store=SH-01', otherStore.token), 403, ErrorCodes.FORBIDDEN)
    expect((await tasks('?store=BJ-01', otherStore)).store).toBe('BJ-01')
    expect((await tasks('', manager)).store).toBe('SH-01')
    expectError(await send(t, 'GET', '/api/staff/tasks', admin.token), 400, ErrorCodes.VALIDATION_FAILED)
    expectError(await send(t, 'GET', '/api/staff/tasks', t.adminToken()), 400, ErrorCodes.VALIDATION_FAILED)
    const byAdmin = await tasks('?store=SH-01', admin)
    expect(byAdmin.items.map((i) => i.id)).toEqual((await tasks()).items.map((i) => i.id))
    const m = await member('tasks-scope', { homeStore: 'SH-01', birthday: '03-13' })
    const id = `birthday:2026-03-13:${m.memberId}`
    expectError(await markDone(id, otherStore, '?store=SH-01'), 403, ErrorCodes.FORBIDDEN)
    expectError(await undo(id, otherStore, '?store=SH-01'), 403, ErrorCodes.FORBIDDEN)
    expectError(await markDone(id, admin), 400, ErrorCodes.VALIDATION_FAILED)
    expect((await markDone(id, admin, '?store=SH-01')).json()).toEqual({ id, done: true })
    expect((await ofKind('birthday')).find((i) => i.id === id)?.done).toBe(true)
    // BJ-01's own mark of the same id is its own
    expect((await markDone(id, otherStore)).statusCode).toBe(200)
    expect((await undo(id, otherStore)).statusCode).toBe(200)
    expect((await ofKind('birthday')).find((i) => i.id === id)?.done).toBe(true)
  })

  it('refuses bad dates, stores and task ids (400), unknown members (404), and callers without a staff token', async () => {
    for (const query of ['?date=2026-02-30', '?date=2026-3-1', '?date=today', '?date[$gt]=', '?store=sh-01', '?store=SH_01', '?store=', '?foo=1']) {
      expectError(await send(t, 'GET', `/api/staff/tasks${query}`, staff.token), 400, ErrorCodes.VALIDATION_FAILED)
    }
    const memberId = (await t.login('tasks-bad')).memberId
    for (const id of [
      `birthday:2026-03-12`,
      `party:2026-03-12:${memberId}`,
      `birthday:2026-02-30:${memberId}`,
      `birthday:2026-03-12:${memberId}:x`,
      `birthday:2026-03-12:a b`,
      `birthday:2026-03-12:${'a'.repeat(65)}`,
      `birthday:2026-03-12:$where`,
      'x',
    ]) {
      expectError(await markDone(id), 400, ErrorCodes.VALIDATION_FAILED)
    }
    expectError(await send(t, 'POST', `/api/staff/tasks/${'a'.repeat(120)}/done`, staff.token), 414, ErrorCodes.URI_TOO_LONG)
    expectError(await markDone('birthday:2026-03-12:0123456789abcdef01234567'), 404, ErrorCodes.NOT_FOUND)
    expectError(await markDone('at_risk:2026-03-12:0123456789abcdef01234567'), 404, ErrorCodes.NOT_FOUND)
    expectError(await markDone('birthday:2026-03-12:not-a-member-id'), 404, ErrorCodes.NOT_FOUND)
    expectError(await send(t, 'GET', '/api/staff/tasks'), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await send(t, 'GET', '/api/staff/tasks', (await t.login('tasks-member')).token), 403, ErrorCodes.FORBIDDEN)
    expectError(await send(t, 'POST', `/api/staff/tasks/birthday:2026-03-12:${memberId}/done`), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await send(t, 'DELETE', `/api/staff/tasks/birthday:2026-03-12:${memberId}/done`, (await t.login('tasks-member')).token), 403, ErrorCodes.FORBIDDEN)
  })
})
