import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/**
 * A staff record: a person who works for the brand, with a role and (staff, managers) a store. A WeChat user is bound
 * to it by redeeming an invitation. `version` is bumped by every change of role, store, status or binding, and a
 * staff token carries the version it was signed at: a token of another version is refused on its next request.
 */
export const staffSchema = new Schema(
  {
    name: { type: String, required: true },
    role: { type: String, enum: ['staff', 'manager', 'admin'], required: true },
    /** the store code; null for admins (every store) */
    store: { type: String, default: null },
    status: { type: String, enum: ['invited', 'active', 'deactivated'], required: true },
    version: { type: Number, required: true, default: 0 },
    /** the bound WeChat user (the mini-program's openid, and the unionid when WeChat gave one); null until bound */
    openid: { type: String, default: null },
    unionid: { type: String, default: null },
    boundAt: { type: Date, default: null },
    /**
     * the outstanding invitation: the sha256 of its code (the code itself is never stored) and its end; null when
     * none. One at a time: a new invitation replaces it, and redeeming it clears it in the same update that binds.
     */
    invitationHash: { type: String, default: null },
    invitationExpiresAt: { type: Date, default: null },
    /** who created the record (a staff record id, or an operator token's name) */
    createdBy: { type: String, required: true },
    /** set from the app's clock (not mongoose's timestamps, which read the machine's) */
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'staff', versionKey: false },
)
// the operators' list by store (a scan on FerretDB: the collection is small); login and the token check read by _id
staffSchema.index({ store: 1, name: 1 })

export type StaffDoc = InferSchemaType<typeof staffSchema> & { _id: Types.ObjectId }

/**
 * An invitation, found by the sha256 of its code as `_id` (the activation page's one read). It says which record it
 * is for; whether it is still good is the record's say (its invitationHash), so replacing one needs no second write.
 */
export const staffInvitationSchema = new Schema(
  {
    _id: { type: String, required: true },
    staffId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    /** when it was redeemed, and by which member (null: not yet) */
    usedAt: { type: Date, default: null },
    usedBy: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'staff_invitations', versionKey: false },
)

export type StaffInvitationDoc = InferSchemaType<typeof staffInvitationSchema> & { _id: string }

/**
 * Which staff record a WeChat user (by the mini-program's openid, as `_id`) is bound to: the login's one read by _id
 * instead of a scan of the staff records. A hint only — the record's own openid decides — so a binding left behind by
 * a rebinding or a crash changes nothing; the unique `_id` keeps one record per WeChat user.
 */
export const staffBindingSchema = new Schema(
  {
    _id: { type: String, required: true },
    staffId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'staff_bindings', versionKey: false },
)

export type StaffBindingDoc = InferSchemaType<typeof staffBindingSchema> & { _id: string }

export function staffModels(connection: Connection) {
  return {
    Staff: connection.model('Staff', staffSchema),
    StaffInvitation: connection.model('StaffInvitation', staffInvitationSchema),
    StaffBinding: connection.model('StaffBinding', staffBindingSchema),
  }
}
export type StaffModels = ReturnType<typeof staffModels>
