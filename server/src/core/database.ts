import fp from 'fastify-plugin'
import mongoose, { type Connection, type Model } from 'mongoose'

declare module 'fastify' {
  interface FastifyInstance {
    db: {
      connection: Connection
      /** builds a module's models on the app's connection and creates their indexes (business keys) before ready */
      register<T extends Record<string, Model<any>>>(models: T): Promise<T>
    }
  }
}

export interface DatabaseOptions {
  uri: string
}

/**
 * Connects before ready and closes on close. Each module builds its own models on this connection (db.register);
 * no model binds to mongoose's global connection, and no module reaches another's models.
 */
export default fp<DatabaseOptions>(
  async (app, opts) => {
    const connection = mongoose.createConnection(opts.uri, {
      serverSelectionTimeoutMS: 10_000,
      // FerretDB and standalone servers have no retryable writes; every write here is idempotent by design instead
      retryWrites: false,
      autoIndex: false,
    })
    await connection.asPromise()
    app.decorate('db', {
      connection,
      async register(models) {
        // unique indexes carry the business keys: they must exist before the first request
        await Promise.all(Object.values(models).map((model) => model.createIndexes()))
        return models
      },
    })
    app.addHook('onClose', async () => {
      await connection.close()
    })
  },
  { name: 'database' },
)
