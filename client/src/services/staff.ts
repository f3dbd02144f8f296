import type { StaffTask, StaffTaskList } from '@member-center/shared'
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
