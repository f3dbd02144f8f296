import type { FastifyRequest } from 'fastify'
import type { AuditLog } from '../../../core/audit.js'
import type { StaffContext } from '../../../core/auth.js'
import { Forbidden, ValidationFailed } from '../../../core/errors.js'

/**
 * Who acts at the counter, as the staff module vouched for it (request.staff) and as the audit log and the members'
 * `advisor` field name them: `actor` is the staff record's id (an operator token's name when it has none).
 */
export interface Acting {
  actor: string
  staff: StaffContext
}

export function actingOf(request: FastifyRequest): Acting {
  const staff = request.staff
  if (!staff) throw new Forbidden('this needs a staff token')
  return { actor: staff.id ?? request.user.sub, staff }
}

/**
 * The store a per-store request acts for: staff and managers their own (naming another is a 403); admins the one
 * they name (400 without one: they act for every store).
 */
export function storeFor(acting: Acting, requested: string | undefined, where = 'store'): string {
  const { staff } = acting
  if (staff.role === 'admin') {
    const store = requested ?? staff.store
    if (!store) throw new ValidationFailed(`${where}: an admin acts for every store; name the store`)
    return store
  }
  if (!staff.store) throw new Forbidden('your staff account has no store')
  if (requested !== undefined && requested !== staff.store) throw new Forbidden(`you work in store ${staff.store}; store ${requested} is not yours`)
  return staff.store
}

/** Writes an audit entry for a counter action: the actor, their name and store then, the member, the details. */
export function auditCounter(audit: AuditLog, acting: Acting, action: string, memberId: string | null, details: Record<string, unknown>, at: Date): Promise<void> {
  return audit.record({ actor: acting.actor, actorName: acting.staff.name, role: acting.staff.role, store: acting.staff.store, action, memberId, details, at })
}
