import type { CreateStaff, CreateStaffResult, Invitation, StaffListQuery, StaffRecord, StaffRoleName, StaffSession, UpdateStaff } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditActor, AuditLog } from '../../core/audit.js'
import type { StaffContext, TokenPayload } from '../../core/auth.js'
import { Conflict, InvitationInvalid, NotFound, Unauthorized, ValidationFailed } from '../../core/errors.js'
import type { MemberRepository } from '../members/repository.js'
import { INVITATION_TTL_MS, invitationHash, invitationQrSvg, newInvitationCode, normalizeInvitationCode } from './invitation-codes.js'
import type { StaffDoc, StaffModels } from './models.js'

const STAFF_ID = /^[0-9a-f]{24}$/
/** the length of an invitation code without its dashes */
const CODE_LENGTH = 15
/** the operators' list answers at most this many records (a brand's staff fit; filter by store beyond) */
export const STAFF_LIST_LIMIT = 1000

export interface StaffRecordsDeps {
  models: StaffModels
  audit: AuditLog
  members: MemberRepository
  now: () => Date
  /** signs a staff token (the app's JWT key) valid for `ttlSeconds` */
  sign: (claims: Required<Pick<TokenPayload, 'sub' | 'role' | 'store' | 'ver'>>, ttlSeconds: number) => string
  tokenTtlSeconds: number
}

/** A WeChat user, as the mini-program's login knows them. */
export interface WechatIdentity {
  openid: string
  unionid?: string | null
}

/**
 * Staff records: created by an admin with a one-time invitation, bound to a WeChat user by redeeming it, changed and
 * deactivated by an admin. Every write is one conditional update of the record (no transactions); every change of
 * role, store, status or binding bumps the record's version, which refuses the tokens signed before it.
 */
export class StaffRecords {
  constructor(private readonly deps: StaffRecordsDeps) {}

  /** A new record (status invited) and its invitation, valid 7 days. Audited (staff.create). */
  async create(input: CreateStaff, by: AuditActor): Promise<CreateStaffResult> {
    const { role, store } = placement(input.role, input.store ?? null)
    const now = this.deps.now()
    const _id = new Types.ObjectId()
    // the invitation first: should the record's insert never happen, the invitation names no record and is refused
    const invitation = await this.newInvitation(_id, now)
    const name = input.name.trim()
    await this.deps.models.Staff.create({
      _id,
      name,
      role,
      store,
      status: 'invited',
      version: 0,
      invitationHash: invitation.hash,
      invitationExpiresAt: invitation.expiresAt,
      createdBy: by.actor,
      createdAt: now,
      updatedAt: now,
    })
    await this.deps.audit.record({ ...by, action: 'staff.create', details: { staffId: _id.toString(), name, role, store }, at: now })
    return { staff: view((await this.find(_id.toString()))!), invitation: invitation.shown }
  }

  /** The records, by store and name; filtered by store and status when given. */
  async list(filter: StaffListQuery = {}): Promise<StaffRecord[]> {
    const query: Record<string, unknown> = {}
    if (filter.store !== undefined) query.store = filter.store
    if (filter.status !== undefined) query.status = filter.status
    const docs = await this.deps.models.Staff.find(query).sort({ store: 1, name: 1, _id: 1 }).limit(STAFF_LIST_LIMIT).lean<StaffDoc[]>()
    return docs.map(view)
  }

  /** One record (404 when there is none). */
  async get(id: string): Promise<StaffRecord> {
    const doc = await this.find(id)
    if (!doc) throw new NotFound(`staff record ${id} not found`)
    return view(doc)
  }

