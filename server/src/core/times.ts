import { ValidationFailed } from './errors.js'

/** The earliest business time an input may report. */
export const EARLIEST_BUSINESS_TIME = new Date('2000-01-01T00:00:00Z')
/** How far ahead of the server's clock an input's time may be (clocks differ a little; a day is generous). */
export const MAX_AHEAD_MS = 86_400_000

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i

/** The instant an RFC 3339 time names (epoch ms), or null when one of its fields is out of range. */
export function exactInstant(text: string): number | null {
  const m = RFC3339.exec(text)
  if (!m) return null
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number]
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)]
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null
  // the day must exist in that month: Date.UTC would roll 31 February over into March
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : at
}

/**
 * The instant of a time a shop or an old CRM reported, or a 400: a time that names no real instant (2026-02-31,
 * 24:00, an offset of +25:00 — Date.parse would move them to another day), or one outside the plausible range:
 * before 2000-01-01, or more than a day ahead of the server's clock (`ahead: false`: any time after `now`).
 */
export function reportedTime(path: string, value: string, now: Date, { ahead = true } = {}): Date {
  const at = exactInstant(value)
  if (at === null) throw new ValidationFailed(`${path}: ${JSON.stringify(value)} is not a real date and time`)
  if (at < EARLIEST_BUSINESS_TIME.getTime()) throw new ValidationFailed(`${path}: ${value} is before 2000-01-01; send the time the fact happened`)
  if (at > now.getTime() + (ahead ? MAX_AHEAD_MS : 0)) {
    throw new ValidationFailed(`${path}: ${value} is ${ahead ? 'more than a day ' : ''}ahead of the server's clock (${now.toISOString()})`)
  }
  return new Date(at)
}
