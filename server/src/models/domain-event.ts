import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/**
 * Domain events (tier.changed, points.confirmed, points.expiring, points.expired, order.shipped, …), written with the
 * change that causes them for later features (care messages, outreach) to consume.
 */
export const domainEventSchema = new Schema(
  {
    /** the business key */
    _id: { type: String, required: true },
    key: { type: String, required: true },
    type: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    payload: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
    /** consumers mark what they have handled */
    consumedBy: { type: [String], default: [] },
  },
  { collection: 'domain_events', versionKey: false },
)
// _id is the key: one event per causing change, however often the change is retried
// consumers read new events of a type in order
domainEventSchema.index({ type: 1, at: 1 })
domainEventSchema.index({ memberId: 1, at: -1 })

export type DomainEvent = InferSchemaType<typeof domainEventSchema>

export function domainEventModel(connection: Connection) {
  return connection.model('DomainEvent', domainEventSchema)
}