  /**
   * Changes a record. A change of role, store or status bumps its version: its outstanding tokens are refused on
   * their next request. Deactivating also withdraws an outstanding invitation; enabling a deactivated record makes it
   * active again if it is still bound to a WeChat user, otherwise invited (send an invitation). Audited (staff.update).
   */
  async update(id: string, changes: UpdateStaff, by: AuditActor): Promise<StaffRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.find(id)
      if (!current) throw new NotFound(`staff record ${id} not found`)
      const nextRole = changes.role ?? (current.role as StaffRoleName)
      // an admin has no store: a record becoming admin leaves its store unless one is named (which is refused)
      const askedStore = changes.store !== undefined ? changes.store : nextRole === 'admin' ? null : (current.store ?? null)
      const { role, store } = placement(nextRole, askedStore)
      const status = changes.status === 'deactivated' ? 'deactivated' : changes.status === 'active' && current.status === 'deactivated' ? (current.openid ? 'active' : 'invited') : current.status
      const name = changes.name !== undefined ? changes.name.trim() : current.name
      const before = { name: current.name, role: current.role, store: current.store ?? null, status: current.status }
      const after = { name, role, store, status }
      const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => after[k] !== before[k])
      if (changed.length === 0) return view(current)
      const refusesTokens = changed.some((k) => k !== 'name')
      const now = this.deps.now()
      const done = await this.deps.models.Staff.updateOne(
        { _id: current._id, version: current.version, ...before },
        {
          $set: { ...after, updatedAt: now, ...(status === 'deactivated' ? { invitationHash: null, invitationExpiresAt: null } : {}) },
          ...(refusesTokens ? { $inc: { version: 1 } } : {}),
        },
      )
      if (done.matchedCount === 0) continue
      await this.deps.audit.record({
        ...by,
        action: 'staff.update',
        details: { staffId: id, changed, before: pick(before, changed), after: pick(after, changed) },
        at: now,
      })
      return view((await this.find(id))!)
    }
    throw new Conflict('the staff record changed while it was being updated; try again')
  }

  /**
   * A new invitation for a record, replacing any outstanding one (binding a new phone: the old one keeps working
   * until the new one redeems it). A deactivated record gets none (409: enable it first). Audited (staff.invite).
   */
  async invite(id: string, by: AuditActor): Promise<Invitation> {
    const current = await this.find(id)
    if (!current) throw new NotFound(`staff record ${id} not found`)
    if (current.status === 'deactivated') throw new Conflict('this staff record is deactivated; enable it before inviting')
    const now = this.deps.now()
    const invitation = await this.newInvitation(current._id, now)
    const previous = await this.deps.models.Staff.findOneAndUpdate(
      { _id: current._id, status: { $ne: 'deactivated' } },
      { $set: { invitationHash: invitation.hash, invitationExpiresAt: invitation.expiresAt, updatedAt: now } },
      { returnDocument: 'before' },
    ).lean<StaffDoc>()
    if (!previous) {
      await this.deps.models.StaffInvitation.deleteOne({ _id: invitation.hash })
      throw new Conflict('this staff record was deactivated meanwhile; enable it before inviting')
    }
    if (previous.invitationHash) await this.deps.models.StaffInvitation.deleteOne({ _id: previous.invitationHash })
    await this.deps.audit.record({ ...by, action: 'staff.invite', details: { staffId: id, expiresAt: invitation.expiresAt.toISOString() }, at: now })
    return invitation.shown
  }

  /**
   * A member redeems an invitation: their WeChat identity is bound to the record (replacing the one bound before),
   * which becomes active, and they get a staff token. Unknown, used, replaced or expired codes and deactivated
   * records: 409 INVITATION_INVALID; a WeChat user bound to another active record: 409 CONFLICT. Audited
   * (staff.activate, by the staff member, with the member as whom).
   */
  async activate(inviteCode: string, memberId: string): Promise<StaffSession> {
    const normalized = normalizeInvitationCode(inviteCode)
    const now = this.deps.now()
    const invalid = () => new InvitationInvalid('this invitation code is unknown, used, replaced or expired; ask for a new one')
    if (normalized.length !== CODE_LENGTH) throw invalid()
    const hash = invitationHash(normalized)
    const invitation = await this.deps.models.StaffInvitation.findById(hash).lean()
    if (!invitation || invitation.usedAt || invitation.expiresAt.getTime() <= now.getTime()) throw invalid()
    const staff = await this.deps.models.Staff.findById(invitation.staffId).lean<StaffDoc>()
    if (!staff || staff.status === 'deactivated' || staff.invitationHash !== hash) throw invalid()
    const member = await this.deps.members.findById(memberId)
    if (!member) throw new NotFound('this member no longer exists')
    const identity = { openid: member.openid, unionid: member.unionid ?? null }
    const bound = await this.bindTo(staff, identity, { invitationHash: hash, invitationExpiresAt: { $gt: now } }, now)
    if (!bound) throw invalid()
    await this.deps.models.StaffInvitation.updateOne({ _id: hash }, { $set: { usedAt: now, usedBy: member._id } })
    await this.deps.audit.record({
      ...actorOf(bound),
      action: 'staff.activate',
      memberId: member._id,
      details: { staffId: bound._id.toString(), rebound: Boolean(staff.openid && staff.openid !== identity.openid) },
      at: now,
    })
    return this.session(bound)
  }

  /**
   * Binds a WeChat user to a record directly, without an invitation (the demo seed; an operator's repair): the record
   * becomes active. 404 for no record, 409 for a deactivated one or a user bound to another active record. Audited
   * (staff.bind).
   */
  async bind(staffId: string, identity: WechatIdentity, by: AuditActor): Promise<StaffRecord> {
    const staff = await this.find(staffId)
    if (!staff) throw new NotFound(`staff record ${staffId} not found`)
    if (staff.status === 'deactivated') throw new Conflict('this staff record is deactivated')
    const now = this.deps.now()
    const bound = await this.bindTo(staff, { openid: identity.openid, unionid: identity.unionid ?? null }, {}, now)
    if (!bound) throw new Conflict('the staff record changed while it was being bound; try again')
    await this.deps.audit.record({ ...by, action: 'staff.bind', details: { staffId, openid: identity.openid }, at: now })
    return view(bound)
  }

  /**
   * The staff part of a member's login: a staff token when this WeChat user is bound to an active record, else null.
   * One read by _id for everyone (the binding), a second for staff. Audited for staff (staff.login).
   */
  async sessionFor(member: { _id: Types.ObjectId; openid: string }): Promise<StaffSession | null> {
    const binding = await this.deps.models.StaffBinding.findById(member.openid).lean()
    if (!binding) return null
    const staff = await this.deps.models.Staff.findById(binding.staffId).lean<StaffDoc>()
    if (!staff || staff.status !== 'active' || staff.openid !== member.openid) return null
    await this.deps.audit.record({ ...actorOf(staff), action: 'staff.login', memberId: member._id, details: { staffId: staff._id.toString() }, at: this.deps.now() })
    return this.session(staff)
  }

  /**
   * The check of a staff token on every staff and admin request (core/auth.ts): one read of its record by _id; a
   * record missing, not active, or changed since the token was signed (its version) is a 401. A token without a
   * version is an operator's scripting token (`npm run admin-token`, signed with the server's secret; a login never
   * issues one): it is taken at its word, with no record (id null).
   */
  async check(claims: TokenPayload): Promise<StaffContext> {
    const role = claims.role as StaffContext['role']
    if (claims.ver === undefined) return { id: null, name: claims.sub, role, store: typeof claims.store === 'string' ? claims.store : null }
    if (!Number.isSafeInteger(claims.ver) || !STAFF_ID.test(claims.sub)) throw new Unauthorized('the token is invalid; log in again')
    const staff = await this.deps.models.Staff.findById(claims.sub, { name: 1, role: 1, store: 1, status: 1, version: 1 }).lean<StaffDoc>()
    if (!staff) throw new Unauthorized('this staff account no longer exists')
    if (staff.status !== 'active') throw new Unauthorized('this staff account is deactivated')
    if (staff.version !== claims.ver || staff.role !== claims.role || (staff.store ?? null) !== (claims.store ?? null)) {
      throw new Unauthorized('this staff account changed; log in again')
    }
    return { id: staff._id.toString(), name: staff.name, role: staff.role as StaffContext['role'], store: staff.store ?? null }
  }

  private async find(id: string): Promise<StaffDoc | null> {
    if (!STAFF_ID.test(id)) return null
    return this.deps.models.Staff.findById(id).lean<StaffDoc>()
  }

  private session(staff: StaffDoc): StaffSession {
    const ttl = this.deps.tokenTtlSeconds
    const store = staff.store ?? null
    return {
      token: this.deps.sign({ sub: staff._id.toString(), role: staff.role as StaffRoleName, store, ver: staff.version }, ttl),
      role: staff.role as StaffRoleName,
      store,
      name: staff.name,
      expiresIn: ttl,
    }
  }

  private async newInvitation(staffId: Types.ObjectId, now: Date): Promise<{ hash: string; expiresAt: Date; shown: Invitation }> {
    const code = newInvitationCode()
    const hash = invitationHash(code)
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS)
    await this.deps.models.StaffInvitation.create({ _id: hash, staffId, expiresAt, createdAt: now })
    return { hash, expiresAt, shown: { code, expiresAt: expiresAt.toISOString(), qrSvg: invitationQrSvg(code) } }
  }

  /**
   * Binds the WeChat user to the record in one conditional update (plus `condition`, e.g. its invitation), taking the
   * user over from a record that is not active. Answers the record as bound, or null when the condition failed.
   */
  private async bindTo(staff: StaffDoc, identity: { openid: string; unionid: string | null }, condition: Record<string, unknown>, now: Date): Promise<StaffDoc | null> {
    const { Staff, StaffBinding } = this.deps.models
    const existing = await StaffBinding.findById(identity.openid).lean()
    if (existing && !existing.staffId.equals(staff._id)) {
      const other = await Staff.findById(existing.staffId).lean<StaffDoc>()
      if (other && other.openid === identity.openid) {
        if (other.status === 'active') throw new Conflict('this WeChat user is already bound to another active staff record; deactivate that one first')
        // a deactivated record gives the user up: enabling it again later makes it invited, not active under them
        await Staff.updateOne({ _id: other._id, openid: identity.openid, status: { $ne: 'active' } }, { $set: { openid: null, unionid: null, updatedAt: now }, $inc: { version: 1 } })
      }
    }
    // the hint first: if the record's update fails, the hint names a record not bound to this user, which login ignores
    await StaffBinding.updateOne({ _id: identity.openid }, { $set: { staffId: staff._id, at: now } }, { upsert: true })
    const bound = await Staff.findOneAndUpdate(
      { _id: staff._id, status: { $in: ['invited', 'active'] }, ...condition },
      {
        $set: { status: 'active', openid: identity.openid, unionid: identity.unionid, boundAt: now, invitationHash: null, invitationExpiresAt: null, updatedAt: now },
        $inc: { version: 1 },
      },
      { returnDocument: 'after' },
    ).lean<StaffDoc>()
    if (!bound) return null
    // the phone bound before, if another: its hint goes (its tokens went with the version)
    if (staff.openid && staff.openid !== identity.openid) await StaffBinding.deleteOne({ _id: staff.openid, staffId: staff._id })
    return bound
  }
}

/** The role and store a record may have: staff and managers need a store, admins have none. 400 otherwise. */
function placement(role: StaffRoleName, store: string | null): { role: StaffRoleName; store: string | null } {
  if (role === 'admin') {
    if (store !== null) throw new ValidationFailed('body.store: an admin acts for every store; leave store out (or null)')
    return { role, store: null }
  }
  if (store === null) throw new ValidationFailed(`body.store: a ${role} works in one store; name its code (e.g. SH-01)`)
  return { role, store }
}

/** A bound record as the audit log's actor. */
function actorOf(staff: StaffDoc): Required<AuditActor> {
  return { actor: staff._id.toString(), role: staff.role, actorName: staff.name, store: staff.store ?? null }
}

function pick<T extends Record<string, unknown>>(value: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Partial<T>
}

/** A record as the API shows it. */
export function view(doc: StaffDoc): StaffRecord {
  return {
    id: doc._id.toString(),
    name: doc.name,
    role: doc.role as StaffRoleName,
    store: doc.store ?? null,
    status: doc.status as StaffRecord['status'],
    boundAt: doc.boundAt ? doc.boundAt.toISOString() : null,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  }
}
