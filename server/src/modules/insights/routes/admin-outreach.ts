import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AddSuppressionSchema,
  CreateOutreachSchema,
  ObjectIdString,
  OutreachListSchema,
  OutreachPolicySchema,
  OutreachResultsSchema,
  OutreachSchema,
  SuppressionListSchema,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'

const IdParams = Type.Object({ id: ObjectIdString }, { additionalProperties: false })
const MemberParams = Type.Object({ memberId: ObjectIdString }, { additionalProperties: false })
const PageQuery = Type.Object(
  { page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
  { additionalProperties: false },
)

/**
 * /api/admin/outreach — outreach with a holdout: create (draft), launch, cancel, read, results (every count the
 * figures are made from, and the written review); the frequency and serial-refund policy; the suppression list.
 */
const adminOutreach: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'insights']
  const security = [{ bearer: [] }]
  const actor = (request: { user: { sub: string; role: string } }) => ({ actor: request.user.sub, role: request.user.role })

  app.get(
    '/outreach-policy',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'The frequency limit across outreaches and what counts as a serial refunder', security, response: { 200: OutreachPolicySchema, ...errorResponses(401, 403, 503) } } },
    async () => app.insights.outreach.policy(),
  )
  app.put(
    '/outreach-policy',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Replace the outreach policy (audited)', security, body: OutreachPolicySchema, response: { 200: OutreachPolicySchema, ...errorResponses(400, 401, 403, 413, 415, 503) } },
    },
    async (request) => app.insights.outreach.setPolicy(request.body, actor(request)),
  )

  app.post(
    '/outreach',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Create an outreach (a draft; audited)',
        description:
          'audience: {segmentId} (its members when the outreach starts) or {enteringStage} (every member entering the stage between startAt and endAt). ' +
          'steps: 1–5 messages (kind campaign: title and content), each afterDays from the member’s start, optionally with a coupon, channel wechat or wechat_sms ' +
          '(SMS when WeChat cannot push; marketing consent and SMS unsubscribes apply), onlyIfNotBought for a last call. holdoutShare (default 0.1) of the members, ' +
          'drawn by a stable hash of (outreach, member), get nothing. Members on the suppression list, with marketing off, serial refunders and members held by ' +
          'another outreach (until its last step + minGapDays) are left out before the draw.',
        security,
        body: CreateOutreachSchema,
        response: { 201: OutreachSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.insights.outreach.create(request.body, actor(request))),
  )

  app.get(
    '/outreach',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'The outreaches, newest first', security, response: { 200: OutreachListSchema, ...errorResponses(401, 403, 503) } } },
    async () => app.insights.outreach.list(),
  )

  app.get(
    '/outreach/:id',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'An outreach', security, params: IdParams, response: { 200: OutreachSchema, ...errorResponses(400, 401, 403, 404, 503) } } },
    async (request) => app.insights.outreach.get(request.params.id),
  )

  app.post(
    '/outreach/:id/launch',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Launch a draft: it starts at startAt (409 unless a draft; audited)', security, params: IdParams, response: { 200: OutreachSchema, ...errorResponses(400, 401, 403, 404, 409, 503) } },
    },
    async (request) => app.insights.outreach.launch(request.params.id, actor(request)),
  )

  app.post(
    '/outreach/:id/cancel',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Stop an outreach: no more members, no more steps (audited)', security, params: IdParams, response: { 200: OutreachSchema, ...errorResponses(400, 401, 403, 404, 409, 503) } },
    },
    async (request) => app.insights.outreach.cancel(request.params.id, actor(request)),
  )

  app.get(
    '/outreach/:id/results',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Results against the holdout, with every count they are made from, and the written review (复盘)',
        description:
          'Per group: members, buyers (a counting purchase within attributionDays of the member’s start), revenue (fen paid after refunds), orders, rate. ' +
          'lift: treated rate − holdout rate with its 95% interval (normal approximation, unpooled standard error); significant when the interval excludes 0. ' +
          'incrementalRevenueFen: (revenue per treated − revenue per holdout member) × treated members. cost: messages by how they reached members × messageCostFen, ' +
          'coupons redeemed at face value (a percentage coupon at its cap). roi: (incremental revenue − cost) / cost.',
        security,
        params: IdParams,
        response: { 200: OutreachResultsSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => app.insights.results.results(request.params.id),
  )

  app.get(
    '/suppression-list',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'Members no outreach reaches, newest first', security, querystring: PageQuery, response: { 200: SuppressionListSchema, ...errorResponses(400, 401, 403, 503) } } },
    async (request) => app.insights.outreach.suppressionList(request.query.page ?? 1, request.query.pageSize ?? 50),
  )
  app.post(
    '/suppression-list',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Add members to the suppression list (audited; members already on it stay as they were)', security, body: AddSuppressionSchema, response: { 200: Type.Object({ added: Type.Integer() }), ...errorResponses(400, 401, 403, 413, 415, 503) } },
    },
    async (request) => app.insights.outreach.suppress(request.body.memberIds, request.body.reason, actor(request)),
  )
  app.delete(
    '/suppression-list/:memberId',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'Take a member off the suppression list (audited)', security, params: MemberParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 503) } } },
    async (request, reply) => {
      await app.insights.outreach.unsuppress(request.params.memberId, actor(request))
      return reply.code(204).send(null)
    },
  )
}
export default adminOutreach
