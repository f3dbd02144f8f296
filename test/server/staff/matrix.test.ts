import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { staffHelpers, type TestStaff } from './helpers.js'

/**
 * The route × role matrix (issue 12): every route under /api/staff/ and /api/admin/ the app serves (read from its
 * OpenAPI document: a route without a row fails the first test), called by each of seven callers, and the status
 * each must get. A row says who may call the route and whether its data is a store's; the expected status of every
 * caller follows from that (see `expectedStatus`), with exceptions written out in the row.
 *
 * Adding a route is one line:
 *   'GET /api/staff/things/{id}': { who: 'staff', store: true, request: (f) => at(`/api/staff/things/${f.thingId}`) },
 * `request` is called once per caller, so a route that uses something up (a coupon, an invitation) makes a fresh one.
 */

/** The seven callers. The store is SH-01 (`f.store`); "otherStore" is a staff member of BJ-01. */
const CALLERS = ['anonymous', 'member', 'staff', 'otherStore', 'manager', 'admin', 'deactivated'] as const
type Caller = (typeof CALLERS)[number]

interface Fixture {
  /** the store the rows' data belongs to, and another */
  store: string
  otherStore: string
  /** a shopper (a member who logged in) */
  memberId: string
  /** a shopper who bound a phone number (the one staff call) */
  phoneMemberId: string
  templateId: string
  /** a coupon of the shopper to look at */
  couponCode: string
  mallItemId: string
  /** a staff record the admin routes change (no caller's) */
  targetStaffId: string
  /** the record of the caller "staff" (of the store) */
  staffId: string
  /** the shopper's member code now (what their card shows) */
  memberCode(): string
  /** a number used once (request ids) */
  n(): number
  /** a fresh usable coupon of the shopper */
  coupon(): Promise<string>
  /** a fresh gift redemption of the shopper, to cancel */
  redemption(): Promise<string>
  /** a fresh invitation code of a new record */
  invitation(): Promise<string>
  /** a fresh saved segment (every member) */
  segment(): Promise<string>
  /** a fresh outreach draft to the fixture's segment */
  outreach(): Promise<string>
  /** a member on the suppression list, to take off */
  suppressed(): Promise<string>
  /** an instant a month after the app's clock (an outreach's start) */
  soon(): string
}

interface Request {
  url: string
  body?: unknown
}

interface Row {
  /**
   * who may call it: member (a member token only — staff tokens are not member tokens: 401), staff (staff, managers
   * and admins), manager (managers and admins), admin
   */
  who: 'member' | 'staff' | 'manager' | 'admin'
  /** the route's data is a store's (the fixture's store): staff and managers of another store are refused (403) */
  store?: boolean
  /** the request for one caller (the method is the key's) */
  request: (f: Fixture, caller: Caller) => Request | Promise<Request>
  /** what an allowed caller gets (default 200) */
  ok?: number
  /** exceptions to the rule, per caller */
  expect?: Partial<Record<Caller, number>>
}

const at = (url: string, body?: unknown): Request => ({ url, body })
const GHOST = '0123456789abcdef01234567'
/** a store as PUT /api/admin/stores/{code} takes it */
const storeBody = (name: string) => ({
  name,
  address: '上海市浦东新区世纪大道 8 号',
  phone: '021-5012 3456',
  hours: { open: '10:00', close: '22:00' },
  slotMinutes: 60,
  capacity: 4,
  priorityCapacity: 1,
  bookingDays: 14,
  purposes: ['cleaning', 'resizing'],
  status: 'open',
})

