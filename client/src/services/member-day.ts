import type { Coupon, MemberDayView } from '@member-center/shared'
import { request } from './http'

/** GET /api/member-day — the configured days, the next one with its theme, offers and member prices, and mine */
export const getMemberDay = () => request<MemberDayView>('GET', '/api/member-day')

/** POST /api/me/member-day/visits — "I opened the mini-program": counts the visit, issues the day's coupons when due */
export const visitMemberDay = () => request<{ isMemberDay: boolean; date: string | null; issued: Coupon[] }>('POST', '/api/me/member-day/visits', {})
