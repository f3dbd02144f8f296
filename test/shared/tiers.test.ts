import { describe, expect, it } from 'vitest'
import { benefitsAdded, DEFAULT_TIERS, nextTier, sortTiers, tierAtLevel, tierForGrowth, tierProgress, tierTableProblem, type TierDefinition } from '../../shared/src/tiers.js'

describe('tierForGrowth', () => {
  it.each([
    [0, 'S1'],
    [8_000, 'S1'],
    [8_001, 'S2'],
    [8_002, 'S2'],
    [80_000, 'S2'],
    [80_001, 'S3'],
    [180_000, 'S3'],
    [180_001, 'S4'],
    [580_000, 'S4'],
    [580_001, 'S5'],
    [980_000, 'S5'],
    [980_001, 'S6'],
    [5_000_000, 'S6'],
  ])('growth %i reaches %s', (growth, code) => {
    expect(tierForGrowth(DEFAULT_TIERS, growth).code).toBe(code)
  })

  it('does not depend on the order the table is stored in', () => {
    expect(tierForGrowth([...DEFAULT_TIERS].reverse(), 80_001).code).toBe('S3')
  })
})

describe('tierProgress', () => {
  it('starts at 0 progress with the whole next threshold to go', () => {
    expect(tierProgress(DEFAULT_TIERS, 0)).toMatchObject({ toNext: 8_001, progress: 0 })
  })

  it('needs exactly 1 more growth just below a threshold', () => {
    const p = tierProgress(DEFAULT_TIERS, 8_000)
    expect(p.current.code).toBe('S1')
    expect(p.next?.code).toBe('S2')
    expect(p.toNext).toBe(1)
    expect(p.progress).toBeCloseTo(8_000 / 8_001, 10)
    expect(p.progress).toBeLessThan(1)
  })

  it('restarts at 0 progress exactly at a threshold', () => {
    const p = tierProgress(DEFAULT_TIERS, 8_001)
    expect(p.current.code).toBe('S2')
    expect(p.next?.code).toBe('S3')
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

describe('the default table (the jewelry brand)', () => {
  it('has six tiers coded S1–S6 with the brand\'s names, each with benefits that grow with the tier', () => {
    expect(DEFAULT_TIERS.map((t) => [t.code, t.name, t.threshold])).toEqual([
      ['S1', '银卡会员', 0],
      ['S2', '金卡会员', 8_001],
      ['S3', '铂金会员', 80_001],
      ['S4', '钻石会员', 180_001],
      ['S5', '黑钻会员', 580_001],
      ['S6', '皇冠会员', 980_001],
    ])
    for (let i = 1; i < DEFAULT_TIERS.length; i++) {
      expect(DEFAULT_TIERS[i]!.benefits!.length).toBeGreaterThanOrEqual(DEFAULT_TIERS[i - 1]!.benefits!.length)
      expect(benefitsAdded(DEFAULT_TIERS, i, i + 1).length, `S${i + 1} adds something to S${i}`).toBeGreaterThan(0)
    }
    expect(tierTableProblem(DEFAULT_TIERS)).toBeNull()
  })
})

describe('benefitsAdded', () => {
  const table: TierDefinition[] = [
    { level: 1, code: 'A', name: 'A', threshold: 0, pointsMultiplier: 1, benefits: [{ title: '清洗', description: '每年 1 次' }, { title: '生日礼', description: '礼券' }] },
    { level: 2, code: 'B', name: 'B', threshold: 10, pointsMultiplier: 1, benefits: [{ title: '清洗', description: '每年 2 次', icon: 'cleaning' }, { title: '生日礼', description: '礼券' }, { title: '刻字', description: '免费' }] },
    { level: 3, code: 'C', name: 'C', threshold: 20, pointsMultiplier: 1, benefits: [{ title: '专属顾问', description: '一对一' }, { title: '清洗', description: '每年 2 次' }, { title: '生日礼', description: '礼券' }, { title: '刻字', description: '免费' }] },
  ]

  it('lists the new tier\'s benefits that are new or better than the old tier\'s, in the new tier\'s order', () => {
    expect(benefitsAdded(table, 1, 2)).toEqual([
      { title: '清洗', description: '每年 2 次', icon: 'cleaning' },
      { title: '刻字', description: '免费', icon: null },
    ])
    expect(benefitsAdded(table, 2, 3)).toEqual([{ title: '专属顾问', description: '一对一', icon: null }])
  })

  it('compares with the tier left, over a jump of several tiers', () => {
    expect(benefitsAdded(table, 1, 3).map((b) => b.title)).toEqual(['专属顾问', '清洗', '刻字'])
  })

  it('adds nothing for a move down or no move, or for tiers without benefits', () => {
    expect(benefitsAdded(table, 3, 1)).toEqual([])
    expect(benefitsAdded(table, 2, 2)).toEqual([])
    expect(benefitsAdded(table.map((t) => ({ ...t, benefits: undefined })), 1, 2)).toEqual([])
  })
})

describe('tierAtLevel and nextTier', () => {
  it('reads the held level, or the highest tier below a level the table no longer has', () => {
    expect(tierAtLevel(DEFAULT_TIERS, 4).code).toBe('S4')
    expect(tierAtLevel(DEFAULT_TIERS.slice(0, 3), 5).code).toBe('S3')
    expect(nextTier(DEFAULT_TIERS, 4)?.code).toBe('S5')
    expect(nextTier(DEFAULT_TIERS, 6)).toBeNull()
  })
})

describe('tierTableProblem', () => {
  const t = (code: string, threshold: number, name = code) => ({ code, name, threshold, benefits: [] })

  it('accepts 1 to 10 tiers starting at 0 with ascending thresholds', () => {
    expect(tierTableProblem([t('S1', 0)])).toBeNull()
    expect(tierTableProblem(Array.from({ length: 10 }, (_, i) => t(`S${i + 1}`, i * 100)))).toBeNull()
  })

  it.each([
    ['no tiers', [], /1 to 10 tiers/],
    ['eleven tiers', Array.from({ length: 11 }, (_, i) => t(`S${i + 1}`, i * 100)), /1 to 10 tiers, not 11/],
    ['a first tier above 0', [t('S1', 1)], /tiers\.0\.threshold/],
    ['equal thresholds', [t('S1', 0), t('S2', 5), t('S3', 5)], /tiers\.2\.threshold/],
    ['descending thresholds', [t('S1', 0), t('S2', 50), t('S3', 10)], /tiers\.2\.threshold/],
    ['a code twice (in any case)', [t('S1', 0), t('s1', 5, 'other')], /tiers\.1\.code/],
    ['a name twice', [t('S1', 0, '银卡'), t('S2', 5, '银卡')], /tiers\.1\.name/],
    ['a benefit listed twice', [{ ...t('S1', 0), benefits: [{ title: '清洗', description: '' }, { title: '清洗', description: 'x' }] }], /tiers\.0\.benefits\.1\.title/],
  ])('refuses %s, naming where', (_name, table, message) => {
    expect(tierTableProblem(table as never)).toMatch(message)
  })
})
