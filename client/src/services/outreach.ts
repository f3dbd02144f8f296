import type { Outreach, OutreachResults } from '@member-center/shared'
import { staffRequest } from './http'

export type { Outreach, OutreachResults }

// The outreach review pages of the Staff tab (packages/staff/outreach, outreach-review) only: they leave the main
// package with those pages. Admins only (the server refuses other roles).

const ADMINS_ONLY = { FORBIDDEN: '触达复盘只对管理员开放。' }

/** GET /api/admin/outreach — every outreach, newest first */
export const listOutreach = () => staffRequest<{ items: Outreach[] }>('GET', '/api/admin/outreach', undefined, ADMINS_ONLY)

/** GET /api/admin/outreach/{id}/results — the results against the holdout and the written review (复盘) */
export const getOutreachResults = (id: string) =>
  staffRequest<OutreachResults>('GET', `/api/admin/outreach/${id}/results`, undefined, { ...ADMINS_ONLY, NOT_FOUND: '没有找到这次触达。' })
