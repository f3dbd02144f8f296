import type { Appointment, AppointmentList, CreateAppointment, Slots, StoreList } from '@member-center/shared'
import { request } from './http'

// Booking a store visit (subpackage packages/appointments only).

/** GET /api/stores — the brand's open stores */
export const getStores = () => request<StoreList>('GET', '/api/stores')

/** GET /api/appointments/slots — a store's slots on a day, as this member can book them */
export const getSlots = (store: string, date: string) => request<Slots>('GET', `/api/appointments/slots?store=${encodeURIComponent(store)}&date=${date}`)

/** POST /api/me/appointments — the same idempotencyKey again answers the same appointment */
export const bookAppointment = (body: CreateAppointment) =>
  request<Appointment>('POST', '/api/me/appointments', body, {
    SLOT_FULL: '这个时段刚刚约满了，请换一个时段。',
    LIMIT_REACHED: '你已有两个待到店的预约，请先完成或取消一个。',
  })

/** GET /api/me/appointments */
export const getMyAppointments = () => request<AppointmentList>('GET', '/api/me/appointments')

/** POST /api/me/appointments/{id}/cancel */
export const cancelMyAppointment = (id: string) => request<Appointment>('POST', `/api/me/appointments/${id}/cancel`, {})
