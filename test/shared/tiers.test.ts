import { describe, expect, it } from 'vitest'
import { DEFAULT_TIERS, sortTiers, tierForGrowth, tierProgress } from '../../shared/src/tiers.js'

describe('tierForGrowth', () => {
  it.each([
    [0, 'silver'],
    [8_000, 'silver'],
    [8_001, 'gold'],
    [8_002, 'gold'],
    [80_000, 'gold'],
    [80_001, 'platinum'],
    [180_000, 'platinum'],
    [180_001, 'diamond'],
    [580_000, 'diamond'],
    [580_001, 'black-diamond'],
    [980_000, 'black-diamond'],
    [980_001, 'crown'],
    [5_000_000, 'crown'],
  ])('growth %i reaches %s', (growth, code) => {
    expect(tierForGrowth(DEFAULT_TIERS, growth).code).toBe(code)
  })

  it('does not depend on the order the table is stored in', () => {
    expect(tierForGrowth([...DEFAULT_TIERS].reverse(), 80_001).code).toBe('platinum')
  })
})

describe('tierProgress', () => {
  it('starts at 0 progress with the whole next threshold to go', () => {
    expect(tierProgress(DEFAULT_TIERS, 0)).toMatchObject({ toNext: 8_001, progress: 0 })
  })

  it('needs exactly 1 more growth just below a threshold', () => {
    const p = tierProgress(DEFAULT_TIERS, 8_000)
    expect(p.current.code).toBe('silver')
    expect(p.next?.code).toBe('gold')
    expect(p.toNext).toBe(1)
    expect(p.progress).toBeCloseTo(8_000 / 8_001, 10)
    expect(p.progress).toBeLessThan(1)
  })

  it('restarts at 0 progress exactly at a threshold', () => {
    const p = tierProgress(DEFAULT_TIERS, 8_001)
    expect(p.current.code).toBe('gold')
    expect(p.next?.code).toBe('platinum')
    expect(p.toNext).toBe(72_000)
    expect(p.progress).toBe(0)
  })

  it('moves on one point past a threshold', () => {
    const p = tierProgress(DEFAULT_TIERS, 8_002)
    expect(p.toNext).toBe(71_999)
    expect(p.progress).toBeCloseTo(1 / 72_000, 12)
  })

  it('is full with nothing to go at the top tier', () => {
    expect(tierProgress(DEFAULT_TIERS, 980_001)).toMatchObject({ next: null, toNext: 0, progress: 1 })
    expect(tierProgress(DEFAULT_TIERS, 2_000_000)).toMatchObject({ next: null, toNext: 0, progress: 1 })
  })
})

describe('sortTiers', () => {
  it('rejects a table whose first tier does not start at 0', () => {
    expect(() => sortTiers([{ level: 1, code: 'a', name: 'A', threshold: 10, pointsMultiplier: 1 }])).toThrow(/growth 0/)
  })
  it('rejects duplicate thresholds and levels out of order', () => {
    const base = { code: 'x', name: 'X', pointsMultiplier: 1 }
    expect(() => sortTiers([{ ...base, level: 1, threshold: 0 }, { ...base, level: 2, threshold: 0 }])).toThrow(/differ/)
    expect(() => sortTiers([{ ...base, level: 2, threshold: 0 }, { ...base, level: 1, threshold: 5 }])).toThrow(/ascend/)
  })
  it('rejects an empty table', () => {
    expect(() => sortTiers([])).toThrow()
  })
})
