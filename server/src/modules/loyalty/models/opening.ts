import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/**
 * A member's balances in an old CRM, as `npm run import` read them (loyalty/migration.ts): kept until the member is
 * known here (at once, or when they first log in or bind their phone), then opened in the ledger once.
 */
export const openingSchema = new Schema(
  {
    /** the member reference of the record, in its one spelling (phone:…, openid:…, unionid:…, memberId:…) */
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    /** a fingerprint of the imported record: a re-run with the same record is unchanged, with another one refused */
    hash: { type: String, required: true },
    lots: { type: [new Schema({ points: Number, expiresAt: { type: Date, default: null } }, { _id: false })], default: [] },
    growth: { type: Number, default: 0 },
    /** growth by Shanghai day as the file gave it; null: worked out from the member's migrated orders */
    growthByDay: { type: [new Schema({ day: String, value: Number }, { _id: false })], default: null },
    tier: { type: new Schema({ code: String, since: Date, reviewAt: { type: Date, default: null } }, { _id: false }), default: null },
    importedAt: { type: Date, required: true },
    /** when the opening entry was written (null while the member is not known yet) */
    openedAt: { type: Date, default: null },
    /** why the opening could not be written (another record already opened the same member's balances) */
    problem: { type: String, default: null },
  },
  { collection: 'opening_balances', versionKey: false },
)
// openings waiting for their member
openingSchema.index({ openedAt: 1 })

export type Opening = InferSchemaType<typeof openingSchema>

export function openingModel(connection: Connection) {
  return connection.model('OpeningBalance', openingSchema)
}
