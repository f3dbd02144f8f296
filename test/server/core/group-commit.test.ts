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

  it('gathers the callers of a run that ended into one next run, not the first of them alone', async () => {
    const runs: number[][] = []
    const group = new GroupCommit<number, number>(
      async (items) => {
        runs.push(items)
        await new Promise((resolve) => setTimeout(resolve, 5))
        return items
      },
      { maxBatch: 100, maxInFlight: 1 },
    )
    // eight callers, each asking again as soon as it is answered
    await Promise.all(Array.from({ length: 8 }, async (_, caller) => {
      for (let round = 0; round < 3; round++) await group.submit(caller)
    }))
    // the first runs at once, alone; then the other seven with the first asking again, and so on — never a run of one
    // taking the first caller back while the others are still on their way
    expect(runs.map((r) => r.length)).toEqual([1, 8, 8, 7])
  })

  it('with two runs allowed, starts the second once the first admits it, and shares the waiting items between them', async () => {
    const runs: number[][] = []
    const gates: { admit: () => void; finish: () => void }[] = []
    const group = new GroupCommit<number, number>(
      async (items, admit) => {
        runs.push(items)
        await new Promise<void>((finish) => gates.push({ admit, finish }))
        return items
      },
      { maxBatch: 100, maxInFlight: 2 },
    )
    const tick = () => new Promise((resolve) => setImmediate(resolve))
    const first = group.submit(0)
    const waiting = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => group.submit(n))
    await tick()
    // the first run has not admitted another: the eight wait
    expect(runs).toEqual([[0]])
    gates[0]!.admit()
    await tick()
    expect(runs).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8]])
    gates[0]!.finish()
    expect(await first).toBe(0)
    // with nothing under way, the items waiting are split: the first run takes half, the next the rest once admitted
    const more = [9, 10, 11, 12].map((n) => group.submit(n))
    gates[1]!.finish()
    expect(await Promise.all(waiting)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    await tick()
    expect(runs.slice(2)).toEqual([[9, 10]])
    gates[2]!.admit()
    await tick()
    expect(runs.slice(2)).toEqual([[9, 10], [11, 12]])
    gates[2]!.finish()
    gates[3]!.finish()
    expect(await Promise.all(more)).toEqual([9, 10, 11, 12])
  })

  it('keeps the waiting items in one run when sharing them would make runs smaller than minShare', async () => {
    const runs: number[][] = []
    const gates: { admit: () => void; finish: () => void }[] = []
    const group = new GroupCommit<number, number>(
      async (items, admit) => {
        runs.push(items)
        await new Promise<void>((finish) => gates.push({ admit, finish }))
        return items
      },
      { maxBatch: 100, maxInFlight: 2, minShare: 4 },
    )
    // a few turns of the event loop: a run that ends starts the next one on the turn after
    const tick = async () => {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    }
    const all: Promise<number>[] = [group.submit(0), ...[1, 2, 3, 4, 5, 6].map((n) => group.submit(n))]
    await tick()
    gates[0]!.finish()
    await tick()
    // six waiting with nothing under way: two runs of three would be below minShare, so one run takes all six
    expect(runs).toEqual([[0], [1, 2, 3, 4, 5, 6]])
    all.push(...[7, 8, 9, 10, 11, 12, 13, 14].map((n) => group.submit(n)))
    gates[1]!.finish()
    await tick()
    // eight: two runs of four, the second once the first admits it
    expect(runs.slice(2)).toEqual([[7, 8, 9, 10]])
    gates[2]!.admit()
    await tick()
    expect(runs.slice(2)).toEqual([[7, 8, 9, 10], [11, 12, 13, 14]])
    gates[2]!.finish()
    gates[3]!.finish()
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
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
