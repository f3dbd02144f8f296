import fp from 'fastify-plugin'
import mongoose, { type Connection } from 'mongoose'
import { createModels, type Models } from '../models/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: { connection: Connection; models: Models }
  }
}

export interface DatabaseOptions {
  uri: string
}

/** Connects before ready, builds the models and their indexes, and closes on close. */
export default fp<DatabaseOptions>(
  async (app, opts) => {
    const connection = mongoose.createConnection(opts.uri, {
      serverSelectionTimeoutMS: 10_000,
      // FerretDB and standalone servers have no retryable writes; every write here is idempotent by design instead
      retryWrites: false,
      autoIndex: false,
    })
    await connection.asPromise()
    const models = createModels(connection)
    // unique indexes carry the business keys: they must exist before the first request
    await Promise.all(Object.values(models).map((model) => model.createIndexes()))
    app.decorate('db', { connection, models })
    app.addHook('onClose', async () => {
      await connection.close()
    })
  },
  { name: 'database' },
)
