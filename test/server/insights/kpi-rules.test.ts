import { DAY_MS, shanghaiDayNumber } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import {
  MemberTally,
  cohorts,
  dayString,
  defaultFrom,
  kpiCsv,
  mergePurchaseDays,
  minusMonths,
  parseDay,
  rangeProblem,
  ratio,
  rollingCounts,
  rollingYear,
  seriesPoints,
} from '../../../server/src/modules/insights/kpi-rules.js'

/** The KPI report's pure rules (issue 14 "KPIs"): no database. */
const d = (date: string) => parseDay(date)!

describe('days and ranges', () => {
  it('parses real calendar days only', () => {
    expect(dayString(d('2026-03-15'))).toBe('2026-03-15')
    expect(parseDay('2026-02-30')).toBeNull()
    expect(parseDay('2026-02-29')).toBeNull()
    expect(parseDay('2024-02-29')).not.toBeNull()
    expect(parseDay('2026-13-01')).toBeNull()
    expect(parseDay('2026-00-10')).toBeNull()
    expect(parseDay('26-03-01')).toBeNull()
  })

  it('agrees with the Shanghai day of an instant', () => {
    // 23:30 Shanghai on 1 March is 15:30 UTC: still 1 March; 00:30 on 2 March is 16:30 UTC on 1 March
    expect(shanghaiDayNumber(new Date('2026-03-01T15:30:00Z'))).toBe(d('2026-03-01'))
    expect(shanghaiDayNumber(new Date('2026-03-01T16:30:00Z'))).toBe(d('2026-03-02'))
  })

  it('goes back whole months, clamped to the month end', () => {
    expect(dayString(minusMonths(d('2026-03-31'), 1))).toBe('2026-02-28')
    expect(dayString(minusMonths(d('2024-03-31'), 1))).toBe('2024-02-29')
    expect(dayString(minusMonths(d('2026-01-15'), 12))).toBe('2025-01-15')
    expect(dayString(minusMonths(d('2026-01-15'), 13))).toBe('2024-12-15')
  })

  it('takes the rolling year as to − 12 months + 1 day … to', () => {
    const w = rollingYear(d('2026-03-15'))
    expect([dayString(w.from), dayString(w.to)]).toEqual(['2025-03-16', '2026-03-15'])
    const feb = rollingYear(d('2024-02-29'))
    expect(dayString(feb.from)).toBe('2023-03-01')
    const dec = rollingYear(d('2025-12-31'))
    expect(dayString(dec.from)).toBe('2025-01-01')
  })

  it('defaults from to the first of the month 11 months before to, and refuses reversed or longer than 36 months', () => {
    expect(dayString(defaultFrom(d('2026-03-15')))).toBe('2025-04-01')
    expect(rangeProblem(d('2026-03-16'), d('2026-03-15'))).toMatch(/on or before/)
    expect(rangeProblem(d('2023-03-15'), d('2026-03-15'))).toBeNull()
    expect(rangeProblem(d('2023-03-14'), d('2026-03-15'))).toMatch(/36 months/)
    expect(rangeProblem(d('2026-03-15'), d('2026-03-15'))).toBeNull()
  })

  it('values each month of the series at its last day, the last month at to', () => {
    expect(seriesPoints(d('2026-01-20'), d('2026-03-10')).map((p) => [p.month, dayString(p.at)])).toEqual([
      ['2026-01', '2026-01-31'],
      ['2026-02', '2026-02-28'],
      ['2026-03', '2026-03-10'],
    ])
    expect(seriesPoints(d('2026-03-05'), d('2026-03-05')).map((p) => [p.month, dayString(p.at)])).toEqual([['2026-03', '2026-03-05']])
    expect(seriesPoints(d('2025-11-01'), d('2026-01-31')).map((p) => p.month)).toEqual(['2025-11', '2025-12', '2026-01'])
  })
})

