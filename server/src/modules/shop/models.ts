import { Schema, type Connection } from 'mongoose'

/** Every shop event applied, kept as it came: with the queue, what answers a replay with "duplicate". */
export const shopEventSchema = new Schema(
  {
    /** the eventId: lookups by primary key are the fast path on every server */
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    orderId: { type: String, default: null },
    data: { type: Schema.Types.Mixed, required: true },
    /** applied: the order was updated; parked: its member is not known yet */
    state: { type: String, required: true, enum: ['applied', 'parked'] },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'shop_events', versionKey: false },
)
// _id is the eventId: a replayed event is recognised by its primary key and changes nothing
shopEventSchema.index({ orderId: 1, occurredAt: 1 })

/**
 * Events accepted but not yet applied (events.ts). Small by design: an event leaves it as soon as it
 * is applied (and recorded in shop_events), so finding the ones left behind never scans the whole history.
 */
const shopEventQueueSchema = new Schema(
  {
    /** the eventId */
    _id: { type: String, required: true },
    /** the event as the shop sent it (validated) */
    event: { type: Schema.Types.Mixed, required: true },
    receivedAt: { type: Date, required: true },
    /** failed attempts to apply it, the last error, and when to try again */
    attempts: { type: Number, required: true, default: 0 },
    lastError: { type: String, default: null },
    retryAt: { type: Date, default: null },
  },
  { collection: 'shop_event_queue', versionKey: false },
)

export type ShopModels = ReturnType<typeof shopModels>

export function shopModels(connection: Connection) {
  return {
    ShopEvent: connection.model('ShopEvent', shopEventSchema),
    ShopEventQueue: connection.model('ShopEventQueue', shopEventQueueSchema),
  }
}
