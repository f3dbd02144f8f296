import type { KpiReport } from '@member-center/shared'
import { staffRequest } from './http'
import { storeQuery } from './staff'

export type { KpiReport }

// The manager view of the Staff tab (packages/staff/kpis) only, so it leaves the main package with that page. Every
// call carries the staff token: managers see their own store (the server forces it), admins the store they picked in
// the tab, or every store when they picked none.

/** GET /api/admin/kpis?from&to — the KPIs for a range of months (YYYY-MM-DD, Shanghai days) */
export const getKpis = (range: { from: string; to: string }) =>
  staffRequest<KpiReport>('GET', `/api/admin/kpis?from=${range.from}&to=${range.to}${storeQuery('&')}`, undefined, {
    FORBIDDEN: '经营数据只对店长和管理员开放。如果你需要查看，请联系管理员调整你的角色。',
    UNAUTHORIZED: '你的门店员工登录已失效，请回到门店页重新进入。',
  })