describe('purchase days and the rolling figures', () => {
  it('merges payments of the same day into one purchase day, ascending', () => {
    expect(mergePurchaseDays([5, 3, 5, 9, 3])).toEqual([3, 5, 9])
  })

  it('counts customers, old customers and repeat customers in the rolling year', () => {
    const at = d('2026-03-31') // rolling year 2025-04-01 … 2026-03-31
    const members = [
      [d('2026-03-01')], // customer, new (one day ever)
      [d('2024-06-01'), d('2026-02-01')], // customer, old (bought before), not a repeat in the year
      [d('2025-05-01'), d('2025-09-01')], // customer, old and repeat
      [d('2025-03-31')], // just outside the window: not a customer
      [d('2025-04-01')], // the window's first day: a customer
      [d('2026-04-01')], // after the end: not counted
      [d('2025-01-01'), d('2026-04-02')], // nothing in the window
    ]
    expect(rollingCounts(members, [at])).toEqual([{ customers: 4, oldCustomers: 2, repeatCustomers: 1 }])
    // at 2026-01-31 (2025-02-01 … 2026-01-31): members 3 (repeat), 4, 5 and the last one's 2025-01-01 is out
    expect(rollingCounts(members, [d('2026-01-31')])).toEqual([{ customers: 3, oldCustomers: 1, repeatCustomers: 1 }])
  })

  it('gives null ratios for an empty denominator', () => {
    expect(ratio(0, 0)).toBeNull()
    expect(ratio(1, 4)).toBe(0.25)
  })
})

describe('1→2 cohorts', () => {
  it('counts second purchase days within 30/90/180 days of the first, rates null until the window elapsed for the whole cohort', () => {
    const jan = [
      [d('2026-01-01'), d('2026-01-31')], // 30 days: within 30, 90, 180
      [d('2026-01-10'), d('2026-02-10')], // 31 days: within 90 and 180
      [d('2026-01-31'), d('2026-07-30')], // 180 days: within 180
      [d('2026-01-20'), d('2026-07-19'), d('2026-07-20')], // 180 days: within 180
      [d('2026-01-05'), d('2026-07-05')], // 181 days: none
      [d('2026-01-15')], // none
    ]
    const older = [[d('2025-12-31'), d('2026-01-02')]] // first in December: another cohort
    const all = [...jan, ...older]
    // on 2026-09-30 every window of January has elapsed (31 Jan + 180 = 30 July)
    const [c] = cohorts(all, ['2026-01'], d('2026-09-30'))
    expect(c).toEqual({ month: '2026-01', firstBuyers: 6, within30: 1, within90: 2, within180: 4, rate30: 1 / 6, rate90: 2 / 6, rate180: 4 / 6 })
    // on 2026-07-29: the 180-day window of a 31 January buyer ends 30 July — counts shown (the purchase of 30 July
    // is not known yet: 3 so far), rate null
    const [early] = cohorts(all, ['2026-01'], d('2026-07-29'))
    expect(early).toMatchObject({ firstBuyers: 6, within180: 3, rate30: 1 / 6, rate90: 2 / 6, rate180: null })
    // on 2026-03-01: 31 January + 30 = 2 March not reached: rate30 null too
    expect(cohorts(all, ['2026-01'], d('2026-03-01'))[0]).toMatchObject({ rate30: null, rate90: null })
    expect(cohorts(all, ['2026-01'], d('2026-03-02'))[0]!.rate30).toBe(1 / 6)
    expect(cohorts(all, ['2025-12'], d('2026-09-30'))[0]).toMatchObject({ firstBuyers: 1, within30: 1, rate30: 1 })
    expect(cohorts([], ['2026-02'], d('2026-12-31'))[0]).toMatchObject({ firstBuyers: 0, rate30: null, rate180: null })
  })
})

