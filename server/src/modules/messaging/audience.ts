import type { MessageKind } from '@member-center/shared'
import type { MessagingModels } from './models.js'
import type { TemplateMappings } from './templates.js'

/**
 * Who can be reached, for segments and outreach (issue 14): the members who turned marketing off, and the members
 * holding a subscribe balance for a kind's template — each one read over the whole membership, as sets of member ids.
 */
export class MessageAudience {
  constructor(
    private readonly models: MessagingModels,
    private readonly mappings: TemplateMappings,
  ) {}

  /** Every member who turned marketing messages off. */
  async marketingOff(): Promise<Set<string>> {
    const docs = await this.models.Preference.find({ marketing: false }, { _id: 1 }).lean()
    return new Set(docs.map((d) => String(d._id)))
  }

  /** The members with at least one accept left for the subscribe template of one of these kinds. */
  async subscribed(kinds: readonly MessageKind[]): Promise<Set<string>> {
    const templateIds: string[] = []
    for (const kind of kinds) {
      const mapping = await this.mappings.find(kind, 'subscribe')
      if (mapping) templateIds.push(mapping.templateId)
    }
    if (templateIds.length === 0) return new Set()
    const docs = await this.models.Subscription.find({ templateId: { $in: templateIds }, balance: { $gt: 0 } }, { memberId: 1 }).lean()
    return new Set(docs.map((d) => String(d.memberId)))
  }

  /**
   * The messages written under keys starting with `prefix` (an outreach's: `outreach:{id}:`), by how they reached the
   * member: the push channel of the sent ones (subscribe, official_account, sms), `inbox` for the rest.
   */
  async reachByKeyPrefix(prefix: string): Promise<Record<string, number>> {
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const docs = await this.models.Message.find({ dedupeKey: { $regex: `^${escaped}` } }, { status: 1, channel: 1 }).lean()
    const counts: Record<string, number> = {}
    for (const d of docs) {
      const how = d.status === 'sent' && d.channel ? String(d.channel) : 'inbox'
      counts[how] = (counts[how] ?? 0) + 1
    }
    return counts
  }
}
