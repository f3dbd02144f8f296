import { ErrorCodes } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { createSigner } from 'fast-jwt'
import Fastify from 'fastify'
import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import errorHandler, { answerFrameworkError } from '../../../server/src/core/error-handler.js'
import { shopSignature } from '../../../server/src/modules/shop/signature.js'
import { TEST_JWT_SECRET, TEST_SHOP_SECRET, useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/**
 * Malformed, oversized, deeply nested and hostile input at every route: always a 4xx in the one error shape with
 * the fitting code, never a 5xx, and nothing changed in the database. The table below must name every route the
 * app serves (checked against its OpenAPI document), so a new route cannot arrive without these tests.
 */

type Who = 'anyone' | 'member' | 'admin' | 'shop'
interface Ids {
  memberId: string
  otherMemberId: string
  templateId: string
  couponCode: string
  mallItemId: string
  giftItemId: string
  redemptionId: string
}
interface RouteCase {
  who: Who
  /** the path with its parameters filled in */
  path: (ids: Ids) => string
  /** a valid body; every hostile body is this one bent */
  body?: (ids: Ids) => unknown
  /** the contract says unknown fields are ignored (shop events: they are stripped before storing, see shop/hostile-events) */
  ignoresUnknown?: boolean
}

const paid = (memberId: string) => shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00')

const ROUTES: Record<string, RouteCase> = {
  'POST /api/auth/wechat': { who: 'anyone', path: () => '/api/auth/wechat', body: () => ({ code: 'hostile-login-code' }) },
  'GET /api/me/': { who: 'member', path: () => '/api/me' },
  'POST /api/me/phone': { who: 'member', path: () => '/api/me/phone', body: () => ({ code: 'hostile-phone-code' }) },
  'GET /api/me/card': { who: 'member', path: () => '/api/me/card' },
  'GET /api/me/points/history': { who: 'member', path: () => '/api/me/points/history' },
  'GET /api/tiers/': { who: 'anyone', path: () => '/api/tiers' },
  'POST /api/admin/members/{memberId}/adjustments': {
    who: 'admin',
    path: (ids) => `/api/admin/members/${ids.memberId}/adjustments`,
    body: () => ({ kind: 'points', delta: 5, reason: 'hostile input test', requestId: 'hostile-request-0001' }),
  },
  'GET /api/admin/loyalty-policy': { who: 'admin', path: () => '/api/admin/loyalty-policy' },
  'GET /api/admin/event-consumers': { who: 'admin', path: () => '/api/admin/event-consumers' },
  'PUT /api/admin/tiers': {
    who: 'admin',
    path: () => '/api/admin/tiers',
    body: () => ({ tiers: [{ code: 'S1', name: '银卡会员', threshold: 0, pointsMultiplier: 1, benefits: [{ title: '免费清洗保养', description: '随到随洗', icon: 'cleaning' }] }] }),
  },
  'PATCH /api/admin/loyalty-policy': {
    who: 'admin',
    path: () => '/api/admin/loyalty-policy',
    body: () => ({ pointsPerYuan: 2, expiry: { kind: 'days', days: 30 }, tiers: { kind: 'lifetime' } }),
  },
  'POST /api/integrations/shop/events': { who: 'shop', path: () => '/api/integrations/shop/events', body: (ids) => paid(ids.memberId), ignoresUnknown: true },
  'POST /api/integrations/shop/events/batch': {
    who: 'shop',
    path: () => '/api/integrations/shop/events/batch',
    body: (ids) => ({ events: [paid(ids.memberId)] }),
    ignoresUnknown: true,
  },
  'GET /api/integrations/shop/events/{eventId}': { who: 'shop', path: () => '/api/integrations/shop/events/evt-never-sent' },
  'GET /health': { who: 'anyone', path: () => '/health' },
  'POST /api/admin/coupon-templates': {
    who: 'admin',
    path: () => '/api/admin/coupon-templates',
    body: () => ({ name: '满 2000 减 200', kind: 'amount', amountFen: 20_000, thresholdFen: 200_000, scope: { kind: 'categories', categories: ['ring'] }, validity: { days: 30 }, stock: 10 }),
  },
  'GET /api/admin/coupon-templates': { who: 'admin', path: () => '/api/admin/coupon-templates' },
  'GET /api/admin/coupon-templates/{id}': { who: 'admin', path: (ids) => `/api/admin/coupon-templates/${ids.templateId}` },
  'PATCH /api/admin/coupon-templates/{id}': { who: 'admin', path: (ids) => `/api/admin/coupon-templates/${ids.templateId}`, body: () => ({ notes: '不与其他优惠同享', stock: 50 }) },
  'POST /api/admin/coupon-templates/{id}/issue': {
    who: 'admin',
    path: (ids) => `/api/admin/coupon-templates/${ids.templateId}/issue`,
    body: (ids) => ({ memberId: ids.memberId, requestId: 'hostile-issue-1' }),
  },
  'GET /api/me/coupons': { who: 'member', path: () => '/api/me/coupons' },
  // staff routes take a staff, manager or admin token
  'GET /api/staff/coupons/{code}': { who: 'admin', path: (ids) => `/api/staff/coupons/${ids.couponCode}` },
  'POST /api/staff/coupons/{code}/use': { who: 'admin', path: (ids) => `/api/staff/coupons/${ids.couponCode}/use`, body: (ids) => ({ memberId: ids.memberId, store: 'SH-IFC' }) },
  'POST /api/admin/mall/items': {
    who: 'admin',
    path: () => '/api/admin/mall/items',
    body: (ids) => ({ kind: 'coupon', name: '50 元券', pointsPrice: 100, stock: 10, couponTemplateId: ids.templateId, tiers: ['S1'], images: ['https://cdn.brand.test/a.png'], perMemberLimit: 2, availableFrom: '2026-03-01T00:00:00+08:00' }),
  },
  'GET /api/admin/mall/items': { who: 'admin', path: () => '/api/admin/mall/items' },
  'GET /api/admin/mall/items/{id}': { who: 'admin', path: (ids) => `/api/admin/mall/items/${ids.mallItemId}` },
  'PATCH /api/admin/mall/items/{id}': { who: 'admin', path: (ids) => `/api/admin/mall/items/${ids.mallItemId}`, body: () => ({ stock: 20, name: '50 元券', tiers: ['S1'] }) },
  'GET /api/admin/mall/gift-orders': { who: 'admin', path: () => '/api/admin/mall/gift-orders' },
  'POST /api/admin/mall/redemptions/{id}/cancel': { who: 'admin', path: (ids) => `/api/admin/mall/redemptions/${ids.redemptionId}/cancel`, body: () => ({ reason: 'hostile input test' }) },
  'GET /api/mall/items': { who: 'member', path: () => '/api/mall/items' },
  'GET /api/mall/items/{id}': { who: 'member', path: (ids) => `/api/mall/items/${ids.mallItemId}` },
  'POST /api/mall/redemptions': {
    who: 'member',
    path: () => '/api/mall/redemptions',
    body: (ids) => ({ itemId: ids.giftItemId, idempotencyKey: 'hostile-redeem-1', address: { name: '张三', phone: '13800138000', region: '上海市 黄浦区', detail: '南京东路 1 号' } }),
  },
  'GET /api/me/redemptions': { who: 'member', path: () => '/api/me/redemptions' },
  'GET /api/me/redemptions/{id}': { who: 'member', path: (ids) => `/api/me/redemptions/${ids.redemptionId}` },
  'POST /api/me/redemptions/{id}/cancel': { who: 'member', path: (ids) => `/api/me/redemptions/${ids.redemptionId}/cancel`, body: () => ({}) },
  'GET /api/me/inbox': { who: 'member', path: () => '/api/me/inbox' },
  'POST /api/me/inbox/{id}/read': { who: 'member', path: () => '/api/me/inbox/0123456789abcdef01234567/read' },
  'POST /api/me/inbox/read-all': { who: 'member', path: () => '/api/me/inbox/read-all' },
  'GET /api/me/subscriptions': { who: 'member', path: () => '/api/me/subscriptions' },
  'POST /api/me/subscriptions': { who: 'member', path: () => '/api/me/subscriptions', body: () => ({ results: { 'tpl-hostile': 'accept' } }) },
  'GET /api/me/message-preferences': { who: 'member', path: () => '/api/me/message-preferences' },
  'PATCH /api/me/message-preferences': { who: 'member', path: () => '/api/me/message-preferences', body: () => ({ marketing: false, kindsOff: ['campaign'] }) },
  'PUT /api/me/message-preferences': { who: 'member', path: () => '/api/me/message-preferences', body: () => ({ marketing: false, kindsOff: ['campaign'] }) },
  'GET /api/admin/message-templates': { who: 'admin', path: () => '/api/admin/message-templates' },
  'PUT /api/admin/message-templates/{kind}/{channel}': {
    who: 'admin',
    path: () => '/api/admin/message-templates/shipped/subscribe',
    body: () => ({ templateId: 'tpl-hostile', keys: { orderId: 'character_string1' } }),
  },
  'GET /api/admin/messages': { who: 'admin', path: () => '/api/admin/messages' },
  'GET /api/admin/messages/stats': { who: 'admin', path: () => '/api/admin/messages/stats' },
  'GET /api/admin/messaging-policy': { who: 'admin', path: () => '/api/admin/messaging-policy' },
  'PATCH /api/admin/messaging-policy': { who: 'admin', path: () => '/api/admin/messaging-policy', body: () => ({ quietFrom: 22, ratePerSecond: { subscribe: 10, official_account: 10 } }) },
  'GET /api/admin/care-tips': { who: 'admin', path: () => '/api/admin/care-tips' },
  'PUT /api/admin/care-tips': { who: 'admin', path: () => '/api/admin/care-tips', body: () => ({ tips: { ring: '避免碰撞硬物' } }) },
  'POST /api/staff/care-messages': {
    who: 'admin',
    path: () => '/api/staff/care-messages',
    body: (ids) => ({ memberId: ids.memberId, kind: 'staff_care', fields: { content: '您的戒指已保养完毕' }, requestId: 'hostile-care-1' }),
  },
  // birthday
  'PUT /api/me/birthday': { who: 'member', path: () => '/api/me/birthday', body: () => ({ birthday: '05-20', year: 1990 }) },
  'GET /api/me/birthday-gift': { who: 'member', path: () => '/api/me/birthday-gift' },
  // staff routes take a staff, manager or admin token
  'PUT /api/staff/members/{memberId}/birthday': {
    who: 'admin',
    path: (ids) => `/api/staff/members/${ids.memberId}/birthday`,
    body: () => ({ birthday: '05-20', year: 1990, reason: '会员出示证件，更正生日' }),
  },
  'GET /api/admin/birthday-settings': { who: 'admin', path: () => '/api/admin/birthday-settings' },
  'PUT /api/admin/birthday-settings': {
    who: 'admin',
    path: () => '/api/admin/birthday-settings',
    body: (ids) => ({ enabled: true, daysBefore: 3, couponsValidThroughMonthEnd: true, gifts: [{ tier: 'S1', couponTemplateIds: [ids.templateId], points: 100 }], monthMultiplier: 2 }),
  },
  // member day
  'GET /api/member-day': { who: 'anyone', path: () => '/api/member-day' },
  'POST /api/me/member-day/visits': { who: 'member', path: () => '/api/me/member-day/visits', body: () => ({}) },
  'GET /api/admin/member-day/settings': { who: 'admin', path: () => '/api/admin/member-day/settings' },
  'PUT /api/admin/member-day/settings': {
    who: 'admin',
    path: () => '/api/admin/member-day/settings',
    body: (ids) => ({ enabled: true, days: [8, 18], issueMode: 'on-open', multiplier: 2, tierCoupons: [{ tier: 'S1', couponTemplateIds: [ids.templateId] }], reminder: { enabled: true, hour: 10 } }),
  },
  'GET /api/admin/member-day/plans': { who: 'admin', path: () => '/api/admin/member-day/plans?month=2026-03' },
  'PUT /api/admin/member-day/plans/{date}': {
    who: 'admin',
    path: () => '/api/admin/member-day/plans/2026-03-18',
    // (theme null: a theme object's "null for the object" variant is valid — a day without a theme)
    body: () => ({ theme: null, memberPrices: [{ sku: 'PEARL-001', name: '淡水珍珠耳钉', priceFen: 129_900, memberPriceFen: 99_900 }] }),
  },
  'GET /api/admin/member-day/reports/{date}': { who: 'admin', path: () => '/api/admin/member-day/reports/2026-03-18' },
  // staff: identity, roles and the audit log
  'POST /api/admin/staff': { who: 'admin', path: () => '/api/admin/staff', body: () => ({ name: '王芳', role: 'staff', store: 'SH-01' }) },
  'GET /api/admin/staff': { who: 'admin', path: () => '/api/admin/staff?store=SH-01&status=active' },
  'PATCH /api/admin/staff/{id}': {
    who: 'admin',
    path: () => '/api/admin/staff/0123456789abcdef01234567',
    body: () => ({ name: '王芳', role: 'manager', store: 'SH-01', status: 'active' }),
  },
  'POST /api/admin/staff/{id}/invitations': { who: 'admin', path: () => '/api/admin/staff/0123456789abcdef01234567/invitations' },
  'POST /api/staff/activate': { who: 'member', path: () => '/api/staff/activate', body: () => ({ inviteCode: 'ABCDE-FGHJK-MNPQR' }) },
  'GET /api/staff/me': { who: 'admin', path: () => '/api/staff/me' },
  'GET /api/staff/audit': { who: 'admin', path: () => '/api/staff/audit?limit=20' },
  // appointments: stores, slots, bookings (staff routes take a staff, manager or admin token)
  'GET /api/stores': { who: 'anyone', path: () => '/api/stores' },
  'GET /api/admin/stores': { who: 'admin', path: () => '/api/admin/stores' },
  'PUT /api/admin/stores/{code}': {
    who: 'admin',
    path: () => '/api/admin/stores/SH-HOSTILE',
    body: () => ({
      name: '上海国金中心店',
      address: '上海市浦东新区世纪大道 8 号',
      phone: '021-6888 8888',
      hours: { open: '10:00', close: '18:00' },
      slotMinutes: 60,
      capacity: 3,
      priorityCapacity: 1,
      bookingDays: 14,
      purposes: ['cleaning', 'resizing'],
      status: 'open',
    }),
  },
  'GET /api/appointments/slots': { who: 'member', path: () => '/api/appointments/slots?store=SH-HOSTILE&date=2026-03-11' },
  'GET /api/me/appointments': { who: 'member', path: () => '/api/me/appointments' },
  'POST /api/me/appointments': {
    who: 'member',
    path: () => '/api/me/appointments',
    body: () => ({ store: 'SH-HOSTILE', start: '2026-03-11T10:00:00+08:00', purpose: 'cleaning', note: '带一枚婚戒', idempotencyKey: 'hostile-appointment-1' }),
  },
  'POST /api/me/appointments/{id}/cancel': { who: 'member', path: () => '/api/me/appointments/0123456789abcdef01234567/cancel', body: () => ({ reason: '临时有事' }) },
  'GET /api/staff/appointments': { who: 'admin', path: () => '/api/staff/appointments?store=SH-HOSTILE&date=2026-03-11' },
  'POST /api/staff/appointments/{id}/confirm': { who: 'admin', path: () => '/api/staff/appointments/0123456789abcdef01234567/confirm', body: () => ({}) },
  'POST /api/staff/appointments/{id}/reschedule': {
    who: 'admin',
    path: () => '/api/staff/appointments/0123456789abcdef01234567/reschedule',
    body: () => ({ start: '2026-03-12T10:00:00+08:00' }),
  },
  'POST /api/staff/appointments/{id}/cancel': { who: 'admin', path: () => '/api/staff/appointments/0123456789abcdef01234567/cancel', body: () => ({ reason: '门店临时调整' }) },
  'POST /api/staff/appointments/{id}/complete': { who: 'admin', path: () => '/api/staff/appointments/0123456789abcdef01234567/complete', body: () => ({}) },
  'POST /api/staff/appointments/{id}/no-show': { who: 'admin', path: () => '/api/staff/appointments/0123456789abcdef01234567/no-show', body: () => ({}) },
  // staff counter: look-up, glance, notes, clienteling, advisors, purchases, care preview, tasks
  'GET /api/staff/members/lookup': { who: 'admin', path: () => '/api/staff/members/lookup?phone=13800138000' },
  'GET /api/staff/members/{memberId}': { who: 'admin', path: (ids) => `/api/staff/members/${ids.memberId}` },
  'POST /api/staff/members/{memberId}/notes': { who: 'admin', path: (ids) => `/api/staff/members/${ids.memberId}/notes`, body: () => ({ text: '喜欢简约款，偏好玫瑰金' }) },
  'PUT /api/staff/members/{memberId}/clienteling': {
    who: 'admin',
    path: (ids) => `/api/staff/members/${ids.memberId}/clienteling`,
    body: () => ({ ringSize: '12', anniversaries: [{ label: '结婚纪念日', date: '05-20' }], preferences: ['18K 玫瑰金'] }),
  },
  'PUT /api/staff/members/{memberId}/advisor': { who: 'admin', path: (ids) => `/api/staff/members/${ids.memberId}/advisor`, body: () => ({ advisorId: '0123456789abcdef01234567' }) },
  'GET /api/staff/customers': { who: 'admin', path: () => '/api/staff/customers' },
  'POST /api/staff/purchases': {
    who: 'admin',
    path: () => '/api/staff/purchases',
    body: (ids) => ({
      memberId: ids.memberId,
      receiptNo: 'HOSTILE-0001',
      store: 'SH-01',
      paidAt: '2026-03-10T09:00:00+08:00',
      lines: [{ sku: 'RING-18K-001', name: '18K 金戒指', quantity: 1, paidFen: 329_900, category: 'ring' }],
      couponCodes: [ids.couponCode],
      advisorId: '0123456789abcdef01234567',
    }),
  },
  'POST /api/staff/care-messages/preview': {
    who: 'admin',
    path: () => '/api/staff/care-messages/preview',
    body: (ids) => ({ memberId: ids.memberId, kind: 'staff_care', fields: { content: '您的戒指已保养完毕' } }),
  },
  'GET /api/staff/tasks': { who: 'admin', path: () => '/api/staff/tasks?store=SH-01&date=2026-03-10' },
  'POST /api/staff/tasks/{id}/done': { who: 'admin', path: (ids) => `/api/staff/tasks/birthday:2026-03-12:${ids.memberId}/done?store=SH-01` },
  'DELETE /api/staff/tasks/{id}/done': { who: 'admin', path: (ids) => `/api/staff/tasks/birthday:2026-03-12:${ids.memberId}/done?store=SH-01` },
  // staff counter: calling a member (the whole number, audited) and the colleagues a manager picks an advisor from
  'POST /api/staff/members/{memberId}/phone-reveals': {
    who: 'admin',
    path: (ids) => `/api/staff/members/${ids.memberId}/phone-reveals`,
    body: (ids) => ({ taskId: `at_risk:2026-01-20:${ids.memberId}` }),
  },
  'GET /api/staff/colleagues': { who: 'admin', path: () => '/api/staff/colleagues?store=SH-01' },
  // WeChat's push: signed by WeChat, any body (JSON or XML); refused without a valid signature (messaging/push.test.ts)
  'GET /api/wechat/push': { who: 'anyone', path: () => '/api/wechat/push' },
  'POST /api/wechat/push': { who: 'anyone', path: () => '/api/wechat/push' },
  'GET /api/wechat/oa-push': { who: 'anyone', path: () => '/api/wechat/oa-push' },
  'POST /api/wechat/oa-push': { who: 'anyone', path: () => '/api/wechat/oa-push' },
  // review photos: a multipart upload (no JSON body: reviews/photos.test.ts throws malformed forms at it), and a photo
  // read by its author or staff, by a signed link, or by anyone once published (anything else a 404)
  'POST /api/reviews/photos': { who: 'member', path: () => '/api/reviews/photos' },
  'GET /api/reviews/photos/{id}': { who: 'anyone', path: () => '/api/reviews/photos/0123456789abcdef01234567?size=thumb' },
  // photo reviews: writing one, the member's lists, moderation (an admin token stands for a manager), follow-ups,
  // campaigns, and a product's public list
  'POST /api/reviews': {
    who: 'member',
    path: () => '/api/reviews',
    body: () => ({ orderId: 'SO-HOSTILE-1', lineId: '1', rating: 3, text: '真实的评价内容', photoIds: ['0123456789abcdef01234567'] }),
  },
  'GET /api/me/reviewables': { who: 'member', path: () => '/api/me/reviewables' },
  'GET /api/me/reviews': { who: 'member', path: () => '/api/me/reviews' },
  'DELETE /api/me/reviews/{id}': { who: 'member', path: () => '/api/me/reviews/0123456789abcdef01234567' },
  'GET /api/products/{sku}/reviews': { who: 'anyone', path: () => '/api/products/EAR-DM-007/reviews?limit=5' },
  'GET /api/staff/reviews': { who: 'admin', path: () => '/api/staff/reviews?state=pending' },
  'GET /api/staff/reviews/{id}': { who: 'admin', path: () => '/api/staff/reviews/0123456789abcdef01234567' },
  'POST /api/staff/reviews/{id}/approve': { who: 'admin', path: () => '/api/staff/reviews/0123456789abcdef01234567/approve', body: () => ({ confirmRisky: true }) },
  'POST /api/staff/reviews/{id}/reject': { who: 'admin', path: () => '/api/staff/reviews/0123456789abcdef01234567/reject', body: () => ({ reason: 'abuse', note: '含不文明用语' }) },
  'POST /api/staff/reviews/{id}/removal': { who: 'admin', path: () => '/api/staff/reviews/0123456789abcdef01234567/removal', body: () => ({ reason: 'privacy' }) },
  'PUT /api/staff/reviews/{id}/reply': { who: 'admin', path: () => '/api/staff/reviews/0123456789abcdef01234567/reply', body: () => ({ text: '感谢您的分享' }) },
  'GET /api/staff/review-follow-ups': { who: 'admin', path: () => '/api/staff/review-follow-ups?status=open&store=SH-01' },
  'GET /api/staff/review-follow-ups/report': { who: 'admin', path: () => '/api/staff/review-follow-ups/report?month=2026-03' },
  'PATCH /api/staff/review-follow-ups/{id}': {
    who: 'admin',
    path: () => '/api/staff/review-follow-ups/0123456789abcdef01234567',
    body: () => ({ class: 'size', status: 'contacted', note: '已联系会员' }),
  },
  'POST /api/staff/review-follow-ups/{id}': {
    who: 'admin',
    path: () => '/api/staff/review-follow-ups/0123456789abcdef01234567',
    body: () => ({ class: 'size', status: 'contacted', note: '已联系会员' }),
  },
  'POST /api/admin/review-campaigns': {
    who: 'admin',
    path: () => '/api/admin/review-campaigns',
    body: () => ({
      name: '晒单有礼',
      products: { skus: ['EAR-DM-007'], categories: ['earring'] },
      purchaseWindow: { from: '2026-01-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' },
      audience: { mode: 'selection', minTierLevel: 2, minOrders: 1 },
      inviteAfterDays: 3,
      minPhotos: 1,
      minTextLength: 10,
      reward: { points: 200 },
      budget: 100,
      endsAt: '2026-06-01T00:00:00+08:00',
    }),
  },
  'GET /api/admin/review-campaigns': { who: 'admin', path: () => '/api/admin/review-campaigns' },
  'GET /api/admin/review-campaigns/{id}': { who: 'admin', path: () => '/api/admin/review-campaigns/0123456789abcdef01234567' },
  'POST /api/admin/review-campaigns/{id}/end': { who: 'admin', path: () => '/api/admin/review-campaigns/0123456789abcdef01234567/end', body: () => ({}) },
  // insights: lifecycle stages
  'GET /api/staff/lifecycle': { who: 'admin', path: () => '/api/staff/lifecycle?store=SH-01' },
  'GET /api/admin/lifecycle/policy': { who: 'admin', path: () => '/api/admin/lifecycle/policy' },
  'PUT /api/admin/lifecycle/policy': { who: 'admin', path: () => '/api/admin/lifecycle/policy', body: () => ({ newCare: 5, newOffer: 30, atRisk: 45, lapsed: 90, dormant: 180 }) },
  'GET /api/admin/lifecycle/report': { who: 'admin', path: () => '/api/admin/lifecycle/report?store=SH-01' },
  // insights: the KPIs
  'GET /api/admin/kpis': { who: 'admin', path: () => '/api/admin/kpis?from=2026-01-01&to=2026-03-31&store=SH-01' },
  'GET /api/admin/kpis.csv': { who: 'admin', path: () => '/api/admin/kpis.csv?from=2026-01-01&to=2026-03-31' },
  'GET /api/admin/kpis/policy': { who: 'admin', path: () => '/api/admin/kpis/policy' },
  'PUT /api/admin/kpis/policy': { who: 'admin', path: () => '/api/admin/kpis/policy', body: () => ({ fenPerPoint: 1 }) },
  // insights: segments, outreach, the suppression list
  'POST /api/admin/segments/count': {
    who: 'admin',
    path: () => '/api/admin/segments/count',
    body: () => ({ filter: { stages: ['repeat'], rfm: { f: { min: 2 } }, bought: { skus: ['RING-1'], withinDays: 90 }, pointsAvailable: { min: 10, max: 100 } } }),
  },
  'POST /api/admin/segments': { who: 'admin', path: () => '/api/admin/segments', body: () => ({ name: '分群', filter: { daysSinceLastPurchase: { min: 45 }, homeStores: ['SH-01'] } }) },
  'GET /api/admin/segments': { who: 'admin', path: () => '/api/admin/segments' },
  'GET /api/admin/segments/{id}': { who: 'admin', path: () => '/api/admin/segments/0123456789abcdef01234567' },
  'PUT /api/admin/segments/{id}': { who: 'admin', path: () => '/api/admin/segments/0123456789abcdef01234567', body: () => ({ name: '分群', filter: { tierLevels: [1, 2] } }) },
  'DELETE /api/admin/segments/{id}': { who: 'admin', path: () => '/api/admin/segments/0123456789abcdef01234567' },
  'GET /api/admin/segments/{id}/members': { who: 'admin', path: () => '/api/admin/segments/0123456789abcdef01234567/members?page=1' },
  'GET /api/admin/outreach-policy': { who: 'admin', path: () => '/api/admin/outreach-policy' },
  'PUT /api/admin/outreach-policy': { who: 'admin', path: () => '/api/admin/outreach-policy', body: () => ({ minGapDays: 7, serialRefunds: 3, serialRefundDays: 180 }) },
  'POST /api/admin/outreach': {
    who: 'admin',
    path: () => '/api/admin/outreach',
    body: () => ({
      name: '触达',
      audience: { segmentId: '0123456789abcdef01234567' },
      steps: [{ label: '关怀', afterDays: 0, title: '你好', content: '新品到店', channel: 'wechat_sms' }],
      startAt: '2026-04-01T10:00:00+08:00',
      holdoutShare: 0.1,
      messageCostFen: { sms: 5 },
    }),
  },
  'GET /api/admin/outreach': { who: 'admin', path: () => '/api/admin/outreach' },
  'GET /api/admin/outreach/{id}': { who: 'admin', path: () => '/api/admin/outreach/0123456789abcdef01234567' },
  'POST /api/admin/outreach/{id}/launch': { who: 'admin', path: () => '/api/admin/outreach/0123456789abcdef01234567/launch' },
  'POST /api/admin/outreach/{id}/cancel': { who: 'admin', path: () => '/api/admin/outreach/0123456789abcdef01234567/cancel' },
  'GET /api/admin/outreach/{id}/results': { who: 'admin', path: () => '/api/admin/outreach/0123456789abcdef01234567/results' },
  'GET /api/admin/suppression-list': { who: 'admin', path: () => '/api/admin/suppression-list' },
  'POST /api/admin/suppression-list': { who: 'admin', path: () => '/api/admin/suppression-list', body: (ids) => ({ memberIds: [ids.otherMemberId], reason: '投诉' }) },
  'DELETE /api/admin/suppression-list/{memberId}': { who: 'admin', path: (ids) => `/api/admin/suppression-list/${ids.otherMemberId}` },
  // SMS: the provider's reply callback (its token in the URL)
  'POST /api/sms/inbound': { who: 'anyone', path: () => '/api/sms/inbound?token=hostile-token', body: () => ({ mobile: '13800138000', nationcode: '86', text: 'T', time: 1_700_000_000 }) },
}

const HUGE = '__1e400__'
type Path = (string | number)[]

/** A hostile body: its exact text, its content type, and the answer it must get. */
interface Hostile {
  name: string
  raw: string
  contentType?: string
  status: number
  /** the code it must carry; undefined: any 4xx code (a -1 may be a valid-looking deduction refused as 409) */
  code?: string
  /** a word the message must contain (the property it names) */
  names?: string
}

function bend(valid: unknown, path: Path, value: unknown): string {
  const copy = structuredClone(valid) as Record<string | number, unknown>
  if (path.length === 0) return JSON.stringify(value).replaceAll(`"${HUGE}"`, '1e400')
  let at = copy as Record<string | number, unknown>
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>
  at[path[path.length - 1]!] = value
  return JSON.stringify(copy).replaceAll(`"${HUGE}"`, '1e400')
}

function addKey(valid: unknown, path: Path, key: string): string {
  const copy = structuredClone(valid) as Record<string, unknown>
  let at = copy as Record<string | number, unknown>
  for (const step of path) at = at[step] as Record<string | number, unknown>
  at[key] = { nested: 1 }
  return JSON.stringify(copy)
}

/** Every place in a value: objects (where properties can be added), arrays and leaves. */
function places(value: unknown, path: Path = []): { path: Path; value: unknown }[] {
  const here = { path, value }
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => places(v, [...path, i]))]
  if (value !== null && typeof value === 'object') return [here, ...Object.entries(value).flatMap(([k, v]) => places(v, [...path, k]))]
  return [here]
}

