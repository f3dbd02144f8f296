import { Schema, type Connection } from 'mongoose'

/** Which member a phone number belongs to: one member per number. */
export const phoneBindingSchema = new Schema(
  {
    /** the phone number (normalisePhone's spelling); as _id, two members binding one number at once cannot both win */
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'phone_bindings', versionKey: false },
)

// a member's bindings: rebinding releases the number bound before
phoneBindingSchema.index({ memberId: 1 })

export function phoneBindingModel(connection: Connection) {
  return connection.model('PhoneBinding', phoneBindingSchema)
}
