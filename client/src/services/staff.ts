import type { StaffTask, StaffTaskList } from '@member-center/shared'
import { staffRequest } from './http'

export type { StaffTask }

// The Staff tab's page (main package): who I am and today's tasks. The other staff pages (packages/staff) have their
// own service, services/staff-counter.ts, which leaves the main package with them.

/** GET /api/staff/tasks — today's tasks for my store */
export const getTasks = () => staffRequest<StaffTaskList>('GET', '/api/staff/tasks')

/** POST / DELETE /api/staff/tasks/{id}/done */
export const markTaskDone = (id: string, done: boolean) =>
  staffRequest<{ id: string; done: boolean }>(done ? 'POST' : 'DELETE', `/api/staff/tasks/${encodeURIComponent(id)}/done`, done ? {} : undefined)
