import { Types } from 'mongoose'
import type { MessageDoc, MessagingModels } from './models.js'

/** The operators' view of messages: a filtered list and counts by kind and outcome. */
export class MessageAdmin {
  constructor(private readonly models: MessagingModels) {}

  async list(q: { status?: string; kind?: string; memberId?: string; from?: string; to?: string; limit?: number }) {
    const filter: Record<string, unknown> = {}
    if (q.status) filter.status = q.status
    if (q.kind) filter.kind = q.kind
    if (q.memberId) filter.memberId = new Types.ObjectId(q.memberId)
    if (q.from || q.to) filter.createdAt = { ...(q.from ? { $gte: new Date(q.from) } : {}), ...(q.to ? { $lt: new Date(q.to) } : {}) }
    const docs = await this.models.Message.find(filter).sort({ createdAt: -1 }).limit(q.limit ?? 50).lean<MessageDoc[]>()
    return docs.map((m) => ({
      id: m._id.toString(),
      kind: m.kind,
      category: m.category,
      memberId: m.memberId.toString(),
      status: m.status,
      channel: m.channel ?? null,
      reason: m.reason ?? null,
      attempts: m.attempts ?? 0,
      title: m.title,
      body: m.body,
      notBefore: m.notBefore.toISOString(),
      sentAt: m.sentAt ? m.sentAt.toISOString() : null,
      createdAt: m.createdAt.toISOString(),
      sender: m.sender ?? 'system',
    }))
  }

  /** Counted here rather than with $group: FerretDB 1.24 groups by several keys unreliably. */
  async stats(q: { from?: string; to?: string }) {
    const filter: Record<string, unknown> = {}
    if (q.from || q.to) filter.createdAt = { ...(q.from ? { $gte: new Date(q.from) } : {}), ...(q.to ? { $lt: new Date(q.to) } : {}) }
    const counts = new Map<string, number>()
    for await (const m of this.models.Message.find(filter, { kind: 1, status: 1, channel: 1 }).lean().cursor()) {
      const key = JSON.stringify([m.kind, m.status, m.channel ?? null])
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return [...counts].map(([key, count]) => {
      const [kind, status, channel] = JSON.parse(key) as [string, string, string | null]
      return { kind, status, channel, count }
    })
  }
}
