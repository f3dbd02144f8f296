import { MESSAGE_CATALOGUE, MESSAGE_KINDS, type MessageKind } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { ValidationFailed } from '../../core/errors.js'
import type { MessagingModels } from './models.js'

export type PushChannel = 'subscribe' | 'official_account'
export const PUSH_CHANNELS: readonly PushChannel[] = ['subscribe', 'official_account']

export interface Mapping {
  kind: MessageKind
  channel: PushChannel
  templateId: string
  title: string
  keys: Record<string, string>
}

/**
 * The operator's templates: which WeChat template each kind is pushed with on each channel, and which template key
 * each field fills (the catalogue's default keys unless the operator names others). A kind without a template on a
 * channel is not pushed there — a configuration problem the admin view and /health name, never a crash. Marketing
 * kinds cannot be mapped to the Official Account (WeChat forbids ads there). Cached per process for 30 s.
 */
export class TemplateMappings {
  private cached: { mappings: Mapping[]; until: number } | null = null

  constructor(
    private readonly models: MessagingModels,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async all(): Promise<Mapping[]> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.mappings
    const docs = await this.models.TemplateMapping.find({}).lean()
    const mappings = docs.map((d) => ({
      kind: d.kind as MessageKind,
      channel: d.channel as PushChannel,
      templateId: d.templateId,
      title: d.title ?? MESSAGE_CATALOGUE[d.kind as MessageKind]?.title ?? d.kind,
      keys: d.keys as Record<string, string>,
    }))
    this.cached = { mappings, until: Date.now() + 30_000 }
    return mappings
  }

  async find(kind: MessageKind, channel: PushChannel): Promise<Mapping | null> {
    return (await this.all()).find((m) => m.kind === kind && m.channel === channel) ?? null
  }

  async set(kind: MessageKind, channel: PushChannel, input: { templateId: string; title?: string; keys?: Record<string, string> }, actor: { actor: string; role: string }): Promise<Mapping> {
    const def = MESSAGE_CATALOGUE[kind]
    if (channel === 'official_account' && def.category === 'marketing') {
      throw new ValidationFailed(`${kind} is marketing: WeChat forbids ads and offers in Official Account template messages`)
    }
    const keys = input.keys ?? def.keys[channel] ?? null
    if (!keys) throw new ValidationFailed(`keys: ${kind} has no default keys on ${channel}; name the template key of each field`)
    const unknown = Object.keys(keys).filter((f) => !def.fields.includes(f))
    if (unknown.length > 0) throw new ValidationFailed(`keys: ${unknown.join(', ')} is not a field of ${kind} (${def.fields.join(', ')})`)
    const mapping: Mapping = { kind, channel, templateId: input.templateId, title: input.title ?? def.title, keys }
    await this.models.TemplateMapping.updateOne({ _id: JSON.stringify([kind, channel]) }, { $set: mapping }, { upsert: true })
    await this.audit.record({ ...actor, action: 'message-template.set', details: { ...mapping }, at: this.now() })
    this.cached = null
    return mapping
  }

  /** Every kind with its mapping per channel, and what is missing (the admin view; /health lists the problems). */
  async overview() {
    const mappings = await this.all()
    return MESSAGE_KINDS.map((kind) => {
      const def = MESSAGE_CATALOGUE[kind]
      return {
        kind,
        category: def.category,
        title: def.title,
        fields: [...def.fields],
        channels: PUSH_CHANNELS.filter((c) => c === 'subscribe' || def.category === 'service').map((channel) => {
          const m = mappings.find((x) => x.kind === kind && x.channel === channel)
          return {
            channel,
            templateId: m?.templateId ?? null,
            keys: m?.keys ?? def.keys[channel] ?? {},
            problem: m ? null : channel === 'subscribe' ? 'no subscribe template: members cannot be asked for it, it reaches the inbox only' : 'no Official Account template: no fallback for members without a subscription',
          }
        }),
      }
    })
  }

  /** The kinds without a subscribe template (a configuration problem). */
  async unmapped(): Promise<string[]> {
    const mappings = await this.all()
    return MESSAGE_KINDS.filter((kind) => !mappings.some((m) => m.kind === kind && m.channel === 'subscribe'))
  }
}
