import { isDuplicateKey } from '../../core/duplicate-key.js'
import type { MessagingModels } from './models.js'

/**
 * Counters of time windows shared by every process (a channel's pushes this second, a member's marketing messages
 * today): `take` adds one only while the window's count is below its limit, in one conditional upsert, so no number
 * of processes together goes past it.
 */
export class WindowCounters {
  constructor(private readonly models: MessagingModels) {}

  /** Takes one unit of window `id` (limit `limit`); false when the window is full. */
  async take(id: string, limit: number, expiresAt: Date): Promise<boolean> {
    if (limit <= 0) return false
    try {
      const done = await this.models.Counter.updateOne(
        { _id: id, count: { $lt: limit } },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
        { upsert: true },
      )
      return done.modifiedCount + done.upsertedCount > 0
    } catch (error) {
      // the window exists and is full: the upsert's insert hit its _id
      if (isDuplicateKey(error)) return false
      throw error
    }
  }

  /** Gives back a unit taken for something that then did not happen. */
  async giveBack(id: string): Promise<void> {
    await this.models.Counter.updateOne({ _id: id, count: { $gt: 0 } }, { $inc: { count: -1 } })
  }

  /** Drops windows that have passed. */
  async purge(now: Date): Promise<number> {
    return (await this.models.Counter.deleteMany({ expiresAt: { $lt: now } })).deletedCount
  }
}
