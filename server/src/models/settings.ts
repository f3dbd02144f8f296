import { Schema, type Connection } from 'mongoose'

/** Operator settings by name (the loyalty policy, …). */
export const settingSchema = new Schema(
  {
    name: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedBy: { type: String, default: null },
  },
  { collection: 'settings', versionKey: false, timestamps: true },
)
// one document per setting
settingSchema.index({ name: 1 }, { unique: true })

/** Who did what with admin rights: every adjustment and setting change. */
export const auditSchema = new Schema(
  {
    actor: { type: String, required: true },
    role: { type: String, required: true },
    action: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    details: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
  },
  { collection: 'audit_log', versionKey: false },
)
// an actor's or a member's history
auditSchema.index({ memberId: 1, at: -1 })
auditSchema.index({ actor: 1, at: -1 })

export function settingsModels(connection: Connection) {
  return {
    Setting: connection.model('Setting', settingSchema),
    Audit: connection.model('Audit', auditSchema),
  }
}