const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)

/** Hostile versions of a valid body: bent at every depth, and broken as a whole. */
function hostileBodies(valid: unknown, { strict, descend = true }: { strict: boolean; descend?: boolean }): Hostile[] {
  const bad = (name: string, raw: string, names?: string): Hostile => ({ name, raw, status: 400, code: ErrorCodes.VALIDATION_FAILED, names })
  const list: Hostile[] = []
  for (const { path, value } of places(valid)) {
    if (!descend && path.length > 1) continue
    const where = path.join('.') || 'body'
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (strict) {
        list.push(bad(`an unknown property in ${where}`, addKey(valid, path, 'zzUnknown'), 'zzUnknown'))
        list.push(bad(`a $-prefixed key in ${where}`, addKey(valid, path, '$where'), '$where'))
        list.push(bad(`a dotted key in ${where}`, addKey(valid, path, 'a.b'), 'a.b'))
      }
      list.push(bad(`an array for the object ${where}`, bend(valid, path, [value])))
      if (path.length > 0) list.push(bad(`null for the object ${where}`, bend(valid, path, null)))
    } else if (Array.isArray(value)) {
      list.push(bad(`an object for the array ${where}`, bend(valid, path, { 0: value[0] })))
    } else if (typeof value === 'number') {
      list.push(bad(`"${value}" (a string) for the number ${where}`, bend(valid, path, String(value))))
      list.push(bad(`1e400 for ${where}`, bend(valid, path, HUGE)))
      list.push(bad(`2^60 for ${where}`, bend(valid, path, 2 ** 60)))
      list.push(bad(`-2^60 for ${where}`, bend(valid, path, -(2 ** 60))))
      list.push({ name: `-1 for ${where}`, raw: bend(valid, path, -1), status: 0 })
    } else if (typeof value === 'string') {
      list.push(bad(`a number for the string ${where}`, bend(valid, path, 12345)))
      list.push(bad(`an overlong string for ${where}`, bend(valid, path, 'x'.repeat(20_000))))
      list.push(bad(`an object for the string ${where}`, bend(valid, path, { $gt: '' })))
    }
    // (an array of anything, like the batch's events, takes nested arrays as items: they are rejected one by one)
    if (path.length > 0 && (descend || !Array.isArray(value))) list.push(bad(`nesting 20 deep in ${where}`, bend(valid, path, JSON.parse(deep(20)))))
  }
  list.push(
    bad('null', 'null'),
    bad('an empty body', ''),
    bad('a string', '"hello"'),
    bad('an array of the body', JSON.stringify([valid])),
    bad('broken JSON', '{"a": '),
    bad('a __proto__ key', '{"__proto__": {"polluted": true}}'),
    bad('nesting 10,000 deep', deep(10_000)),
    bad('a lone surrogate', '{"a": "\\ud800"}'),
    { name: 'the body as text/plain', raw: JSON.stringify(valid), contentType: 'text/plain', status: 415, code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE },
    { name: 'a form body', raw: 'code=1', contentType: 'application/x-www-form-urlencoded', status: 415, code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE },
    { name: 'an XML body', raw: '<a/>', contentType: 'application/xml', status: 415, code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE },
    { name: '6 MiB', raw: JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) }), status: 413, code: ErrorCodes.PAYLOAD_TOO_LARGE },
  )
  return list
}

