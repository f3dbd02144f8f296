import { describe, expect, it } from 'vitest'
import { GroupCommit } from '../../../server/src/core/group-commit.js'

describe('GroupCommit', () => {
  it('runs the first item at once and groups those that arrive meanwhile, each caller getting its own result', async () => {
    const runs: number[][] = []
    let release: () => void = () => {}
    const group = new GroupCommit<number, number>(
      async (items) => {
        runs.push(items)
        if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve))
        return items.map((n) => n * 10)
      },
      { maxBatch: 3, maxInFlight: 1 },
    )
    const results = [1, 2, 3, 4, 5, 6].map((n) => group.submit(n))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(runs).toEqual([[1]])
    release()
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60])
    expect(runs).toEqual([[1], [2, 3, 4], [5, 6]])
  })

  it('fails every item of a run that throws, and still runs the next', async () => {
    const group = new GroupCommit<string, string>(
      async (items) => {
        if (items.includes('bad')) throw new Error('boom')
        return items
      },
      { maxBatch: 10, maxInFlight: 1 },
    )
    const first = group.submit('bad')
    await expect(first).rejects.toThrow('boom')
    expect(await group.submit('good')).toBe('good')
  })

  it('says when it is idle', async () => {
    let done = 0
    const group = new GroupCommit<number, void>(
      async (items) => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        done += items.length
        return items.map(() => undefined)
      },
      { maxBatch: 2, maxInFlight: 1 },
    )
    await group.idle()
    for (let i = 0; i < 5; i++) void group.submit(i)
    await group.idle()
    expect(done).toBe(5)
  })
})