describe('member tally', () => {
  it('counts members joined by to, active in the 30 days up to to, new per month, tiers and points', () => {
    const tally = new MemberTally(d('2026-03-31'), ['2026-02', '2026-03'])
    tally.add({ joinedDay: d('2026-02-10'), lastLoginDay: d('2026-03-02'), tierLevel: 1, available: 100, pending: 20 })
    tally.add({ joinedDay: d('2026-03-10'), lastLoginDay: d('2026-03-01'), tierLevel: 2, available: 5, pending: 0 })
    tally.add({ joinedDay: d('2025-01-10'), lastLoginDay: null, tierLevel: 9, available: 0, pending: 0 })
    tally.add({ joinedDay: d('2026-04-01'), lastLoginDay: d('2026-04-01'), tierLevel: 1, available: 1000, pending: 0 })
    expect({ total: tally.total, active30: tally.active30, available: tally.available, pending: tally.pending }).toEqual({ total: 3, active30: 1, available: 105, pending: 20 })
    expect(tally.newMembers()).toEqual([
      { month: '2026-02', members: 1 },
      { month: '2026-03', members: 1 },
    ])
    expect(tally.tierMix([{ level: 1, name: '银卡会员' }, { level: 2, name: '金卡会员' }, { level: 3, name: '铂金会员' }])).toEqual([
      { level: 1, name: '银卡会员', members: 1 },
      { level: 2, name: '金卡会员', members: 1 },
      { level: 3, name: '铂金会员', members: 0 },
      { level: 9, name: 'L9', members: 1 },
    ])
  })
})

describe('CSV', () => {
  it('writes one long table with a BOM, CRLF, quoted fields and neutralised formulas', () => {
    const csv = kpiCsv({
      from: '2026-03-01',
      to: '2026-03-31',
      store: null,
      customers: { value: 2, window: { from: '2025-04-01', to: '2026-03-31' }, series: [{ month: '2026-03', at: '2026-03-31', customers: 2 }] },
      oldCustomerRatio: { value: 0.5, customers: 2, oldCustomers: 1, series: [{ month: '2026-03', at: '2026-03-31', customers: 2, oldCustomers: 1, ratio: 0.5 }] },
      repeatRate: { value: null, customers: 0, repeatCustomers: 0, series: [{ month: '2026-03', at: '2026-03-31', customers: 0, repeatCustomers: 0, rate: null }] },
      cohorts: [],
      members: { total: 3, active30: 1, newByMonth: [{ month: '2026-03', members: 3 }] },
      tierMix: [{ level: 1, name: '银卡, "会员"', members: 3 }],
      pointsLiability: { available: 10, pending: 0, fenPerPoint: 1, availableFen: 10, pendingFen: 0 },
      coupons: { issued: 0, used: 0, byMonth: [] },
      messages: { total: 0, sent: 0, delivered: 0, read: 0, byChannel: {} },
      outreach: [{ id: 'o1', name: '=cmd', treated: 1, holdout: 1, treatedRate: 1, holdoutRate: 0, lift: 1, liftLow: null, liftHigh: null, incrementalRevenueFen: null }],
      at: new Date(0).toISOString(),
    })
    expect(csv.startsWith('\uFEFFfigure,label,month,at,name,value\r\n')).toBe(true)
    expect(csv).toContain('\r\ncustomers,客户数量（滚动12个月）,2026-03,2026-03-31,customers,2\r\n')
    expect(csv).toContain('\r\noldCustomerRatio,老客户比例,2026-03,2026-03-31,ratio,0.5000\r\n')
    expect(csv).toContain('\r\nrepeatRate,年内复购率,2026-03,2026-03-31,rate,\r\n')
    expect(csv).toContain('\r\ntierMix,等级分布,,2026-03-31,"银卡, ""会员""",3\r\n')
    expect(csv).toContain("\r\noutreach,触达效果,,,'=cmd (o1) treated,1\r\n")
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(DAY_MS).toBe(86_400_000)
  })
})
