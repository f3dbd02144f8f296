import fp from 'fastify-plugin'
import { Schema, Types, type Connection } from 'mongoose'
import type { StaffContext } from './auth.js'
import { afterCursor, encodeCursor } from './page-cursor.js'

/**
 * Who did what to whom and when, with admin or staff rights: every adjustment, setting change and staff action.
 * `actor` is the staff record's id (an operator token's name; `system` for jobs), `actorName` the person's name then,
 * `store` the store they acted for (null: an admin, every store).
 */
export const auditSchema = new Schema(
  {
    actor: { type: String, required: true },
    actorName: { type: String, default: null },
    role: { type: String, required: true },
    store: { type: String, default: null },
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
// a store's log, newest first (a manager's audit tab)
auditSchema.index({ store: 1, at: -1 })

export function auditModel(connection: Connection) {
  return connection.model('Audit', auditSchema)
}

/** Who acts, as the audit log records it. */
export interface AuditActor {
  actor: string
  role: string
  actorName?: string | null
  store?: string | null
}

export interface AuditEntry extends AuditActor {
  action: string
  memberId?: string | Types.ObjectId | null
  details?: Record<string, unknown>
  at: Date
}

/** An entry as read back, with its id. */
export interface StoredAuditEntry {
  id: string
  at: Date
  actor: string
  actorName: string | null
  role: string
  store: string | null
  action: string
  memberId: string | null
  details: Record<string, unknown>
}

/**
 * The actor of a staff or admin route (request.staff, set by authenticateStaff / authenticateAdmin): the staff
 * record's id, or an operator token's name when it has no record.
 */
export function staffActor(request: { staff: StaffContext | null; user: { sub: string; role: string } }): Required<AuditActor> {
  const staff = request.staff
  if (!staff) return { actor: request.user.sub, role: request.user.role, actorName: null, store: null }
  return { actor: staff.id ?? request.user.sub, role: staff.role, actorName: staff.name, store: staff.store }
}

type AuditDoc = Omit<StoredAuditEntry, 'id' | 'memberId'> & { _id: Types.ObjectId; memberId: Types.ObjectId | null }

/** The audit log: append-only. */
export class AuditLog {
  constructor(private readonly Audit: ReturnType<typeof auditModel>) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.Audit.create({
      actor: entry.actor,
      actorName: entry.actorName ?? null,
      role: entry.role,
      store: entry.store ?? null,
      action: entry.action,
      memberId: entry.memberId ? new Types.ObjectId(entry.memberId) : null,
      details: entry.details ?? {},
      at: entry.at,
    })
  }

  /** The newest entries first (for one member, when given). */
  async list(filter: { memberId?: string; action?: string } = {}, limit = 50): Promise<AuditEntry[]> {
    const query: Record<string, unknown> = {}
    if (filter.memberId) query.memberId = new Types.ObjectId(filter.memberId)
    if (filter.action) query.action = filter.action
    return this.Audit.find(query, { _id: 0 }).sort({ at: -1 }).limit(limit).lean<AuditEntry[]>()
  }

  /**
   * A page of the log, newest first: one store's entries (`store` null: those of no store — admins'; absent: every
   * store), one actor's when given. `cursor` is the previous page's nextCursor (a cursor this server did not give out
   * is a 400).
   */
  async page(
    filter: { store?: string | null; actor?: string },
    limit: number,
    cursor?: string,
  ): Promise<{ items: StoredAuditEntry[]; nextCursor: string | null }> {
    const query: Record<string, unknown> = {}
    if (filter.store !== undefined) query.store = filter.store
    if (filter.actor !== undefined) query.actor = filter.actor
    if (cursor !== undefined) Object.assign(query, afterCursor(cursor, 'at', (raw) => (/^[0-9a-f]{24}$/.test(raw) ? new Types.ObjectId(raw) : null)))
    const docs = await this.Audit.find(query).sort({ at: -1, _id: -1 }).limit(limit + 1).lean<AuditDoc[]>()
    const page = docs.slice(0, limit)
    const last = page[page.length - 1]
    return {
      items: page.map((d) => ({
        id: d._id.toString(),
        at: d.at,
        actor: d.actor,
        actorName: d.actorName ?? null,
        role: d.role,
        store: d.store ?? null,
        action: d.action,
        memberId: d.memberId ? d.memberId.toString() : null,
        details: d.details ?? {},
      })),
      nextCursor: docs.length > limit && last ? encodeCursor(last.at, last._id.toString()) : null,
    }
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
