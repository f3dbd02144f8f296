import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/** A durable job: any number of processes run the worker; a claimed job carries a lease that expires if its worker dies. */
export const jobSchema = new Schema(
  {
    /** the business key */
    _id: { type: String, required: true },
    key: { type: String, required: true },
    type: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, default: {} },
    state: { type: String, required: true, enum: ['queued', 'running', 'done', 'failed'], default: 'queued' },
    dueAt: { type: Date, required: true },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    /** the claim that took the lease: a worker runs a job only while its claim still holds it */
    leaseToken: { type: String, default: null },
    attempts: { type: Number, default: 0 },
    maxAttempts: { type: Number, default: 10 },
    lastError: { type: String, default: null },
    doneAt: { type: Date, default: null },
  },
  { collection: 'jobs', versionKey: false, timestamps: true },
)
// _id is the business key: scheduling the same work twice keeps one job
// the worker's claim: due queued jobs, oldest first
jobSchema.index({ state: 1, dueAt: 1 })
// taking over expired leases
jobSchema.index({ state: 1, leaseUntil: 1 })

export type Job = InferSchemaType<typeof jobSchema>

export function jobModel(connection: Connection) {
  return connection.model('Job', jobSchema)
}
