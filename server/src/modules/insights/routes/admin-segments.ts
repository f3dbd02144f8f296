import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateSegmentSchema,
  ObjectIdString,
  SegmentCountSchema,
  SegmentFilterSchema,
  SegmentListSchema,
  SegmentMembersPageSchema,
  SegmentMembersQuerySchema,
  SegmentSchema,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'

const IdParams = Type.Object({ id: ObjectIdString }, { additionalProperties: false })

/** /api/admin/segments — saved filters over the members, a live count while editing, the members page by page. */
const adminSegments: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'insights']
  const security = [{ bearer: [] }]
  const actor = (request: { user: { sub: string; role: string } }) => ({ actor: request.user.sub, role: request.user.role })
  const filterHelp =
    'Every condition given must hold; a list holds when one of its values does. stages (prospect: no purchase), tierLevels, daysSinceLastPurchase ' +
    '(Shanghai days; never-bought members never match), purchases12m and amount12mFen (the rolling year: today and the 364 days before), rfm scores 1–5, ' +
    'bought (SKUs or categories, within 365 days by default), birthdayMonths, homeStores, pointsAvailable, marketingConsent, subscribedKinds, hasPhone.'

  app.post(
    '/segments/count',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Count the members a filter matches now (the live count while editing)', description: filterHelp, security, body: Type.Object({ filter: SegmentFilterSchema }, { additionalProperties: false }), response: { 200: SegmentCountSchema, ...errorResponses(400, 401, 403, 413, 415, 503) } },
    },
    async (request) => app.insights.segments.count(request.body.filter),
  )

  app.post(
    '/segments',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Save a segment (audited)', description: filterHelp, security, body: CreateSegmentSchema, response: { 201: SegmentSchema, ...errorResponses(400, 401, 403, 413, 415, 503) } },
    },
    async (request, reply) => reply.code(201).send(await app.insights.segments.create(request.body, actor(request))),
  )

  app.get(
    '/segments',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'The saved segments, newest first', security, response: { 200: SegmentListSchema, ...errorResponses(401, 403, 503) } } },
    async () => app.insights.segments.list(),
  )

  app.get(
    '/segments/:id',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'A segment with its count now', security, params: IdParams, response: { 200: SegmentSchema, ...errorResponses(400, 401, 403, 404, 503) } } },
    async (request) => app.insights.segments.get(request.params.id),
  )

  app.put(
    '/segments/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Replace a segment’s name and filter (audited; outreaches already launched keep the filter they started with)', security, params: IdParams, body: CreateSegmentSchema, response: { 200: SegmentSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) } },
    },
    async (request) => app.insights.segments.update(request.params.id, request.body, actor(request)),
  )

  app.delete(
    '/segments/:id',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'Delete a segment (audited)', security, params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 503) } } },
    async (request, reply) => {
      await app.insights.segments.remove(request.params.id, actor(request))
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/segments/:id/members',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'The segment’s members now, a page at a time (phone masked)', security, params: IdParams, querystring: SegmentMembersQuerySchema, response: { 200: SegmentMembersPageSchema, ...errorResponses(400, 401, 403, 404, 503) } },
    },
    async (request) => app.insights.segments.members(request.params.id, request.query.page ?? 1, request.query.pageSize ?? 50),
  )
}
export default adminSegments
