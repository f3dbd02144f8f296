import { APPOINTMENT_PURPOSE_LABELS, type AppointmentPurpose, type AppointmentStatus } from '@member-center/shared/appointments'

/** YYYY-MM-DD in Shanghai, `days` after today. */
export function shanghaiDate(days = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10)
}

/** 10:30 of an instant, Shanghai. */
export function clock(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(11, 16)
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

/** 12月18日 周五 */
export function dayLabel(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 周${WEEKDAYS[d.getUTCDay()]}`
}

/** 12月18日 周五 10:30 */
export function when(iso: string): string {
  const date = new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
  return `${dayLabel(date)} ${clock(iso)}`
}

export const purposeLabel = (p: AppointmentPurpose) => APPOINTMENT_PURPOSE_LABELS[p]

export const STATUS_TEXT: Record<AppointmentStatus, string> = {
  requested: '待门店确认',
  confirmed: '已确认',
  cancelled: '已取消',
  completed: '已到店',
  no_show: '未到店',
}
