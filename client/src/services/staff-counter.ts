import type { AdvisorAssignment, CarePreview, Clienteling, ColleagueList, Coupon, MemberGlance, PurchaseRecorded, RecordPurchase, MyCustomers, StaffAppointment, StaffAppointmentList, StaffNote, UpdateClienteling } from '@member-center/shared'
import { staffRequest } from './http'
import { storeQuery } from './staff'

// The Staff tab's subpackage (packages/staff) only: kept apart from services/staff.ts so it leaves the main package
// with the pages that use it. Every call carries the staff token.

/** GET /api/staff/members/lookup?code= | ?phone= — the member at a glance (audited) */
export const lookupMember = (by: { code: string } | { phone: string }) =>
  staffRequest<MemberGlance>('GET', `/api/staff/members/lookup?${'code' in by ? `code=${encodeURIComponent(by.code)}` : `phone=${by.phone}`}`, undefined, {
    MEMBER_CODE_INVALID: '会员码已过期或无效，请让会员刷新会员码后重新扫描。',
    NOT_FOUND: '没有找到这个手机号的会员。',
  })

/** GET /api/staff/members/{id} */
export const getMemberGlance = (memberId: string) => staffRequest<MemberGlance>('GET', `/api/staff/members/${memberId}`)

/** POST /api/staff/members/{id}/notes */
export const addNote = (memberId: string, text: string) => staffRequest<StaffNote>('POST', `/api/staff/members/${memberId}/notes`, { text })

/** GET /api/staff/coupons/{code} — whose coupon it is, usable or why not */
export const checkCoupon = (code: string) =>
  staffRequest<{ coupon: Coupon; memberId: string; usable: boolean; reason: string | null }>('GET', `/api/staff/coupons/${encodeURIComponent(code.replace(/[\s-]/g, ''))}`, undefined, {
    NOT_FOUND: '没有这张券，请核对券码。',
  })

/** POST /api/staff/coupons/{code}/use — consume it for its member (once; audited) */
export const useCoupon = (code: string, memberId: string) =>
  staffRequest<Coupon>('POST', `/api/staff/coupons/${encodeURIComponent(code.replace(/[\s-]/g, ''))}/use`, { memberId }, {
    COUPON_NOT_USABLE: '这张券已使用、已过期或不属于该会员，未核销。',
  })

/** POST /api/staff/purchases — an in-store sale for the member, once per receipt number */
export const recordPurchase = (purchase: RecordPurchase) =>
  staffRequest<PurchaseRecorded>('POST', '/api/staff/purchases', purchase, {
    CONFLICT: '这个小票号已登记过另一笔消费，请核对小票号。',
    COUPON_NOT_USABLE: '填写的优惠券不能使用，消费未登记。',
  })

/** POST /api/staff/care-messages/preview — exactly what the member would see */
export const previewCare = (memberId: string, content: string) =>
  staffRequest<CarePreview>('POST', '/api/staff/care-messages/preview', { memberId, kind: 'staff_care', fields: { content } })

/** POST /api/staff/care-messages — send it (the member's preferences and caps apply) */
export const sendCare = (memberId: string, content: string, requestId: string) =>
  staffRequest<unknown>('POST', '/api/staff/care-messages', { memberId, kind: 'staff_care', fields: { content }, requestId }, {
    CONFLICT: '会员已关闭这类消息，未发送。',
    RATE_LIMITED: '发送太频繁了，请稍后再试。',
  })

/** GET /api/staff/appointments?date= — my store's appointments on a day */
export const getStoreAppointments = (date: string) => staffRequest<StaffAppointmentList>('GET', `/api/staff/appointments?date=${date}${storeQuery('&')}`)

/** POST /api/staff/appointments/{id}/{action} — confirm, complete, no-show, cancel (with a reason) */
export const actOnAppointment = (id: string, action: 'confirm' | 'complete' | 'no-show' | 'cancel', reason?: string) =>
  staffRequest<StaffAppointment>('POST', `/api/staff/appointments/${id}/${action}`, action === 'cancel' ? { reason } : {})

/** GET /api/staff/customers — the members whose advisor I am */
export const getMyCustomers = () => staffRequest<MyCustomers>('GET', '/api/staff/customers')

/** One entry of the audit log as the Staff tab reads it (GET /api/staff/audit; managers: their store). */
export interface AuditItem {
  id: string
  at: string
  actor: string
  actorName: string | null
  role: string
  store: string | null
  action: string
  memberId: string | null
  details: Record<string, unknown>
}

/** GET /api/staff/audit — who did what, newest first */
export const getAuditLog = (cursor?: string) =>
  staffRequest<{ items: AuditItem[]; nextCursor: string | null }>('GET', `/api/staff/audit?limit=30${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)

/** PUT /api/staff/members/{id}/clienteling — ring size, anniversaries, preferences (the fields given replace theirs) */
export const updateClienteling = (memberId: string, changes: UpdateClienteling) =>
  staffRequest<Clienteling>('PUT', `/api/staff/members/${memberId}/clienteling`, changes)

/** GET /api/staff/colleagues — a store's active staff and managers, to pick an advisor from (managers: their store; admins name it) */
export const getColleagues = (store?: string | null) =>
  staffRequest<ColleagueList>('GET', `/api/staff/colleagues${store ? `?store=${encodeURIComponent(store)}` : ''}`, undefined, {
    FORBIDDEN: '只有店长和管理员可以指定专属顾问。',
  })

/** PUT /api/staff/members/{id}/advisor — the member's dedicated advisor (managers: their store's staff; audited) */
export const assignAdvisor = (memberId: string, advisorId: string) =>
  staffRequest<AdvisorAssignment>('PUT', `/api/staff/members/${memberId}/advisor`, { advisorId }, {
    FORBIDDEN: '只能指定本店的店员为专属顾问。',
    NOT_FOUND: '没有找到这位店员或会员，请刷新后再试。',
    CONFLICT: '这位店员的账号已停用，请选择其他人。',
  })