function expectErrorShape(response: LightMyRequestResponse, status: number, code?: string) {
  const label = `${response.statusCode} ${response.body.slice(0, 300)}`
  if (status === 0) expect(response.statusCode, label).toBeGreaterThanOrEqual(400)
  else expect(response.statusCode, label).toBe(status)
  expect(response.statusCode, label).toBeLessThan(500)
  const body = response.json()
  expect(Object.keys(body).sort(), label).toEqual(['code', 'error', 'message', 'statusCode'])
  expect(body.statusCode).toBe(response.statusCode)
  expect(typeof body.message).toBe('string')
  if (code) expect(body.code, label).toBe(code)
  return body as { code: string; message: string }
}

describe('hostile input at every route', () => {
  const t = useTestApp()
  const ids = {} as Ids
  let memberToken: string
  let otherToken: string
  let adminToken: string

  beforeAll(async () => {
    const member = await t.login('hostile-member')
    const other = await t.login('hostile-other')
    const template = await t.app.coupons.templates.create({ name: '满 100 减 10', kind: 'amount', amountFen: 1_000, thresholdFen: 10_000, validity: { days: 30 } }, { actor: 'setup', role: 'admin' })
    const coupon = await t.app.coupons.issue({ templateId: template.id, memberId: member.memberId, key: 'hostile-setup', source: 'api' })
    Object.assign(ids, { memberId: member.memberId, otherMemberId: other.memberId, templateId: template.id, couponCode: coupon.coupon.code })
    const admin = { actor: 'setup', role: 'admin' }
    const mallItem = await t.app.mall.items.create({ kind: 'coupon', name: '券', pointsPrice: 10, stock: 5, couponTemplateId: template.id }, admin)
    const giftItem = await t.app.mall.items.create({ kind: 'gift', name: '礼', pointsPrice: 10, stock: 5 }, admin)
    const shopper = await t.login('hostile-mall')
    await t.app.adjustments.adjust(shopper.memberId, { kind: 'points', delta: 100, reason: 'setup', requestId: 'hostile-mall-setup' }, admin)
    const redeemed = await t.app.mall.redemptions.redeem(shopper.memberId, { itemId: giftItem.id, idempotencyKey: 'hostile-setup', address: { name: 'a', phone: '13800138000', region: 'r', detail: 'd' } })
    Object.assign(ids, { mallItemId: mallItem.id, giftItemId: giftItem.id, redemptionId: redeemed.redemption.id })

    memberToken = member.token
    otherToken = other.token
    adminToken = t.adminToken()
  })

  let caller = 0
  /**
   * Sends a route's request with the right credentials (a shop signature over the exact text sent), each from its
   * own address so that rate limits (10 a minute on the phone route) do not answer in the validator's place.
   */
  function send(key: string, options: { raw?: string; contentType?: string; url?: string; token?: string | null; method?: string; from?: string } = {}) {
    const route = ROUTES[key]!
    const method = options.method ?? key.split(' ')[0]!
    const url = options.url ?? route.path(ids)
    const headers: Record<string, string> = {}
    if (options.raw !== undefined) headers['content-type'] = options.contentType ?? 'application/json'
    const token = options.token === undefined ? (route.who === 'member' ? memberToken : route.who === 'admin' ? adminToken : null) : options.token
    if (token) headers.authorization = `Bearer ${token}`
    if (route.who === 'shop') {
      const timestamp = String(Math.floor(Date.now() / 1000))
      headers['x-shop-timestamp'] = timestamp
      headers['x-shop-signature'] = shopSignature(TEST_SHOP_SECRET, timestamp, options.raw ?? '')
    }
    caller++
    const remoteAddress = options.from ?? `10.${(caller >> 16) & 255}.${(caller >> 8) & 255}.${caller & 255}`
    return t.app.inject({ method: method as 'GET', url, headers, remoteAddress, ...(options.raw !== undefined ? { payload: options.raw } : {}) })
  }

  /** What must not change: the policy, the audit log, ledgers, members, orders and shop events. */
  async function snapshot() {
    const m = t.models
    const [policy, settings, audit, points, growth, members, orders, queued, events, memberDoc] = await Promise.all([
      send('GET /api/admin/loyalty-policy').then((r) => r.json()),
      m.Setting.find().lean(),
      m.Audit.countDocuments(),
      m.PointsEntry.countDocuments(),
      m.GrowthEntry.countDocuments(),
      m.Member.countDocuments(),
      m.Order.countDocuments(),
      m.ShopEventQueue.countDocuments(),
      m.ShopEvent.countDocuments(),
      m.Member.findById(ids.memberId).lean(),
    ])
    const coupons = {
      templates: await t.app.db.connection.model('CouponTemplate').find({}, { updatedAt: 0 }).lean(),
      coupons: await t.app.db.connection.model('Coupon').find({}, { updatedAt: 0 }).lean(),
    }
    return { policy, settings, audit, points, growth, members, orders, queued, events, memberDoc, coupons }
  }

  it('covers every route the app serves', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
    const served = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    expect(served.sort(), served.join('\n')).toEqual(Object.keys(ROUTES).sort())
    for (const key of Object.keys(ROUTES)) {
      const [method, path] = key.split(' ') as [string, string]
      expect(t.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), key).toBe(true)
    }
  })

  for (const [key, route] of Object.entries(ROUTES)) {
    if (!route.body) continue
    it(`${key}: refuses malformed, oversized, nested and hostile bodies with a 4xx, changing nothing`, async () => {
      const valid = route.body!(ids)
      // the batch's items are checked one by one (rejected in a 200): shop/hostile-events throws these at them
      const variants = hostileBodies(valid, { strict: !route.ignoresUnknown, descend: !key.endsWith('/batch') })
      const before = await snapshot()
      for (const variant of variants) {
        const response = await send(key, { raw: variant.raw, contentType: variant.contentType })
        const body = expectErrorShape(response, variant.status, variant.code)
        if (variant.names) expect(body.message, variant.name).toContain(variant.names)
      }
      await t.app.shopEvents.idle()
      expect(await snapshot()).toEqual(before)
    })
  }

  it('refuses an empty PATCH of the policy and a known field with an unknown one beside it, and audits nothing', async () => {
    const before = await snapshot()
    for (const body of [{}, { pointsPerYuan: 3, foo: 1 }, { expiry: { kind: 'days', days: 10, unit: 'weeks' } }, { tiers: { kind: 'lifetime', since: { $date: 0 } } }]) {
      const response = await send('PATCH /api/admin/loyalty-policy', { raw: JSON.stringify(body) })
      expectErrorShape(response, 400, ErrorCodes.VALIDATION_FAILED)
    }
    expect(await snapshot()).toEqual(before)
  })

  describe('credentials', () => {
    const sign = (claims: object) => t.app.jwt.sign(claims as never)
    const badTokens = (): Record<string, string | null> => ({
      'no token': null,
      garbage: 'garbage',
      'an overlong token': 'x'.repeat(10_000),
      'another secret': createSigner({ key: 'another-secret-entirely-0123456789' })({ sub: ids.memberId, role: 'member' }),
      'an expired token': createSigner({ key: TEST_JWT_SECRET, expiresIn: 3_600_000, clockTimestamp: Date.now() - 7_200_000 })({ sub: ids.memberId, role: 'member' }),
      'alg none': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: ids.memberId, role: 'admin' })).toString('base64url')}.`,
      'a subject that is not a member id': sign({ sub: 'x', role: 'member' }),
      'a subject that is an object': sign({ sub: { $ne: null }, role: 'member' }),
      'a subject of 10,000 characters': sign({ sub: 'a'.repeat(10_000), role: 'member' }),
      'no subject': sign({ role: 'member' }),
      'an unknown role': sign({ sub: '0123456789abcdef01234567', role: 'root' }),
      'a role that is an array': sign({ sub: '0123456789abcdef01234567', role: ['admin'] }),
    })

    for (const [key, route] of Object.entries(ROUTES)) {
      if (route.who !== 'member' && route.who !== 'admin') continue
      it(`${key}: answers 401/403 for missing, garbage and crafted tokens`, async () => {
        const before = await snapshot()
        const valid = route.body ? JSON.stringify(route.body(ids)) : undefined
        for (const [name, token] of Object.entries(badTokens())) {
          const response = await send(key, { token: token ?? '', raw: valid })
          // a well-signed token with a role that is not this route's: 403 on admin routes
          const allowed = route.who === 'admin' && name === 'a subject that is not a member id' ? [403] : [401]
          expect(allowed, `${name}: ${response.body}`).toContain(response.statusCode)
          expectErrorShape(response, response.statusCode, response.statusCode === 401 ? ErrorCodes.UNAUTHORIZED : ErrorCodes.FORBIDDEN)
        }
        const wrongRole = await send(key, { token: route.who === 'admin' ? memberToken : adminToken, raw: valid })
        expectErrorShape(wrongRole, route.who === 'admin' ? 403 : 401, route.who === 'admin' ? ErrorCodes.FORBIDDEN : ErrorCodes.UNAUTHORIZED)
        expect(await snapshot()).toEqual(before)
      })
    }

    it('a member token for a member that does not exist is a 404, not a 5xx', async () => {
      const ghost = sign({ sub: '0123456789abcdef01234567', role: 'member' })
      for (const url of ['/api/me', '/api/me/card']) {
        expectErrorShape(await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ghost}` } }), 404, ErrorCodes.NOT_FOUND)
      }
      const history = await t.app.inject({ method: 'GET', url: '/api/me/points/history', headers: { authorization: `Bearer ${ghost}` } })
      expect(history.statusCode).toBe(200)
      expect(history.json().items).toEqual([])
    })

    it('the shop routes answer 401 unsigned, with a wrong signature and with a stale timestamp', async () => {
      for (const key of Object.keys(ROUTES).filter((k) => ROUTES[k]!.who === 'shop')) {
        const route = ROUTES[key]!
        const raw = route.body ? JSON.stringify(route.body(ids)) : undefined
        const method = key.split(' ')[0] as 'GET'
        const headers = raw ? { 'content-type': 'application/json' } : {}
        const unsigned = await t.app.inject({ method, url: route.path(ids), headers, payload: raw })
        expectErrorShape(unsigned, 401, ErrorCodes.UNAUTHORIZED)
        const stale = String(Math.floor(Date.now() / 1000) - 3600)
        const wrong = await t.app.inject({
          method,
          url: route.path(ids),
          payload: raw,
          headers: { ...headers, 'x-shop-timestamp': stale, 'x-shop-signature': shopSignature(TEST_SHOP_SECRET, stale, raw ?? '') },
        })
        expectErrorShape(wrong, 401, ErrorCodes.UNAUTHORIZED)
        const now = String(Math.floor(Date.now() / 1000))
        const garbage = await t.app.inject({ method, url: route.path(ids), payload: raw, headers: { ...headers, 'x-shop-timestamp': now, 'x-shop-signature': 'z'.repeat(5000) } })
        expectErrorShape(garbage, 401, ErrorCodes.UNAUTHORIZED)
      }
    })
  })

  describe('path parameters', () => {
    const adjust = (memberId: string) => send('POST /api/admin/members/{memberId}/adjustments', { url: `/api/admin/members/${memberId}/adjustments`, raw: JSON.stringify(ROUTES['POST /api/admin/members/{memberId}/adjustments']!.body!(ids)) })

    it('refuses a member id that is not one (400), too long for the router (414) or unknown (404)', async () => {
      const before = await snapshot()
      for (const memberId of ['x', '%24where', '0123456789abcdef0123456Z', ids.memberId.toUpperCase(), `${ids.memberId}0`, '%00', 'a'.repeat(100)]) {
        expectErrorShape(await adjust(memberId), 400, ErrorCodes.VALIDATION_FAILED)
      }
      expectErrorShape(await adjust('a'.repeat(101)), 414, ErrorCodes.URI_TOO_LONG)
      expectErrorShape(await adjust('a'.repeat(5000)), 414, ErrorCodes.URI_TOO_LONG)
      expectErrorShape(await adjust('0123456789abcdef01234567'), 404, ErrorCodes.NOT_FOUND)
      expect(await snapshot()).toEqual(before)
    })

    it('looks up event ids up to the 128 characters the schema allows, and refuses longer ones with 400', async () => {
      const lookup = (eventId: string) => send('GET /api/integrations/shop/events/{eventId}', { url: `/api/integrations/shop/events/${eventId}` })
      for (const length of [1, 100, 101, 128]) expectErrorShape(await lookup('e'.repeat(length)), 404, ErrorCodes.NOT_FOUND)
      for (const eventId of ['%24where', 'a.b', '..%2F..%2Fetc', '%00']) expectErrorShape(await lookup(eventId), 404, ErrorCodes.NOT_FOUND)
      for (const length of [129, 5000]) expectErrorShape(await lookup('e'.repeat(length)), 400, ErrorCodes.VALIDATION_FAILED)
    })
  })

  describe('GET /api/me/points/history query', () => {
    const history = (query: string, token = memberToken) =>
      t.app.inject({ method: 'GET', url: `/api/me/points/history?${query}`, headers: { authorization: `Bearer ${token}` } })
    const cursor = (text: string) => Buffer.from(text).toString('base64url')

    it('refuses wrong, huge, negative and unknown query values with 400', async () => {
      const queries = [
        'limit=abc',
        'limit=1e400',
        'limit=-1',
        'limit=0',
        'limit=101',
        `limit=${2 ** 60}`,
        'limit=5.5',
        'limit=',
        'foo=1',
        '%24where=1',
        'limit[$gt]=1',
        `cursor=${'x'.repeat(600)}`,
        'cursor=!!!',
        `cursor=${cursor('[1e400,"x"]')}`,
        `cursor=${cursor('[-1e400,"x"]')}`,
        `cursor=${cursor('[1,{"$gt":""}]')}`,
        `cursor=${cursor('[1.5,"x"]')}`,
        `cursor=${cursor('[1,"x",3]')}`,
        `cursor=${cursor('{"at":1,"id":"x"}')}`,
        `cursor=${cursor('[null,null]')}`,
        `cursor=${cursor('not json at all')}`,
        `cursor=${cursor(`[1,"${'x'.repeat(2000)}"]`)}`,
      ]
      for (const query of queries) {
        const response = await history(query)
        expect(response.statusCode, `${query}: ${response.body}`).toBe(400)
        expectErrorShape(response, 400, ErrorCodes.VALIDATION_FAILED)
      }
    })

    it("answers only the member's own entries whatever the cursor points at (another member's entry, say)", async () => {
      const admin = (memberId: string, requestId: string) =>
        t.app.inject({
          method: 'POST',
          url: `/api/admin/members/${memberId}/adjustments`,
          headers: { authorization: `Bearer ${adminToken}` },
          payload: { kind: 'points', delta: 7, reason: 'cursor test', requestId },
        })
      expect((await admin(ids.otherMemberId, 'cursor-other-0001')).statusCode).toBe(200)
      expect((await admin(ids.memberId, 'cursor-mine-00001')).statusCode).toBe(200)
      const theirs = (await history('limit=1', otherToken)).json().items[0]
      expect(theirs.id).toBe(`adjust:${ids.otherMemberId}:cursor-other-0001`)
      // a cursor naming the other member's entry, a moment after it: still only this member's entries
      const page = await history(`cursor=${cursor(JSON.stringify([Date.parse(theirs.at) + 60_000, theirs.id]))}`)
      expect(page.statusCode).toBe(200)
      expect(page.json().items.map((e: { id: string }) => e.id)).toEqual([`adjust:${ids.memberId}:cursor-mine-00001`])
    })
  })

  describe('methods, unknown paths and errors outside the routes', () => {
    it('answers a known path with another method 405 and an Allow header', async () => {
      // the methods the table serves at a url (GET …/events/batch is the status of an event called "batch")
      const servedAt = (url: string) =>
        Object.keys(ROUTES)
          .filter((k) => new RegExp(`^${k.split(' ')[1]!.replace(/\{\w+\}/g, '[^/]+')}$`).test(url))
          .map((k) => k.split(' ')[0]!)
      for (const key of Object.keys(ROUTES)) {
        const url = key.split(' ')[1]!.replace('{memberId}', ids.memberId).replace('{eventId}', 'evt-1')
        const allowed = servedAt(url)
        for (const other of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => !allowed.includes(m))) {
          const response = await t.app.inject({ method: other as 'GET', url, headers: { authorization: `Bearer ${adminToken}` } })
          expectErrorShape(response, 405, ErrorCodes.METHOD_NOT_ALLOWED)
          for (const m of allowed) expect(response.headers.allow, `${other} ${url}`).toContain(m)
        }
      }
    })

    it('answers unknown paths 404 with any method, before reading the body', async () => {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const response = await t.app.inject({ method: method as 'GET', url: '/api/nope/deeper?x=1', headers: { 'content-type': 'text/plain' }, payload: method === 'GET' ? undefined : 'x'.repeat(2 * 1024 * 1024) })
        expectErrorShape(response, 404, ErrorCodes.NOT_FOUND)
      }
      expectErrorShape(await t.app.inject({ method: 'GET', url: `/${'a'.repeat(5000)}` }), 404, ErrorCodes.NOT_FOUND)
    })

    it('answers a path with broken percent-encoding 400 in the error shape (the app is created as server.ts creates it)', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/members/%E0%A4%A/adjustments' })
      expectErrorShape(response, 400, ErrorCodes.VALIDATION_FAILED)
    })

    it('answers 429 in the error shape', async () => {
      let response: LightMyRequestResponse | undefined
      for (let i = 0; i < 12; i++) {
        // the phone route counts well-formed requests per member (a malformed body is a 400 that costs nothing)
        response = await send('POST /api/me/phone', { raw: JSON.stringify({ code: 'not-a-phone-code' }), from: '192.0.2.1' })
        if (response.statusCode === 429) break
      }
      expectErrorShape(response!, 429, ErrorCodes.RATE_LIMITED)
    })
  })
})

