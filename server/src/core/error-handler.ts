import { ErrorCodes, type ApiErrorBody } from '@member-center/shared'
import type { FastifyError } from 'fastify'
import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import { isDatabaseUnavailable } from './database.js'
import { DatabaseUnavailable } from './errors.js'

/** Codes our own errors carry; anything else with a 5xx status is an internal error whose message stays in the log. */
const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes))

export function errorBody(statusCode: number, code: string, message: string): ApiErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/** The one error handler: every error leaves as `{ statusCode, code, error, message }`; 5xx never leak internals. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.validation) {
        return reply.code(400).send(errorBody(400, ErrorCodes.VALIDATION_FAILED, `${error.validationContext ?? 'request'}${error.message.replace(/^(body|querystring|params|headers)/, '')}`))
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error, url: request.url, method: request.method }, 'database unavailable')
        const unavailable = new DatabaseUnavailable()
        return reply.code(503).header('retry-after', '5').send(errorBody(503, unavailable.code, unavailable.message))
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500
      if (status === 429) return reply.code(429).send(errorBody(429, ErrorCodes.RATE_LIMITED, error.message))
      if (status < 500) {
        const code = KNOWN_CODES.has(error.code) ? error.code : codeForStatus(status)
        return reply.code(status).send(errorBody(status, code, error.message))
      }
      if (KNOWN_CODES.has(error.code)) {
        request.log.warn({ err: error }, 'request failed with a known error')
        return reply.code(status).send(errorBody(status, error.code, error.message))
      }
      request.log.error({ err: error, url: request.url, method: request.method, memberId: request.user?.sub }, 'unhandled error')
      return reply.code(500).send(errorBody(500, ErrorCodes.INTERNAL, 'Something went wrong on our side; it has been logged.'))
    })
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send(errorBody(404, ErrorCodes.NOT_FOUND, `no route for ${request.method} ${request.url.split('?')[0]}`))
    })
  },
  { name: 'errors' },
)

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return ErrorCodes.VALIDATION_FAILED
    case 401:
      return ErrorCodes.UNAUTHORIZED
    case 403:
      return ErrorCodes.FORBIDDEN
    case 404:
      return ErrorCodes.NOT_FOUND
    case 409:
      return ErrorCodes.CONFLICT
    default:
      return ErrorCodes.VALIDATION_FAILED
  }
}
