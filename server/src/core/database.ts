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
      // with the server away, a command fails within seconds (503 DATABASE_UNAVAILABLE) instead of waiting
      serverSelectionTimeoutMS: 3_000,
      connectTimeoutMS: 5_000,
      // and is never held in mongoose's buffer for 10 s while the connection is down: it goes to the driver at once
      bufferCommands: false,
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

/** The driver's and mongoose's names for "the server cannot be reached (now)". */
const UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
])

/** True when an error says the database cannot be reached rather than that the command was wrong (the 503 case). */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e = error as { name?: unknown; message?: unknown; cause?: unknown } | null | undefined
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.name !== 'string') return false
    if (UNAVAILABLE.has(e.name)) return true
    // mongoose's own: a buffered command timing out, a command on a closed connection
    if (e.name === 'MongooseError' && /buffering timed out|before initial connection|connection (was )?(force )?closed|client must be connected/i.test(String(e.message))) return true
  }
  return false
}