describe('strict request schemas, checked at boot', () => {
  const boot = async (schema: Record<string, unknown>, config: Record<string, unknown> = {}) => {
    const app = Fastify()
    await app.register(errorHandler)
    app.post('/x', { schema, config }, async () => ({}))
    try {
      await app.ready()
    } finally {
      await app.close()
    }
  }

  it('refuses to start a route whose body leaves an object open, at any depth', async () => {
    await expect(boot({ body: Type.Object({ a: Type.String({ maxLength: 5 }) }) })).rejects.toThrow(/additionalProperties/)
    const nested = Type.Object({ a: Type.Object({ b: Type.String({ maxLength: 5 }) }) }, { additionalProperties: false })
    await expect(boot({ body: nested })).rejects.toThrow(/body\.a: an object without additionalProperties/)
    await expect(boot({ querystring: Type.Object({ q: Type.String({ maxLength: 5 }) }) })).rejects.toThrow(/additionalProperties/)
  })

  it('refuses to start a route with an unbounded string, number or array', async () => {
    const closed = { additionalProperties: false }
    await expect(boot({ body: Type.Object({ s: Type.String() }, closed) })).rejects.toThrow(/body\.s: a string without maxLength/)
    await expect(boot({ body: Type.Object({ n: Type.Integer({ minimum: 0 }) }, closed) })).rejects.toThrow(/body\.n: a number without maximum/)
    await expect(boot({ body: Type.Object({ l: Type.Array(Type.Integer({ minimum: 0, maximum: 1 })) }, closed) })).rejects.toThrow(/body\.l: an array without maxItems/)
    await expect(boot({ body: { type: 'object', properties: {}, additionalProperties: false } })).rejects.toThrow(/TypeBox/)
  })

  it('starts a strict route, and an open one only where the contract says unknown fields are ignored', async () => {
    await expect(boot({ body: Type.Object({ s: Type.String({ maxLength: 5 }), u: Type.Union([Type.Literal('a'), Type.Literal('b')]) }, { additionalProperties: false }) })).resolves.toBeUndefined()
    await expect(boot({ body: Type.Object({ s: Type.String({ maxLength: 5 }) }) }, { acceptsUnknownFields: true })).resolves.toBeUndefined()
  })
})

describe('errors the router answers before any plugin (Fastify frameworkErrors)', () => {
  it('leave in the error shape when Fastify is created with frameworkErrors: answerFrameworkError', async () => {
    const app = Fastify({ frameworkErrors: answerFrameworkError })
    await app.register(errorHandler)
    app.get('/x/:id', { schema: { params: Type.Object({ id: Type.String({ maxLength: 10 }) }, { additionalProperties: false }) } }, async () => ({}))
    try {
      const response = await app.inject({ method: 'GET', url: '/x/%E0%A4%A' })
      expectErrorShape(response, 400, ErrorCodes.VALIDATION_FAILED)
      expect(response.json().message).toContain('percent-encoding')
    } finally {
      await app.close()
    }
  })
})
