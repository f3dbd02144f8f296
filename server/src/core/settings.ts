import fp from 'fastify-plugin'
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

export function settingModel(connection: Connection) {
  return connection.model('Setting', settingSchema)
}

/** Named settings documents; modules keep their own typed view with defaults (e.g. loyalty's PolicyStore). */
export class SettingsStore {
  constructor(private readonly Setting: ReturnType<typeof settingModel>) {}

  async get<T>(name: string): Promise<T | null> {
    const doc = await this.Setting.findOne({ name }).lean()
    return (doc?.value as T | undefined) ?? null
  }

  async put<T>(name: string, value: T, updatedBy: string): Promise<void> {
    await this.Setting.updateOne({ name }, { $set: { value, updatedBy } }, { upsert: true })
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    settings: SettingsStore
  }
}

export default fp(
  async (app) => {
    const { Setting } = await app.db.register({ Setting: settingModel(app.db.connection) })
    app.decorate('settings', new SettingsStore(Setting))
  },
  { name: 'settings', dependencies: ['database'] },
)
