import { Type, type Static } from '@sinclair/typebox'

/** A domain-event consumer's unfinished deliveries (GET /api/admin/event-consumers). */
export const ConsumerStatusSchema = Type.Object({
  consumer: Type.String(),
  types: Type.Array(Type.String()),
  queued: Type.Integer({ description: 'deliveries waiting, being handled, or backing off after a failure' }),
  failed: Type.Integer({ description: 'deliveries that failed every attempt' }),
  problems: Type.Array(
    Type.Object({ eventKey: Type.String(), state: Type.String(), attempts: Type.Integer(), lastError: Type.Union([Type.String(), Type.Null()]) }),
  ),
})
export const ConsumerStatusListSchema = Type.Object({ consumers: Type.Array(ConsumerStatusSchema) })
export type ConsumerStatusList = Static<typeof ConsumerStatusListSchema>
