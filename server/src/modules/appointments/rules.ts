import { PRIORITY_BENEFIT_ICON, PRIORITY_EXTRA_DAYS, daysFromDate, shanghaiDate, type Store, type TierDefinition } from '@member-center/shared'

/**
 * Appointment rules (pure, no I/O): a store's slots on a date, whether an instant starts one, how far ahead a member
 * books, what is left of a slot for a member. Hours are Shanghai's wall clock (UTC+8, no daylight saving).
 */

const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const MINUTE_MS = 60_000

export type StoreRules = Pick<Store, 'hours' | 'slotMinutes' | 'capacity' | 'priorityCapacity' | 'bookingDays'>

/** Minutes after midnight of HH:MM. */
export function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number) as [number, number]
  return h * 60 + m
}

/** Why a store's hours and places do not work, or null: close after open with room for a slot; reserved ≤ capacity. */
export function storeProblem(store: StoreRules): string | null {
  const open = minutesOf(store.hours.open)
  const close = minutesOf(store.hours.close)
  if (close <= open) return `hours.close (${store.hours.close}) must be after hours.open (${store.hours.open})`
  if (close - open < store.slotMinutes) return `the hours ${store.hours.open}–${store.hours.close} leave no room for one slot of ${store.slotMinutes} minutes`
  if (store.priorityCapacity > store.capacity) return `priorityCapacity (${store.priorityCapacity}) must be at most capacity (${store.capacity})`
  return null
}

/** The instant of a Shanghai date's wall-clock minute. */
function instantOf(date: string, minutes: number): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS + minutes * MINUTE_MS)
}

/** The starts of a store's slots on a Shanghai date: from open, every slotMinutes, each ending by close. */
export function slotStarts(store: StoreRules, date: string): Date[] {
  const open = minutesOf(store.hours.open)
  const close = minutesOf(store.hours.close)
  const starts: Date[] = []
  for (let m = open; m + store.slotMinutes <= close; m += store.slotMinutes) starts.push(instantOf(date, m))
  return starts
}

/** Whether an instant is the start of one of the store's slots (on the grid from open, ending by close, whole minutes). */
export function isSlotStart(store: StoreRules, start: Date): boolean {
  return slotStarts(store, shanghaiDate(start)).some((s) => s.getTime() === start.getTime())
}

export function slotEnd(store: Pick<Store, 'slotMinutes'>, start: Date): Date {
  return new Date(start.getTime() + store.slotMinutes * MINUTE_MS)
}

/** A slot counter's id: the store and the start (a store code has no `|`). */
export function slotKey(store: string, start: Date): string {
  return `${store}|${start.toISOString()}`
}

/** A tier gives priority appointments when one of its benefits carries the priority icon (优先预约). */
export function isPriorityTier(tier: Pick<TierDefinition, 'benefits'> | null | undefined): boolean {
  return (tier?.benefits ?? []).some((b) => b.icon === PRIORITY_BENEFIT_ICON)
}

/** How many days after today a member books: the store's bookingDays, 7 more for a priority tier. */
export function horizonDays(store: Pick<Store, 'bookingDays'>, priority: boolean): number {
  return store.bookingDays + (priority ? PRIORITY_EXTRA_DAYS : 0)
}

/** Whether a Shanghai date is bookable today: from today through today + horizon. */
export function withinHorizon(date: string, today: string, days: number): boolean {
  const ahead = daysFromDate(today, date)
  return ahead >= 0 && ahead <= days
}

/**
 * Why a member (or staff, `days` given as the longest horizon) may not book a slot starting at `start`, or null: not
 * on the store's slot grid, already started, beyond the horizon.
 */
export function slotProblem(store: StoreRules, start: Date, now: Date, days: number): string | null {
  if (!isSlotStart(store, start)) {
    return `${start.toISOString()} is not the start of a slot: slots run from ${store.hours.open} to ${store.hours.close} (Shanghai), every ${store.slotMinutes} minutes`
  }
  if (start.getTime() <= now.getTime()) return `the slot at ${start.toISOString()} has already started`
  if (!withinHorizon(shanghaiDate(start), shanghaiDate(now), days)) return `the slot at ${start.toISOString()} is more than ${days} days ahead`
  return null
}

/** The counter's units taken (a slot nobody booked yet has none). */
export interface Units {
  booked: number
  priorityBooked: number
}

/** What is left of a slot: general places for anyone, reserved ones for priority tiers only. */
export function unitsLeft(store: Pick<Store, 'capacity' | 'priorityCapacity'>, units: Units | null): { general: number; reserved: number } {
  return {
    general: Math.max(0, store.capacity - store.priorityCapacity - (units?.booked ?? 0)),
    reserved: Math.max(0, store.priorityCapacity - (units?.priorityBooked ?? 0)),
  }
}

/** A slot as one member sees it: what they could book, whether only reserved places remain, whether it is full for them. */
export function slotFor(store: Pick<Store, 'capacity' | 'priorityCapacity'>, units: Units | null, priority: boolean): { left: number; priority: boolean; full: boolean } {
  const { general, reserved } = unitsLeft(store, units)
  const left = general + (priority ? reserved : 0)
  return { left, priority: general === 0 && reserved > 0, full: left === 0 }
}
