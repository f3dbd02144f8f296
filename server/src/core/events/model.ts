import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/**
 * The domain-event log (tier.changed, points.confirmed, points.expiring, order.shipped, …): each event written once,
 * under the business key of the change that caused it, with that change. Consumers get them through delivery jobs
 * (events/index.ts), not by reading this collection, so its order and insertion races do not matter to them.
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
  },
  { collection: 'domain_events', versionKey: false },
)
// _id is the key: one event per causing change, however often the change is retried
// a type's events over time (operators, backfilling a new consumer)
domainEventSchema.index({ type: 1, at: 1 })
// a member's events, newest first
domainEventSchema.index({ memberId: 1, at: -1 })

export type DomainEventDoc = InferSchemaType<typeof domainEventSchema>

export function domainEventModel(connection: Connection) {
  return connection.model('DomainEvent', domainEventSchema)
}
