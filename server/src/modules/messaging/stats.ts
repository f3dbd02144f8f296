import type { MessagingModels } from './models.js'

/** Messages of a period, as the KPI report counts them. */
export interface MessagePeriodStats {
  /** messages written (each is in the member's inbox) */
  total: number
  /** pushed on a channel (status sent) */
  sent: number
  /** sent with no failure report from WeChat (subscribe_msg_sent_event with a non-zero ErrorCode) */
  delivered: number
  /** read in the inbox */
  read: number
  /** per channel of the push; messages not pushed count under `inbox` */
  byChannel: Record<string, number>
}

/**
 * Counts of messages for reports (the KPI report, issue 14): the messages written in [from, to), counted in code over
 * one projected, lean cursor (FerretDB 1.24 groups by several keys unreliably; MessageAdmin.stats reads the same way).
 */
export class MessageStats {
  constructor(private readonly models: MessagingModels) {}

  /** `members`: only these members' messages (a store's members), or every message with null. */
  async between(from: Date, to: Date, members: ReadonlySet<string> | null = null): Promise<MessagePeriodStats> {
    const stats: MessagePeriodStats = { total: 0, sent: 0, delivered: 0, read: 0, byChannel: {} }
    const cursor = this.models.Message.find({ createdAt: { $gte: from, $lt: to } }, { memberId: 1, status: 1, channel: 1, deliveryReport: 1, read: 1 })
      .lean()
      .cursor({ batchSize: 5_000 })
    for await (const m of cursor) {
      if (members && !members.has(m.memberId.toString())) continue
      stats.total++
      const sent = m.status === 'sent'
      if (sent) {
        stats.sent++
        if (!failedReport(m.deliveryReport ?? null)) stats.delivered++
      }
      if (m.read) stats.read++
      const channel = sent && m.channel ? m.channel : 'inbox'
      stats.byChannel[channel] = (stats.byChannel[channel] ?? 0) + 1
    }
    return stats
  }
}

/** WeChat's delivery report is `{ErrorCode} {ErrorStatus}`: 0 (success) or none is no failure. */
function failedReport(report: string | null): boolean {
  if (!report) return false
  const code = report.split(' ')[0]
  return code !== '0' && code !== ''
}
