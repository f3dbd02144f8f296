import type {
  CreateRedemption,
  MemberMallItem,
  MemberMallItemList,
  RedeemRefusal,
  Redemption,
  RedemptionPage,
  ShippingAddress,
} from '@member-center/shared'
import { request } from './http'

// The points mall (subpackage packages/mall) only: kept apart from services/member.ts so that it leaves the main
// package with the pages that use it.

export type { MemberMallItem, RedeemRefusal, Redemption, ShippingAddress }

/** GET /api/mall/items — every item on sale, with what this member can redeem marked, and the member's points */
export const getMallItems = () => request<MemberMallItemList>('GET', '/api/mall/items')

/** GET /api/mall/items/:id */
export const getMallItem = (id: string) =>
  request<MemberMallItem>('GET', `/api/mall/items/${encodeURIComponent(id)}`, undefined, {
    NOT_FOUND: '这件礼遇已下架，看看其他礼遇吧。',
  })

/**
 * POST /api/mall/redemptions — 201 a new redemption, 200 the one made before under the same key (a double tap or a
 * retry after a network error redeems once). Refusals are 409 with the code; their sentences are in error-messages.ts.
 */
export const redeem = (body: CreateRedemption) =>
  request<Redemption>('POST', '/api/mall/redemptions', body, {
    VALIDATION_FAILED: '收货信息不完整或格式有误，请检查后再提交。',
    NOT_FOUND: '这件礼遇已下架，看看其他礼遇吧。',
    CONFLICT: '这次提交与刚才的兑换信息不一致，请返回积分商城重新兑换。',
  })

/** GET /api/me/redemptions — the member's redemptions, newest first; pass the previous page's nextCursor for the next */
export const getMyRedemptions = (cursor?: string | null, limit = 20) =>
  request<RedemptionPage>('GET', `/api/me/redemptions?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)

/** GET /api/me/redemptions/:id — one of the member's redemptions */
export const getMyRedemption = (id: string) =>
  request<Redemption>('GET', `/api/me/redemptions/${encodeURIComponent(id)}`, undefined, {
    NOT_FOUND: '没有找到这笔兑换，可在「兑换记录」中查看。',
  })

/** POST /api/me/redemptions/:id/cancel — a gift before it ships: the points and the stock come back */
export const cancelRedemption = (id: string) =>
  // (an empty JSON object: a JSON content type with no body at all is a 400)
  request<Redemption>('POST', `/api/me/redemptions/${encodeURIComponent(id)}/cancel`, {}, {
    CONFLICT: '礼品已经发出，无法取消兑换。如需帮助请联系专属顾问。',
  })
