import { Type, type Static } from '@sinclair/typebox'
import { ObjectIdString } from './common.js'

/**
 * Staff identity and roles (issue 12): staff records (staff and managers of one store, admins of every store), the
 * one-time invitation that binds a WeChat user to a record, the short-lived staff token, and the audit log managers
 * read. Server: server/src/modules/staff/.
 */

const closed = { additionalProperties: false } as const
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Time = Type.String({ format: 'date-time' })

export const STAFF_ROLES = ['staff', 'manager', 'admin'] as const
export type StaffRoleName = (typeof STAFF_ROLES)[number]
export const STAFF_STATUSES = ['invited', 'active', 'deactivated'] as const
export type StaffStatus = (typeof STAFF_STATUSES)[number]

/** A store's code: upper-case letters and digits, dashes inside, 2–16 characters (SH-01, BJ-SKP). */
export const STAFF_STORE_CODE_PATTERN = '^[A-Z0-9][A-Z0-9-]{1,15}$'
export const StoreCodeSchema = Type.String({ pattern: STAFF_STORE_CODE_PATTERN, minLength: 2, maxLength: 16, description: 'a store code, e.g. SH-01' })

export const StaffRoleSchema = Type.Union(
  STAFF_ROLES.map((r) => Type.Literal(r)),
  { description: 'staff: one store; manager: one store, more rights (its audit log); admin: every store (operators)' },
)
export const StaffStatusSchema = Type.Union(STAFF_STATUSES.map((s) => Type.Literal(s)), {
  description: 'invited: created, the invitation not used yet; active: bound to a WeChat user; deactivated: refused everywhere',
})

/** A person's name as staff see it: 1–40 characters, no control characters, not only spaces. */
const StaffName = Type.String({ minLength: 1, maxLength: 40, pattern: '^(?=.*\\S)[^\\u0000-\\u001F\\u007F]+$', description: 'the name colleagues know, e.g. 王芳' })

export const StaffRecordSchema = Type.Object({
  id: ObjectIdString,
  name: Type.String({ minLength: 1, maxLength: 40 }),
  role: StaffRoleSchema,
  store: Nullable(Type.String({ pattern: STAFF_STORE_CODE_PATTERN, description: 'the store code (staff and managers); null for admins (every store)' })),
  status: StaffStatusSchema,
  boundAt: Nullable(Type.String({ format: 'date-time', description: 'when a WeChat user last redeemed an invitation of this record' })),
  createdAt: Time,
  updatedAt: Time,
})
export type StaffRecord = Static<typeof StaffRecordSchema>

/** POST /api/admin/staff. `store` is required for staff and managers and must be null (or absent) for admins. */
export const CreateStaffSchema = Type.Object(
  {
    name: StaffName,
    role: StaffRoleSchema,
    store: Type.Optional(Nullable(StoreCodeSchema)),
  },
  closed,
)
export type CreateStaff = Static<typeof CreateStaffSchema>

/** PATCH /api/admin/staff/:id: a role, store or status change refuses the record's outstanding tokens at once. */
export const UpdateStaffSchema = Type.Object(
  {
    name: Type.Optional(StaffName),
    role: Type.Optional(StaffRoleSchema),
    store: Type.Optional(Nullable(StoreCodeSchema)),
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('deactivated')], {
        description: 'deactivated: refused at once; active: enabled again (invited again if it was never bound)',
      }),
    ),
  },
  { ...closed, minProperties: 1 },
)
export type UpdateStaff = Static<typeof UpdateStaffSchema>

export const StaffIdParamsSchema = Type.Object({ id: ObjectIdString }, closed)

export const StaffListQuerySchema = Type.Object(
  {
    store: Type.Optional(StoreCodeSchema),
    status: Type.Optional(StaffStatusSchema),
  },
  closed,
)
export type StaffListQuery = Static<typeof StaffListQuerySchema>

export const StaffListSchema = Type.Object({ items: Type.Array(StaffRecordSchema) })
export type StaffList = Static<typeof StaffListSchema>

/** A one-time invitation: show the code (or the QR of it) to the person; valid 7 days, usable once. */
export const InvitationSchema = Type.Object({
  code: Type.String({ description: 'XXXXX-XXXXX-XXXXX from an alphabet without look-alikes; typed on the activation page (dashes and case do not matter)' }),
  expiresAt: Time,
  qrSvg: Type.String({ description: 'an SVG image of a QR code of the code' }),
})
export type Invitation = Static<typeof InvitationSchema>

export const CreateStaffResultSchema = Type.Object({ staff: StaffRecordSchema, invitation: InvitationSchema })
export type CreateStaffResult = Static<typeof CreateStaffResultSchema>

/** An invitation code as typed or scanned: letters, digits, spaces and dashes. */
export const ActivateStaffSchema = Type.Object(
  { inviteCode: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$', description: 'the invitation code' }) },
  closed,
)
export type ActivateStaff = Static<typeof ActivateStaffSchema>

/** The staff part of a login: a separate token for /api/staff and /api/admin routes. */
export const StaffSessionSchema = Type.Object({
  token: Type.String({ description: 'a staff JWT; send it as `Authorization: Bearer <token>` on staff routes' }),
  role: StaffRoleSchema,
  store: Nullable(Type.String()),
  name: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds until the staff token expires (log in again for a new one)' }),
})
export type StaffSession = Static<typeof StaffSessionSchema>

export const ActivateStaffResultSchema = Type.Object({ staff: StaffSessionSchema })
export type ActivateStaffResult = Static<typeof ActivateStaffResultSchema>

/** GET /api/staff/me: who the staff token is (an operator's scripting token: id null). */
export const StaffMeSchema = Type.Object({
  id: Nullable(ObjectIdString),
  name: Type.String(),
  role: StaffRoleSchema,
  store: Nullable(Type.String()),
})
export type StaffMe = Static<typeof StaffMeSchema>

export const StaffAuditQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,512}$', maxLength: 512, description: 'nextCursor from the previous page' })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001F\\u007F]+$', description: 'one actor: a staff record id (or an operator token’s name)' })),
    store: Type.Optional(StoreCodeSchema),
  },
  closed,
)
export type StaffAuditQuery = Static<typeof StaffAuditQuerySchema>

export const StaffAuditEntrySchema = Type.Object({
  id: Type.String(),
  at: Time,
  actor: Type.String({ description: 'who: a staff record id, an operator token’s name, or system' }),
  actorName: Nullable(Type.String()),
  role: Type.String(),
  store: Nullable(Type.String({ description: 'the store the actor acted for (null: an admin, every store)' })),
  action: Type.String({ description: 'what, e.g. coupon.use-in-store, staff.create' }),
  memberId: Nullable(Type.String({ description: 'whom (a member), when the action concerned one' })),
  details: Type.Record(Type.String(), Type.Unknown()),
})
export type StaffAuditEntry = Static<typeof StaffAuditEntrySchema>

export const StaffAuditPageSchema = Type.Object({
  items: Type.Array(StaffAuditEntrySchema),
  nextCursor: Nullable(Type.String()),
})
export type StaffAuditPage = Static<typeof StaffAuditPageSchema>