const ROUTES: Record<string, Row> = {
  // ── staff: identity and the audit log ──
  'POST /api/staff/activate': { who: 'member', request: async (f) => at('/api/staff/activate', { inviteCode: await f.invitation() }) },
  'GET /api/staff/me': { who: 'staff', request: () => at('/api/staff/me') },
  'GET /api/staff/audit': { who: 'manager', store: true, request: (f) => at(`/api/staff/audit?store=${f.store}`) },
  // ── staff at the counter: a member's coupon, care message, birthday (members shop in any store: not a store's data) ──
  'GET /api/staff/coupons/{code}': { who: 'staff', request: (f) => at(`/api/staff/coupons/${f.couponCode}`) },
  'POST /api/staff/coupons/{code}/use': { who: 'staff', request: async (f) => at(`/api/staff/coupons/${await f.coupon()}/use`, { memberId: f.memberId, store: f.store }) },
  'POST /api/staff/care-messages': {
    who: 'staff',
    ok: 201,
    request: (f) => at('/api/staff/care-messages', { memberId: f.memberId, kind: 'staff_care', fields: { content: '您的戒指已保养完毕' }, requestId: `matrix-care-${f.n()}` }),
  },
  'PUT /api/staff/members/{memberId}/birthday': { who: 'staff', request: (f) => at(`/api/staff/members/${f.memberId}/birthday`, { birthday: '05-20', year: 1990, reason: '会员出示证件，更正生日' }) },
  // ── staff at the counter (staff/counter): look-up, the glance, notes, clienteling, advisors, sales, care preview, tasks ──
  'GET /api/staff/members/lookup': { who: 'staff', request: (f) => at(`/api/staff/members/lookup?code=${encodeURIComponent(f.memberCode())}`) },
  'GET /api/staff/members/{memberId}': { who: 'staff', request: (f) => at(`/api/staff/members/${f.memberId}`) },
  'POST /api/staff/members/{memberId}/notes': { who: 'staff', ok: 201, request: (f) => at(`/api/staff/members/${f.memberId}/notes`, { text: `偏好玫瑰金 ${f.n()}` }) },
  'PUT /api/staff/members/{memberId}/clienteling': { who: 'staff', request: (f) => at(`/api/staff/members/${f.memberId}/clienteling`, { ringSize: '12' }) },
  'PUT /api/staff/members/{memberId}/advisor': { who: 'manager', request: (f) => at(`/api/staff/members/${f.memberId}/advisor`, { advisorId: f.staffId }) },
  'POST /api/staff/members/{memberId}/phone-reveals': { who: 'staff', request: (f) => at(`/api/staff/members/${f.phoneMemberId}/phone-reveals`, {}) },
  'GET /api/staff/colleagues': { who: 'manager', store: true, request: (f) => at(`/api/staff/colleagues?store=${f.store}`) },
  'GET /api/staff/customers': { who: 'staff', request: () => at('/api/staff/customers') },
  'POST /api/staff/purchases': {
    who: 'staff',
    store: true,
    ok: 201,
    request: (f) => at('/api/staff/purchases', { memberId: f.memberId, receiptNo: `R-${f.n()}`, store: f.store, lines: [{ sku: 'RING-1', name: '素圈戒指', quantity: 1, paidFen: 10_000 }] }),
  },
  'POST /api/staff/care-messages/preview': { who: 'staff', request: (f) => at('/api/staff/care-messages/preview', { memberId: f.memberId, kind: 'staff_care', fields: { content: '您的戒指已保养完毕' } }) },
  'GET /api/staff/tasks': { who: 'staff', store: true, request: (f) => at(`/api/staff/tasks?store=${f.store}`) },
  'POST /api/staff/tasks/{id}/done': { who: 'staff', store: true, request: (f) => at(`/api/staff/tasks/birthday:2026-03-12:${f.memberId}/done?store=${f.store}`) },
  'DELETE /api/staff/tasks/{id}/done': { who: 'staff', store: true, request: (f) => at(`/api/staff/tasks/birthday:2026-03-12:${f.memberId}/done?store=${f.store}`) },
  // ── staff: appointments (a store's). Placeholders until the appointments tests give the matrix a real appointment of
  // SH-01: an unknown one is a 404 for everyone allowed past the role check; with a real one, ok 200 and otherStore 404 ──
  'GET /api/staff/appointments': { who: 'staff', store: true, request: (f) => at(`/api/staff/appointments?store=${f.store}`) },
  'POST /api/staff/appointments/{id}/confirm': { who: 'staff', store: true, ok: 404, request: () => at(`/api/staff/appointments/${GHOST}/confirm`, {}), expect: { otherStore: 404 } },
  'POST /api/staff/appointments/{id}/reschedule': {
    who: 'staff',
    store: true,
    ok: 404,
    request: () => at(`/api/staff/appointments/${GHOST}/reschedule`, { start: '2026-03-12T10:00:00+08:00' }),
    expect: { otherStore: 404 },
  },
  'POST /api/staff/appointments/{id}/cancel': { who: 'staff', store: true, ok: 404, request: () => at(`/api/staff/appointments/${GHOST}/cancel`, { reason: '门店临时闭店' }), expect: { otherStore: 404 } },
  'POST /api/staff/appointments/{id}/complete': { who: 'staff', store: true, ok: 404, request: () => at(`/api/staff/appointments/${GHOST}/complete`, {}), expect: { otherStore: 404 } },
  'POST /api/staff/appointments/{id}/no-show': { who: 'staff', store: true, ok: 404, request: () => at(`/api/staff/appointments/${GHOST}/no-show`, {}), expect: { otherStore: 404 } },

  // ── admin: staff records ──
  // ── photo reviews: moderation is for managers (reviews are the brand's, not a store's); the follow-up log is a store's.
  // An unknown review or follow-up is a 404 for everyone allowed past the role check ──
  'GET /api/staff/reviews': { who: 'manager', request: () => at('/api/staff/reviews') },
  'GET /api/staff/reviews/{id}': { who: 'manager', ok: 404, request: () => at(`/api/staff/reviews/${GHOST}`) },
  'POST /api/staff/reviews/{id}/approve': { who: 'manager', ok: 404, request: () => at(`/api/staff/reviews/${GHOST}/approve`, {}) },
  'POST /api/staff/reviews/{id}/reject': { who: 'manager', ok: 404, request: () => at(`/api/staff/reviews/${GHOST}/reject`, { reason: 'abuse' }) },
  'POST /api/staff/reviews/{id}/removal': { who: 'manager', ok: 404, request: () => at(`/api/staff/reviews/${GHOST}/removal`, { reason: 'privacy' }) },
  'PUT /api/staff/reviews/{id}/reply': { who: 'manager', ok: 404, request: () => at(`/api/staff/reviews/${GHOST}/reply`, { text: '感谢分享' }) },
  'GET /api/staff/review-follow-ups': { who: 'staff', store: true, request: (f) => at(`/api/staff/review-follow-ups?store=${f.store}`) },
  'GET /api/staff/review-follow-ups/report': { who: 'staff', store: true, request: (f) => at(`/api/staff/review-follow-ups/report?month=2026-03&store=${f.store}`) },
  'PATCH /api/staff/review-follow-ups/{id}': { who: 'staff', ok: 404, request: () => at(`/api/staff/review-follow-ups/${GHOST}`, { status: 'contacted' }) },
  'POST /api/staff/review-follow-ups/{id}': { who: 'staff', ok: 404, request: () => at(`/api/staff/review-follow-ups/${GHOST}`, { status: 'contacted' }) },
  'POST /api/admin/review-campaigns': {
    who: 'admin',
    ok: 201,
    request: (f) =>
      at('/api/admin/review-campaigns', {
        name: `晒单 ${f.n()}`,
        products: { skus: [], categories: ['ring'] },
        purchaseWindow: { from: '2026-01-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' },
        reward: { points: 100 },
        budget: 10,
        endsAt: '2026-06-01T00:00:00+08:00',
      }),
  },
  'GET /api/admin/review-campaigns': { who: 'admin', request: () => at('/api/admin/review-campaigns') },
  'GET /api/admin/review-campaigns/{id}': { who: 'admin', ok: 404, request: () => at(`/api/admin/review-campaigns/${GHOST}`) },
  'POST /api/admin/review-campaigns/{id}/end': { who: 'admin', ok: 404, request: () => at(`/api/admin/review-campaigns/${GHOST}/end`, {}) },
  'POST /api/admin/staff': { who: 'admin', ok: 201, request: (f) => at('/api/admin/staff', { name: `新人 ${f.n()}`, role: 'staff', store: f.store }) },
  'GET /api/admin/staff': { who: 'admin', request: () => at('/api/admin/staff') },
  'PATCH /api/admin/staff/{id}': { who: 'admin', request: (f) => at(`/api/admin/staff/${f.targetStaffId}`, { name: `改名 ${f.n()}` }) },
  'POST /api/admin/staff/{id}/invitations': { who: 'admin', ok: 201, request: (f) => at(`/api/admin/staff/${f.targetStaffId}/invitations`) },
  // ── admin: stores (appointments) ──
  'GET /api/admin/stores': { who: 'admin', request: () => at('/api/admin/stores') },
  'PUT /api/admin/stores/{code}': { who: 'admin', request: (f) => at(`/api/admin/stores/${f.store}`, storeBody('上海国金中心店')) },
  // ── admin: loyalty ──
  'POST /api/admin/members/{memberId}/adjustments': {
    who: 'admin',
    request: (f) => at(`/api/admin/members/${f.memberId}/adjustments`, { kind: 'points', delta: 5, reason: 'matrix', requestId: `matrix-adjust-${f.n()}` }),
  },
  'GET /api/admin/event-consumers': { who: 'admin', request: () => at('/api/admin/event-consumers') },
  'GET /api/admin/loyalty-policy': { who: 'admin', request: () => at('/api/admin/loyalty-policy') },
  'PATCH /api/admin/loyalty-policy': { who: 'admin', request: () => at('/api/admin/loyalty-policy', { pointsPerYuan: 1 }) },
  'PUT /api/admin/tiers': {
    who: 'admin',
    request: () => at('/api/admin/tiers', { tiers: [{ code: 'S1', name: '银卡会员', threshold: 0, pointsMultiplier: 1, benefits: [{ title: '免费清洗保养', description: '随到随洗', icon: 'cleaning' }] }] }),
  },
  // ── admin: coupons ──
  'POST /api/admin/coupon-templates': {
    who: 'admin',
    ok: 201,
    request: () => at('/api/admin/coupon-templates', { name: '满 2000 减 200', kind: 'amount', amountFen: 20_000, thresholdFen: 200_000, validity: { days: 30 } }),
  },
  'GET /api/admin/coupon-templates': { who: 'admin', request: () => at('/api/admin/coupon-templates') },
  'GET /api/admin/coupon-templates/{id}': { who: 'admin', request: (f) => at(`/api/admin/coupon-templates/${f.templateId}`) },
  'PATCH /api/admin/coupon-templates/{id}': { who: 'admin', request: (f) => at(`/api/admin/coupon-templates/${f.templateId}`, { notes: `不与其他优惠同享 ${f.n()}` }) },
  'POST /api/admin/coupon-templates/{id}/issue': {
    who: 'admin',
    ok: 201,
    request: (f) => at(`/api/admin/coupon-templates/${f.templateId}/issue`, { memberId: f.memberId, requestId: `matrix-issue-${f.n()}` }),
  },
  // ── admin: the mall ──
  'POST /api/admin/mall/items': { who: 'admin', ok: 201, request: () => at('/api/admin/mall/items', { kind: 'gift', name: '丝巾', pointsPrice: 100, stock: 10 }) },
  'GET /api/admin/mall/items': { who: 'admin', request: () => at('/api/admin/mall/items') },
  'GET /api/admin/mall/items/{id}': { who: 'admin', request: (f) => at(`/api/admin/mall/items/${f.mallItemId}`) },
  'PATCH /api/admin/mall/items/{id}': { who: 'admin', request: (f) => at(`/api/admin/mall/items/${f.mallItemId}`, { stock: 50 + f.n() }) },
  'GET /api/admin/mall/gift-orders': { who: 'admin', request: () => at('/api/admin/mall/gift-orders') },
  'POST /api/admin/mall/redemptions/{id}/cancel': { who: 'admin', request: async (f) => at(`/api/admin/mall/redemptions/${await f.redemption()}/cancel`, { reason: 'matrix' }) },
  // ── admin: messaging ──
  'GET /api/admin/message-templates': { who: 'admin', request: () => at('/api/admin/message-templates') },
  'PUT /api/admin/message-templates/{kind}/{channel}': {
    who: 'admin',
    request: () => at('/api/admin/message-templates/shipped/subscribe', { templateId: 'tpl-matrix', keys: { orderId: 'character_string1' } }),
  },
  'GET /api/admin/messages': { who: 'admin', request: () => at('/api/admin/messages') },
  'GET /api/admin/messages/stats': { who: 'admin', request: () => at('/api/admin/messages/stats') },
  'GET /api/admin/care-tips': { who: 'admin', request: () => at('/api/admin/care-tips') },
  'PUT /api/admin/care-tips': { who: 'admin', request: () => at('/api/admin/care-tips', { tips: { ring: '避免碰撞硬物' } }) },
  'GET /api/admin/messaging-policy': { who: 'admin', request: () => at('/api/admin/messaging-policy') },
  'PATCH /api/admin/messaging-policy': { who: 'admin', request: () => at('/api/admin/messaging-policy', { quietFrom: 22 }) },
  // ── admin: birthday and member day ──
  'GET /api/admin/birthday-settings': { who: 'admin', request: () => at('/api/admin/birthday-settings') },
  'PUT /api/admin/birthday-settings': {
    who: 'admin',
    request: (f) => at('/api/admin/birthday-settings', { enabled: true, daysBefore: 3, couponsValidThroughMonthEnd: true, gifts: [{ tier: 'S1', couponTemplateIds: [f.templateId], points: 100 }], monthMultiplier: 2 }),
  },
  'GET /api/admin/member-day/settings': { who: 'admin', request: () => at('/api/admin/member-day/settings') },
  'PUT /api/admin/member-day/settings': {
    who: 'admin',
    request: (f) => at('/api/admin/member-day/settings', { enabled: true, days: [18], issueMode: 'on-open', multiplier: 2, tierCoupons: [{ tier: 'S1', couponTemplateIds: [f.templateId] }], reminder: { enabled: true, hour: 10 } }),
  },
  'GET /api/admin/member-day/plans': { who: 'admin', request: () => at('/api/admin/member-day/plans?month=2026-03') },
  'PUT /api/admin/member-day/plans/{date}': {
    who: 'admin',
    request: () => at('/api/admin/member-day/plans/2026-03-18', { theme: null, memberPrices: [{ sku: 'PEARL-001', name: '淡水珍珠耳钉', priceFen: 129_900, memberPriceFen: 99_900 }] }),
  },
  'GET /api/admin/member-day/reports/{date}': { who: 'admin', request: () => at('/api/admin/member-day/reports/2026-02-18') },
  // ── insights: lifecycle stages (managers: their store's counts; admins: the policy and the report) ──
  'GET /api/staff/lifecycle': { who: 'manager', store: true, request: (f) => at(`/api/staff/lifecycle?store=${f.store}`) },
  'GET /api/admin/lifecycle/policy': { who: 'admin', request: () => at('/api/admin/lifecycle/policy') },
  'PUT /api/admin/lifecycle/policy': { who: 'admin', request: () => at('/api/admin/lifecycle/policy', { newCare: 5, newOffer: 30, atRisk: 45, lapsed: 90, dormant: 180 }) },
  'GET /api/admin/lifecycle/report': { who: 'admin', request: (f) => at(`/api/admin/lifecycle/report?store=${f.store}`) },
  // ── insights: the KPIs (managers: their store; admins: any) and their policy (admins) ──
  'GET /api/admin/kpis': { who: 'manager', store: true, request: (f) => at(`/api/admin/kpis?store=${f.store}`) },
  'GET /api/admin/kpis.csv': { who: 'manager', store: true, request: (f) => at(`/api/admin/kpis.csv?store=${f.store}`) },
  'GET /api/admin/kpis/policy': { who: 'admin', request: () => at('/api/admin/kpis/policy') },
  'PUT /api/admin/kpis/policy': { who: 'admin', request: () => at('/api/admin/kpis/policy', { fenPerPoint: 1 }) },
  // ── insights: segments, outreach with a holdout, the suppression list (admins) ──
  'POST /api/admin/segments/count': { who: 'admin', request: () => at('/api/admin/segments/count', { filter: { stages: ['repeat'] } }) },
  'POST /api/admin/segments': { who: 'admin', ok: 201, request: () => at('/api/admin/segments', { name: '矩阵', filter: { tierLevels: [1] } }) },
  'GET /api/admin/segments': { who: 'admin', request: () => at('/api/admin/segments') },
  'GET /api/admin/segments/{id}': { who: 'admin', request: async (f) => at(`/api/admin/segments/${await f.segment()}`) },
  'PUT /api/admin/segments/{id}': { who: 'admin', request: async (f) => at(`/api/admin/segments/${await f.segment()}`, { name: '改名', filter: { hasPhone: true } }) },
  'DELETE /api/admin/segments/{id}': { who: 'admin', ok: 204, request: async (f) => at(`/api/admin/segments/${await f.segment()}`) },
  'GET /api/admin/segments/{id}/members': { who: 'admin', request: async (f) => at(`/api/admin/segments/${await f.segment()}/members?page=1&pageSize=10`) },
  'GET /api/admin/outreach-policy': { who: 'admin', request: () => at('/api/admin/outreach-policy') },
  'PUT /api/admin/outreach-policy': { who: 'admin', request: () => at('/api/admin/outreach-policy', { minGapDays: 7, serialRefunds: 3, serialRefundDays: 180 }) },
  'POST /api/admin/outreach': {
    who: 'admin',
    ok: 201,
    request: async (f) =>
      at('/api/admin/outreach', { name: '矩阵触达', audience: { segmentId: await f.segment() }, steps: [{ label: '关怀', afterDays: 0, title: '你好', content: '新品到店' }], startAt: f.soon() }),
  },
  'GET /api/admin/outreach': { who: 'admin', request: () => at('/api/admin/outreach') },
  'GET /api/admin/outreach/{id}': { who: 'admin', request: async (f) => at(`/api/admin/outreach/${await f.outreach()}`) },
  'POST /api/admin/outreach/{id}/launch': { who: 'admin', request: async (f) => at(`/api/admin/outreach/${await f.outreach()}/launch`) },
  'POST /api/admin/outreach/{id}/cancel': { who: 'admin', request: async (f) => at(`/api/admin/outreach/${await f.outreach()}/cancel`) },
  'GET /api/admin/outreach/{id}/results': { who: 'admin', request: async (f) => at(`/api/admin/outreach/${await f.outreach()}/results`) },
  'GET /api/admin/suppression-list': { who: 'admin', request: () => at('/api/admin/suppression-list') },
  'POST /api/admin/suppression-list': { who: 'admin', request: (f) => at('/api/admin/suppression-list', { memberIds: [f.memberId], reason: '矩阵' }) },
  'DELETE /api/admin/suppression-list/{memberId}': { who: 'admin', ok: 204, request: async (f) => at(`/api/admin/suppression-list/${await f.suppressed()}`) },
}

