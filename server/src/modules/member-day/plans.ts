import {
  isDateText,
  isMemberDayDate,
  memberDayDatesOfMonth,
  shanghaiDate,
  type MemberDayPlan,
  type MemberDayTheme,
  type MemberPrice,
  type PutMemberDayPlan,
} from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { Conflict, ValidationFailed } from '../../core/errors.js'
import type { MemberDayModels, PlanDoc } from './models.js'
import type { MemberDaySettingsStore } from './settings.js'

/** A date from a path, checked to be a real calendar date (400 otherwise). */
export function calendarDate(date: string, what = 'date'): string {
  if (!isDateText(date)) throw new ValidationFailed(`${what}: ${JSON.stringify(date)} is not a calendar date (YYYY-MM-DD)`)
  return date
}

/** How the configured days read in a message: "the 8th and 18th of each month". */
export function daysInWords(days: readonly number[]): string {
  const ordinal = (d: number) => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`
  const list = days.map(ordinal)
  return `the ${list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0]} of each month`
}

/**
 * Member-day plans: the theme (title, banner, description) and member prices of each member day, planned ahead by an
 * operator month by month. Content the mini-program shows; the shop charges the prices.
 */
export class MemberDayPlans {
  constructor(
    private readonly models: MemberDayModels,
    private readonly settings: MemberDaySettingsStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** The plan of a date (theme null, no prices when none was made). */
  async get(date: string): Promise<MemberDayPlan> {
    return planView(date, await this.models.Plan.findById(date).lean<PlanDoc>())
  }

  /** Each member day of a month YYYY-MM under the configured days, with its plan. */
  async month(month: string): Promise<MemberDayPlan[]> {
    const settings = await this.settings.current()
    const dates = memberDayDatesOfMonth(month, settings.days)
    const docs = new Map((await this.models.Plan.find({ _id: { $in: dates } }).lean<PlanDoc[]>()).map((d) => [d._id, d]))
    return dates.map((date) => planView(date, docs.get(date) ?? null))
  }

  /**
   * Sets a member day's plan (audited). The date must be one of the configured member days (409) and not in the past
   * (409: its day is over); a member price must be below the product's price, each SKU once (400).
   */
  async put(date: string, input: PutMemberDayPlan, actor: { actor: string; role: string }): Promise<MemberDayPlan> {
    calendarDate(date)
    const settings = await this.settings.current()
    if (!isMemberDayDate(date, settings.days)) {
      throw new Conflict(`${date} is not a member day: member days are ${daysInWords(settings.days)} (PUT /api/admin/member-day/settings)`)
    }
    const today = shanghaiDate(this.now())
    if (date < today) throw new Conflict(`the member day ${date} is over (today is ${today} in Shanghai): plan a coming one`)
    const skus = new Set<string>()
    for (const [i, p] of input.memberPrices.entries()) {
      if (p.memberPriceFen >= p.priceFen) {
        throw new ValidationFailed(`memberPrices.${i}.memberPriceFen: the member price (${p.memberPriceFen} fen) must be below the price (${p.priceFen} fen)`)
      }
      if (skus.has(p.sku)) throw new ValidationFailed(`memberPrices.${i}.sku: ${p.sku} is listed twice`)
      skus.add(p.sku)
    }
    const theme: MemberDayTheme | null = input.theme ? { title: input.theme.title, banner: input.theme.banner, description: input.theme.description } : null
    const memberPrices: MemberPrice[] = input.memberPrices.map((p) => ({ sku: p.sku, name: p.name, priceFen: p.priceFen, memberPriceFen: p.memberPriceFen }))
    await this.models.Plan.updateOne({ _id: date }, { $set: { theme, memberPrices, updatedBy: actor.actor } }, { upsert: true })
    await this.audit.record({ ...actor, action: 'member-day.plan', details: { date, theme, memberPrices }, at: this.now() })
    return { date, theme, memberPrices }
  }
}

function planView(date: string, doc: PlanDoc | null): MemberDayPlan {
  return { date, theme: (doc?.theme as MemberDayTheme | null) ?? null, memberPrices: (doc?.memberPrices as MemberPrice[] | undefined) ?? [] }
}
