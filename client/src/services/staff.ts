import { staffRequest } from './http'

// The Staff tab's page (main package): who I am and today's tasks. The other staff pages (packages/staff) have their
// own service, services/staff-counter.ts, which leaves the main package with them.

/** One of today's tasks for my store (GET /api/staff/tasks). */
export interface StaffTask {
  id: string
  kind: 'appointment' | 'birthday' | 'logistics_exception' | 'at_risk'
  memberId: string
  memberName: string
  phone: string | null
  title: string
  detail: string
  due: string | null
  done: boolean
  actions: ('call' | 'care' | 'note')[]
}

/** GET /api/staff/tasks — today's tasks for my store */
export const getTasks = () => staffRequest<{ date: string; store: string; items: StaffTask[] }>('GET', '/api/staff/tasks')

/** POST / DELETE /api/staff/tasks/{id}/done */
export const markTaskDone = (id: string, done: boolean) =>
  staffRequest<{ id: string; done: boolean }>(done ? 'POST' : 'DELETE', `/api/staff/tasks/${encodeURIComponent(id)}/done`, done ? {} : undefined)