const RANK = { staff: 1, manager: 2, admin: 3 } as const

/** What a caller must get from a route: the rule from `who` and `store`, unless the row says otherwise. */
function expectedStatus(row: Row, caller: Caller): number {
  const exception = row.expect?.[caller]
  if (exception !== undefined) return exception
  const ok = row.ok ?? 200
  // no token, or the token of a deactivated record: refused before anything else
  if (caller === 'anonymous' || caller === 'deactivated') return 401
  // a member route takes only a member token
  if (row.who === 'member') return caller === 'member' ? ok : 401
  // a staff or admin route refuses a member's
  if (caller === 'member') return 403
  const role = caller === 'otherStore' ? 'staff' : caller
  if (RANK[role] < RANK[row.who]) return 403
  // a store's data is not another store's staff's
  if (row.store && caller === 'otherStore') return 403
  return ok
}

describe('the route × role matrix', () => {
  const t = useTestApp()
  const h = staffHelpers(t)
  const tokens = {} as Record<Caller, string | null>
  const f = { store: 'SH-01', otherStore: 'BJ-01' } as Fixture

  beforeAll(async () => {
    let counter = 0
    const shopper = await t.login('matrix-shopper')
    const caller = await t.login('matrix-phone-shopper')
    await t.app.members.phone.bind(caller.memberId, 'phone-13700137001')
    const admin = { actor: 'matrix-setup', role: 'admin' }
    const template = await t.app.coupons.templates.create({ name: '到店券', kind: 'amount', amountFen: 1_000, thresholdFen: 0, validity: { days: 30 } } as never, admin)
    const gift = await t.app.mall.items.create({ kind: 'gift', name: '礼', pointsPrice: 10, stock: 100 }, admin)
    await t.app.adjustments.adjust(shopper.memberId, { kind: 'points', delta: 1_000, reason: 'matrix setup', requestId: 'matrix-setup-points' }, admin)
    const coupon = async () => (await t.app.coupons.issue({ templateId: template.id, memberId: shopper.memberId, key: `matrix-coupon-${counter++}`, source: 'api' })).coupon.code
    // the two stores
    for (const [code, name] of [['SH-01', '上海国金中心店'], ['BJ-01', '北京国贸店']]) {
      const store = await h.send('PUT', `/api/admin/stores/${code}`, t.adminToken(), storeBody(name!))
      expect(store.statusCode, store.body).toBe(200)
    }
    const target = await t.app.staff.records.create({ name: '被改的人', role: 'staff', store: 'SH-01' }, admin)
    Object.assign(f, {
      memberId: shopper.memberId,
      phoneMemberId: caller.memberId,
      templateId: template.id,
      couponCode: await coupon(),
      mallItemId: gift.id,
      targetStaffId: target.staff.id,
      n: () => counter++,
      memberCode: () => t.app.members.memberCode(shopper.memberId).code,
      coupon,
      async redemption() {
        const redeemed = await t.app.mall.redemptions.redeem(shopper.memberId, {
          itemId: gift.id,
          idempotencyKey: `matrix-redeem-${counter++}`,
          address: { name: '张三', phone: '13800138000', region: '上海市 黄浦区', detail: '南京东路 1 号' },
        })
        return redeemed.redemption.id
      },
      async invitation() {
        return (await t.app.staff.records.create({ name: `受邀 ${counter++}`, role: 'staff', store: 'SH-01' }, admin)).invitation.code
      },
      soon: () => new Date(t.app.now().getTime() + 30 * 86_400_000).toISOString(),
      segment: async () => (await t.app.insights.segments.create({ name: `分群 ${counter++}`, filter: {} }, admin)).id,
      async outreach() {
        const segment = await t.app.insights.segments.create({ name: `分群 ${counter++}`, filter: {} }, admin)
        const steps = [{ label: '关怀', afterDays: 0, title: '你好', content: '新品到店' }]
        return (await t.app.insights.outreach.create({ name: `触达 ${counter++}`, audience: { segmentId: segment.id }, steps, startAt: new Date(t.app.now().getTime() + 30 * 86_400_000).toISOString() }, admin)).id
      },
      async suppressed() {
        const { memberId } = await t.login(`matrix-suppressed-${counter++}`)
        await t.app.insights.outreach.suppress([memberId], '矩阵', admin)
        return memberId
      },
    } satisfies Omit<Fixture, 'store' | 'otherStore' | 'staffId'>)

    // the callers: each a WeChat user bound to a record (the admin too: a record, not an operator's scripting token)
    const staff = async (user: string, role: 'staff' | 'manager' | 'admin', store: string | null): Promise<TestStaff> => h.staffMember(user, { name: user, role, store })
    const deactivated = await staff('matrix-deactivated', 'staff', 'SH-01')
    await h.patch(deactivated.id, { status: 'deactivated' })
    const ofTheStore = await staff('matrix-staff', 'staff', 'SH-01')
    f.staffId = ofTheStore.id
    Object.assign(tokens, {
      anonymous: null,
      member: (await t.login('matrix-member')).token,
      staff: ofTheStore.token,
      otherStore: (await staff('matrix-other-store', 'staff', 'BJ-01')).token,
      manager: (await staff('matrix-manager', 'manager', 'SH-01')).token,
      admin: (await staff('matrix-admin', 'admin', null)).token,
      deactivated: deactivated.token,
    })
  })

  it('has a row for every /api/staff and /api/admin route the app serves, and none for a route it does not', async () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> }
    const served = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .filter((key) => /^\w+ \/api\/(staff|admin)\//.test(key))
    expect(served.length).toBeGreaterThan(40)
    const missing = served.filter((key) => !(key in ROUTES))
    const gone = Object.keys(ROUTES).filter((key) => !served.includes(key))
    expect(missing, `routes without a row in the matrix:\n${missing.join('\n')}`).toEqual([])
    expect(gone, `rows for routes the app does not serve:\n${gone.join('\n')}`).toEqual([])
  })

  for (const [key, row] of Object.entries(ROUTES)) {
    it(`${key}: ${row.who}${row.store ? ' of the store' : ''}`, async () => {
      const method = key.split(' ')[0] as 'GET'
      const got: Partial<Record<Caller, number>> = {}
      const want: Partial<Record<Caller, number>> = {}
      for (const caller of CALLERS) {
        const request = await row.request(f, caller)
        const response = await t.app.inject({
          method,
          url: request.url,
          headers: tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {},
          ...(request.body !== undefined ? { payload: request.body as object } : {}),
        })
        got[caller] = response.statusCode
        want[caller] = expectedStatus(row, caller)
        // a refusal is in the one error shape, with its code
        if (response.statusCode === 401) expect(response.json().code, `${caller}: ${response.body}`).toBe(ErrorCodes.UNAUTHORIZED)
        if (response.statusCode === 403) expect(response.json().code, `${caller}: ${response.body}`).toBe(ErrorCodes.FORBIDDEN)
        if (response.statusCode !== want[caller]) got[caller] = `${response.statusCode} ${response.body.slice(0, 200)}` as never
      }
      expect(got).toEqual(want)
    })
  }
})
