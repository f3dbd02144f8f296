import fp from 'fastify-plugin'
import { Schema, Types, type Connection } from 'mongoose'

/** Who did what with admin (later: staff) rights: every adjustment and setting change. */
export const auditSchema = new Schema(
  {
    actor: { type: String, required: true },
    role: { type: String, required: true },
    action: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    details: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
  },
  { collection: 'audit_log', versionKey: false },
)
// an actor's or a member's history
auditSchema.index({ memberId: 1, at: -1 })
auditSchema.index({ actor: 1, at: -1 })

export function auditModel(connection: Connection) {
  return connection.model('Audit', auditSchema)
}

export interface AuditEntry {
  actor: string
  role: string
  action: string
  memberId?: string | Types.ObjectId | null
  details?: Record<string, unknown>
  at: Date
}

/** The audit log: append-only. */
export class AuditLog {
  constructor(private readonly Audit: ReturnType<typeof auditModel>) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.Audit.create({ ...entry, memberId: entry.memberId ? new Types.ObjectId(entry.memberId) : null })
  }

  /** The newest entries first (for one member, when given). */
  async list(filter: { memberId?: string; action?: string } = {}, limit = 50): Promise<AuditEntry[]> {
    const query: Record<string, unknown> = {}
    if (filter.memberId) query.memberId = new Types.ObjectId(filter.memberId)
    if (filter.action) query.action = filter.action
    return this.Audit.find(query, { _id: 0 }).sort({ at: -1 }).limit(limit).lean<AuditEntry[]>()
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog
  }
}

export default fp(
  async (app) => {
    const { Audit } = await app.db.register({ Audit: auditModel(app.db.connection) })
    app.decorate('audit', new AuditLog(Audit))
  },
  { name: 'audit', dependencies: ['database'] },
)
