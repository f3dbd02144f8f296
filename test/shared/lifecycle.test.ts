import { describe, expect, it } from 'vitest'
import {
  boundariesIncrease,
  DEFAULT_LIFECYCLE_BOUNDARIES,
  LIFECYCLE_STAGE_LABELS,
  LIFECYCLE_STAGES,
  medianGapDays,
  nextChangeAt,
  purchaseDayGaps,
  stageOf,
} from '../../shared/src/lifecycle.js'

// a purchase at 23:30 Shanghai on 1 March 2026 (15:30 UTC)
const lastAt = new Date('2026-03-01T15:30:00Z')
/** 00:00 Shanghai, `days` calendar days after the purchase's day */
const midnightAfter = (days: number) => new Date(Date.UTC(2026, 2, 1 + days) - 8 * 3_600_000)
/** one minute before that midnight */
const justBefore = (days: number) => new Date(midnightAfter(days).getTime() - 60_000)

describe('lifecycle stages', () => {
  it('has a label for every stage', () => {
    for (const stage of LIFECYCLE_STAGES) expect(LIFECYCLE_STAGE_LABELS[stage]).toBeTruthy()
  })

  it('is prospect without a purchase', () => {
    expect(stageOf({ purchaseDays: 0, lastAt: null }, midnightAfter(3))).toBe('prospect')
    expect(nextChangeAt({ purchaseDays: 0, lastAt: null }, midnightAfter(3))).toBeNull()
  })

  it('counts Shanghai calendar days: 30 minutes after a 23:30 purchase is day 1', () => {
    const one = { purchaseDays: 1, lastAt }
    expect(stageOf(one, justBefore(1))).toBe('new_0_5')
    expect(stageOf(one, justBefore(5))).toBe('new_0_5') // day 4, 23:59
    expect(stageOf(one, midnightAfter(5))).toBe('new_5_30') // day 5, 00:00
  })

  const one = [
    [4, 'new_0_5'],
    [5, 'new_5_30'],
    [29, 'new_5_30'],
    [30, 'new_30_45'],
    [44, 'new_30_45'],
    [45, 'at_risk'],
    [89, 'at_risk'],
    [90, 'lapsed'],
    [179, 'lapsed'],
    [180, 'dormant'],
  ] as const
  for (const [days, stage] of one) {
    it(`one purchase day: day ${days} is ${stage} from its first to its last minute`, () => {
      expect(stageOf({ purchaseDays: 1, lastAt }, midnightAfter(days))).toBe(stage)
      expect(stageOf({ purchaseDays: 1, lastAt }, justBefore(days + 1))).toBe(stage)
    })
  }

  const repeat = [
    [0, 'repeat'],
    [44, 'repeat'],
    [45, 'at_risk'],
    [89, 'at_risk'],
    [90, 'lapsed'],
    [179, 'lapsed'],
    [180, 'dormant'],
  ] as const
  for (const [days, stage] of repeat) {
    it(`two purchase days: day ${days} is ${stage}`, () => {
      expect(stageOf({ purchaseDays: 2, lastAt }, midnightAfter(days))).toBe(stage)
      expect(stageOf({ purchaseDays: 2, lastAt }, justBefore(days + 1))).toBe(stage)
    })
  }

  it('gives the next change as the Shanghai midnight the next stage starts', () => {
    const one = { purchaseDays: 1, lastAt }
    expect(nextChangeAt(one, lastAt)).toEqual(midnightAfter(5))
    expect(nextChangeAt(one, midnightAfter(5))).toEqual(midnightAfter(30))
    expect(nextChangeAt(one, midnightAfter(44))).toEqual(midnightAfter(45))
    expect(nextChangeAt(one, midnightAfter(90))).toEqual(midnightAfter(180))
    expect(nextChangeAt(one, midnightAfter(180))).toBeNull()
    const two = { purchaseDays: 2, lastAt }
    expect(nextChangeAt(two, lastAt)).toEqual(midnightAfter(45))
    expect(nextChangeAt(two, midnightAfter(45))).toEqual(midnightAfter(90))
  })

  it('follows other boundaries (a jewelry brand)', () => {
    const b = { newCare: 10, newOffer: 60, atRisk: 120, lapsed: 365, dormant: 730 }
    expect(stageOf({ purchaseDays: 1, lastAt }, midnightAfter(9), b)).toBe('new_0_5')
    expect(stageOf({ purchaseDays: 1, lastAt }, midnightAfter(60), b)).toBe('new_30_45')
    expect(stageOf({ purchaseDays: 3, lastAt }, midnightAfter(119), b)).toBe('repeat')
    expect(stageOf({ purchaseDays: 3, lastAt }, midnightAfter(365), b)).toBe('lapsed')
  })

  it('accepts only increasing boundaries', () => {
    expect(boundariesIncrease(DEFAULT_LIFECYCLE_BOUNDARIES)).toBe(true)
    expect(boundariesIncrease({ ...DEFAULT_LIFECYCLE_BOUNDARIES, atRisk: 30 })).toBe(false)
    expect(boundariesIncrease({ ...DEFAULT_LIFECYCLE_BOUNDARIES, newCare: 0 })).toBe(false)
  })

  it('measures gaps between purchase days and their median', () => {
    // two payments the same Shanghai day are one purchase day
    const gaps = purchaseDayGaps([lastAt, new Date('2026-03-01T02:00:00Z'), midnightAfter(10), midnightAfter(40)])
    expect(gaps).toEqual([10, 30])
    expect(medianGapDays(gaps)).toBe(20)
    expect(medianGapDays([3, 1, 2])).toBe(2)
    expect(medianGapDays([])).toBeNull()
  })
})
