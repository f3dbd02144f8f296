import { Schema, type Connection, type InferSchemaType } from 'mongoose'

export const tierSchema = new Schema(
  {
    level: { type: Number, required: true, min: 1 },
    code: { type: String, required: true },
    name: { type: String, required: true },
    threshold: { type: Number, required: true, min: 0 },
    pointsMultiplier: { type: Number, required: true, min: 0 },
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
