import Fastify from 'fastify'
import app from './app.js'
import { loadConfig } from './core/config.js'

// Creates Fastify, registers the app and listens. Configuration comes from the environment (.env.example).
const config = loadConfig()
const server = Fastify({
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization'] },
  trustProxy: config.TRUST_PROXY,
})
await server.register(app, config)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.log.info({ signal }, 'shutting down')
    server.close().then(() => process.exit(0), () => process.exit(1))
  })
}

await server.listen({ port: config.PORT, host: config.HOST })
