import type { Coupon } from '@member-center/shared'
import { request } from './http'

// The coupon wallet (subpackage packages/coupons) only: kept apart from services/member.ts so that it leaves the main
// package with the pages that use it.

/** The wallet's three tabs (a voided coupon is in none of them). */
export type WalletState = 'usable' | 'used' | 'expired'

/** GET /api/me/coupons?state= — the member's coupons in one state */
export const getMyCoupons = (state: WalletState) => request<{ items: Coupon[] }>('GET', `/api/me/coupons?state=${state}`)
