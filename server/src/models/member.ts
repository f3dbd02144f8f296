import { Schema, type Connection, type InferSchemaType } from 'mongoose'

export const memberSchema = new Schema(
  {
    /** the member's openid in the brand's mini-program */
    openid: { type: String, required: true },
    /** the brand-wide id across the brand's apps (Official Account, other mini-programs), when WeChat gives one */
    unionid: { type: String },
    nickname: { type: String, required: true },
    avatarUrl: { type: String, default: null },
    /** full number, never returned unmasked to the member's own card */
    phone: { type: String, default: null },
    /** MM-DD (DESIGN.md §2: date-only facts are not instants) */
    birthday: { type: String, default: null },
    birthYear: { type: Number, default: null },
    /** growth value total; only the loyalty ledger changes it */
    growth: { type: Number, required: true, default: 0, min: 0 },
    points: {
      available: { type: Number, required: true, default: 0 },
      pending: { type: Number, required: true, default: 0, min: 0 },
    },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'members' },
)
// login: find-or-create by openid; unique so two first logins at once create one member, not two
memberSchema.index({ openid: 1 }, { unique: true })
// joining Official Account followers (their own openid) to members by unionid
memberSchema.index({ unionid: 1 })

export type MemberDoc = InferSchemaType<typeof memberSchema> & { _id: import('mongoose').Types.ObjectId }

export function memberModel(connection: Connection) {
  return connection.model('Member', memberSchema)
}
