import Fastify from 'fastify'
import app from './app.js'
import { loadConfig } from './core/config.js'
import { answerFrameworkError } from './core/error-handler.js'

// Creates Fastify, registers the app and listens. Configuration comes from the environment (.env.example).
const config = loadConfig()
const server = Fastify({
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization'] },
  trustProxy: config.TRUST_PROXY,
  // the router's own errors (a broken percent-encoding) leave in the one error shape too
  frameworkErrors: answerFrameworkError,
})
await server.register(app, { ...config, PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}` })

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.log.info({ signal }, 'shutting down')
    server.close().then(() => process.exit(0), () => process.exit(1))
  })
}

await server.listen({ port: config.PORT, host: config.HOST })
