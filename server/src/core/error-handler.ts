import { ErrorCodes, type ApiErrorBody } from '@member-center/shared'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import { isDatabaseUnavailable } from './database.js'
import { DatabaseUnavailable } from './errors.js'
import strictInput from './strict-input.js'

/** Codes our own errors carry; anything else with a 5xx status is an internal error whose message stays in the log. */
const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes))

export function errorBody(statusCode: number, code: string, message: string): ApiErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/**
 * The one error handler: every error leaves as `{ statusCode, code, error, message }`; 5xx never leak internals.
 * Registered first, it also makes input strict for every route (strict-input.ts): the validator, JSON-only bodies
 * bounded in size and depth, and the answers for requests no route takes (404, 405, 414).
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.validation) {
        const first = error.validation[0] as { message?: string; instancePath?: string } | undefined
        // strict-input's validator names the part and the path in its message (body.expiry.days: …)
        const message = first?.instancePath === '' && first.message ? first.message : `${error.validationContext ?? 'request'}${error.message.replace(/^(body|querystring|params|headers)/, '')}`
        return reply.code(400).send(errorBody(400, ErrorCodes.VALIDATION_FAILED, message))
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error, url: request.url, method: request.method }, 'database unavailable')
        const unavailable = new DatabaseUnavailable()
        return reply.code(503).header('retry-after', '5').send(errorBody(503, unavailable.code, unavailable.message))
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
      if (status === 429) return reply.code(429).send(errorBody(429, ErrorCodes.RATE_LIMITED, error.message))
      if (status < 500) {
        if (KNOWN_CODES.has(error.code)) return reply.code(status).send(errorBody(status, error.code, error.message))
        // another library's (Fastify's body parser, say): the code by status, and a hint where one helps
        const message = status === 415 ? `${error.message}: send the body as JSON (content-type: application/json)` : error.message
        return reply.code(status).send(errorBody(status, codeForStatus(status), message))
      }
      if (KNOWN_CODES.has(error.code)) {
        request.log.warn({ err: error }, 'request failed with a known error')
        return reply.code(status).send(errorBody(status, error.code, error.message))
      }
      request.log.error({ err: error, url: request.url, method: request.method, memberId: request.user?.sub }, 'unhandled error')
      return reply.code(500).send(errorBody(500, ErrorCodes.INTERNAL, 'Something went wrong on our side; it has been logged.'))
    })
    await app.register(strictInput)
  },
  { name: 'errors' },
)

/**
 * For Fastify's `frameworkErrors` option (set where Fastify is created: server.ts, the test helper, the tools): the
 * errors the router answers before any plugin runs — a path whose percent-encoding is broken (FST_ERR_BAD_URL), a
 * path parameter longer than maxParamLength when no route catches it — leave in the error shape too.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
  const message = error.code === 'FST_ERR_BAD_URL' ? 'the path is not a valid URL (broken percent-encoding)' : error.message
  reply.code(status).send(errorBody(status, status === 414 ? ErrorCodes.URI_TOO_LONG : ErrorCodes.VALIDATION_FAILED, message))
}

/** The code for an error of another library (Fastify's body parser, say) by its status. */
function codeForStatus(status: number): string {
  switch (status) {
    case 401:
      return ErrorCodes.UNAUTHORIZED
    case 403:
      return ErrorCodes.FORBIDDEN
    case 404:
      return ErrorCodes.NOT_FOUND
    case 405:
      return ErrorCodes.METHOD_NOT_ALLOWED
    case 409:
      return ErrorCodes.CONFLICT
    case 413:
      return ErrorCodes.PAYLOAD_TOO_LARGE
    case 414:
      return ErrorCodes.URI_TOO_LONG
    case 415:
      return ErrorCodes.UNSUPPORTED_MEDIA_TYPE
    default:
      return ErrorCodes.VALIDATION_FAILED
  }
}
