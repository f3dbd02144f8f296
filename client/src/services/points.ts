import type { PointsHistoryPage, TierList } from '@member-center/shared'
import { request } from './http'

// The points area (subpackage packages/points) only: kept apart from services/member.ts so that it leaves the main
// package with the pages that use it.

/** GET /api/me/points/history — newest first; pass the previous page's nextCursor for the next one */
export const getPointsHistory = (cursor?: string | null, limit = 20) =>
  request<PointsHistoryPage>('GET', `/api/me/points/history?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)

/** GET /api/tiers */
export const getTiers = () => request<TierList>('GET', '/api/tiers')
