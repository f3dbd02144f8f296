import type { MemberCard, MemberProfile, PointsHistoryPage, TierList } from '@member-center/shared'
import { request } from './http'

/** GET /api/me */
export const getProfile = () => request<MemberProfile>('GET', '/api/me')

/** GET /api/me/card */
export const getCard = () => request<MemberCard>('GET', '/api/me/card')

/** GET /api/me/points/history — newest first; pass the previous page's nextCursor for the next one */
export const getPointsHistory = (cursor?: string | null, limit = 20) =>
  request<PointsHistoryPage>('GET', `/api/me/points/history?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)

/** GET /api/tiers */
export const getTiers = () => request<TierList>('GET', '/api/tiers')

/** POST /api/me/phone — bind the phone behind a getPhoneNumber button's code */
export const bindPhone = (code: string) => request<MemberProfile>('POST', '/api/me/phone', { code })
