import type { FastifyRequest } from 'fastify'

/**
 * preValidation of the routes whose body carries nothing required (confirm, complete, no-show, a member's cancel):
 * a request sent without any body is taken as `{}`. A body that is sent is checked as it is (an empty JSON text is
 * still a 400).
 */
export async function noBodyIsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined && request.headers['content-type'] === undefined) request.body = {}
}
