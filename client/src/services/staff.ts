import type { PhoneReveal, StaffTask, StaffTaskList } from '@member-center/shared'
import { staffRequest } from './http'

export type { StaffTask }

// The Staff tab's page (main package): who I am and today's tasks. The other staff pages (packages/staff) have their
// own service, services/staff-counter.ts, which leaves the main package with them.

/**
 * The store an admin (who has none of their own) is looking at in the Staff tab; staff and managers always act for
 * their own, and the server ignores nothing: it refuses another store.
 */
let adminStore: string | null = null
export const chosenStore = () => adminStore
export const chooseStore = (code: string | null) => {
  adminStore = code
}
/** `&store=…` for an admin's calls, nothing for staff and managers. */
export const storeQuery = (prefix: '?' | '&') => (adminStore ? `${prefix}store=${encodeURIComponent(adminStore)}` : '')

/** GET /api/staff/tasks — today's tasks for my store */
export const getTasks = () => staffRequest<StaffTaskList>('GET', `/api/staff/tasks${storeQuery('?')}`)

/** GET /api/stores — the stores an admin chooses from */
export const getStoreList = () => staffRequest<{ items: { code: string; name: string }[] }>('GET', '/api/stores')

/** POST / DELETE /api/staff/tasks/{id}/done */
export const markTaskDone = (id: string, done: boolean) =>
  staffRequest<{ id: string; done: boolean }>(done ? 'POST' : 'DELETE', `/api/staff/tasks/${encodeURIComponent(id)}/done${storeQuery('?')}`, done ? {} : undefined)

/**
 * POST /api/staff/members/{id}/phone-reveals — the member's whole number, to call them (audited; a limited number an
 * hour per staff member). The task the call is for, if any, goes into the audit entry. Used by the tab's task rows and
 * the member page (packages/staff), so it lives here in the main package.
 */
export const revealPhone = (memberId: string, taskId?: string) =>
  staffRequest<PhoneReveal>('POST', `/api/staff/members/${memberId}/phone-reveals`, taskId ? { taskId } : {}, {
    CONFLICT: '这位会员没有绑定手机号，无法拨打。可以发送关怀消息或写一条备注。',
    NOT_FOUND: '没有找到这位会员。',
    RATE_LIMITED: '一小时内查看号码的次数太多了，请稍后再试。',
  })
