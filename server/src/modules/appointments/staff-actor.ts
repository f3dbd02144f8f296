import type { FastifyRequest } from 'fastify'
import type { Types } from 'mongoose'
import { staffActor, type AuditEntry } from '../../core/audit.js'
import { Forbidden } from '../../core/errors.js'

/** Who acts on a staff or admin route, as the audit log records them. */
export interface StaffActor {
  /** the staff record's id (an operator token's subject when it has none) */
  actor: string
  role: string
  /** the name staff know them by */
  name: string
  /** the store they act for; null: an admin, every store */
  store: string | null
}

/** The caller of a staff or admin route (after authenticateStaff / authenticateAdmin), as the audit log names them. */
export function staffActorOf(request: FastifyRequest): StaffActor {
  const who = staffActor(request)
  return { actor: who.actor, role: who.role, name: who.actorName ?? who.actor, store: who.store }
}

/**
 * The stores a caller may see: null for an admin (every store), else their one store. A staff member or manager
 * without a store sees nothing (403).
 */
export function storeScope(by: StaffActor): string | null {
  if (by.role === 'admin') return null
  if (!by.store) throw new Forbidden('your staff account has no store')
  return by.store
}

/**
 * An audit entry of a staff action: who (id, role, name), what, whom, when, and the store it concerns — the
 * appointment's or the store's own (for staff and managers, always their store; for an admin, the store acted on, so
 * the store's manager sees it in its log).
 */
export function auditEntry(by: StaffActor, action: string, memberId: string | Types.ObjectId | null, details: Record<string, unknown>, at: Date, store?: string): AuditEntry {
  return { actor: by.actor, actorName: by.name, role: by.role, store: store ?? by.store, action, memberId, details, at }
}
