import { Schema, type Connection, type InferSchemaType } from 'mongoose'

const benefitSchema = new Schema({ title: String, description: String, icon: { type: String, default: null } }, { _id: false })

/** One tier of the brand's table (DESIGN.md §2), with its benefits (会员权益); an operator replaces the whole table. */
export const tierSchema = new Schema(
  {
    level: { type: Number, required: true, min: 1 },
    code: { type: String, required: true },
    name: { type: String, required: true },
    threshold: { type: Number, required: true, min: 0 },
    pointsMultiplier: { type: Number, required: true, min: 0 },
    benefits: { type: [benefitSchema], default: [] },
    /** an edit raised the threshold: until then nobody holding the tier loses it outside a review (lifetime policy) */
    holdUntil: { type: Date, default: null },
  },
  { timestamps: true, collection: 'tiers' },
)
// the tier table read in level order; unique so seeding on several processes at once inserts each tier once
tierSchema.index({ level: 1 }, { unique: true })
tierSchema.index({ code: 1 }, { unique: true })

export type TierDoc = InferSchemaType<typeof tierSchema>

export function tierModel(connection: Connection) {
  return connection.model('Tier', tierSchema)
}
