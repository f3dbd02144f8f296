import { Types } from 'mongoose'
import { NotFound } from '../../core/errors.js'
import type { MessageDoc, MessagingModels } from './models.js'

/** The member's in-app inbox: every message sent to them, whatever became of its push. */
export class Inbox {
  constructor(
    private readonly models: MessagingModels,
    private readonly now: () => Date,
  ) {}

  async list(memberId: string, limit: number, cursor?: string) {
    const member = new Types.ObjectId(memberId)
    const filter: Record<string, unknown> = { memberId: member, ...(cursor ? { _id: { $lt: new Types.ObjectId(cursor) } } : {}) }
    const [docs, unread] = await Promise.all([
      this.models.Message.find(filter).sort({ _id: -1 }).limit(limit + 1).lean<MessageDoc[]>(),
      this.unread(member),
    ])
    const page = docs.slice(0, limit)
    return {
      items: page.map((m) => ({ id: m._id.toString(), kind: m.kind, title: m.title, body: m.body, page: m.page ?? null, createdAt: m.createdAt.toISOString(), read: m.read })),
      unread,
      nextCursor: docs.length > limit ? page[page.length - 1]!._id.toString() : null,
    }
  }

  async markRead(memberId: string, id: string): Promise<{ unread: number }> {
    const member = new Types.ObjectId(memberId)
    // scoped by member: another member's message id is a 404, not a mark
    const found = await this.models.Message.findOneAndUpdate({ _id: new Types.ObjectId(id), memberId: member }, { $set: { read: true, readAt: this.now() } })
    if (!found) throw new NotFound('no such message')
    return { unread: await this.unread(member) }
  }

  async markAllRead(memberId: string): Promise<{ unread: number }> {
    const member = new Types.ObjectId(memberId)
    await this.models.Message.updateMany({ memberId: member, read: false }, { $set: { read: true, readAt: this.now() } })
    return { unread: 0 }
  }

  private unread(memberId: Types.ObjectId): Promise<number> {
    return this.models.Message.countDocuments({ memberId, read: false })
  }
}
