import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CouponTemplateSchema,
  CreateCouponTemplateSchema,
  IssueCouponSchema,
  IssueResultSchema,
  ObjectIdString,
  UpdateCouponTemplateSchema,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { NotFound } from '../../../core/errors.js'
import { keyPart } from '../../loyalty/keys.js'
import { errorResponses } from '../../../core/responses.js'

const Params = Type.Object({ id: ObjectIdString }, { additionalProperties: false })

/** /api/admin/coupon-templates — operators keep coupon templates and issue coupons from them (audited). */
const templates: FastifyPluginAsyncTypebox = async (app) => {
  const actor = (request: { user: { sub: string; role: string } }) => ({ actor: request.user.sub, role: request.user.role })

  app.post(
    '/coupon-templates',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'coupons'],
        summary: 'Create a coupon template',
        description:
          'kind amount: amountFen; kind percent: percentOff (and capFen, the most it takes off). validity {days} (from issue, to the end of ' +
          'the last Shanghai day) or {from, to}. stock and perMemberLimit absent: unlimited. tiers: tier codes that may have it.',
        security: [{ bearer: [] }],
        body: CreateCouponTemplateSchema,
        response: { 201: CouponTemplateSchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.coupons.templates.create(request.body, actor(request))),
  )

  app.get(
    '/coupon-templates',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'coupons'],
        summary: 'List coupon templates, newest first',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ items: Type.Array(CouponTemplateSchema) }), ...errorResponses(401, 403, 503) },
      },
    },
    async () => ({ items: await app.coupons.templates.list() }),
  )

  app.get(
    '/coupon-templates/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'coupons'],
        summary: 'One coupon template',
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: CouponTemplateSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const template = await app.coupons.template(request.params.id)
      if (!template) throw new NotFound(`coupon template ${request.params.id} not found`)
      return template
    },
  )

  app.patch(
    '/coupon-templates/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'coupons'],
        summary: 'Edit a coupon template (pause, rename, stock, limits, tiers, validity)',
        description: 'Coupons already issued keep the rules they were issued with. A stock below what was issued is a 409.',
        security: [{ bearer: [] }],
        params: Params,
        body: UpdateCouponTemplateSchema,
        response: { 200: CouponTemplateSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.coupons.templates.update(request.params.id, request.body, actor(request)),
  )

  app.post(
    '/coupon-templates/:id/issue',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'coupons'],
        summary: 'Issue a coupon to a member (source api)',
        description:
          'requestId is an idempotency key per template and member: the same requestId issues once (200 duplicate with the coupon). ' +
          'Refusals are 409 OUT_OF_STOCK, LIMIT_REACHED, TIER_NOT_ELIGIBLE or NOT_AVAILABLE.',
        security: [{ bearer: [] }],
        params: Params,
        body: IssueCouponSchema,
        response: { 201: IssueResultSchema, 200: IssueResultSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const { memberId, requestId } = request.body
      if (!(await app.members.repo.exists(memberId))) throw new NotFound(`member ${memberId} not found`)
      const result = await app.coupons.issue({
        templateId: request.params.id,
        memberId,
        key: `api:${request.params.id}:${memberId}:${keyPart(requestId)}`,
        source: 'api',
      })
      if (result.status === 'issued') {
        await app.audit.record({ ...actor(request), action: 'coupon.issue', memberId, details: { templateId: request.params.id, couponId: result.coupon.id, requestId }, at: app.now() })
      }
      return reply.code(result.status === 'issued' ? 201 : 200).send(result)
    },
  )
}
export default templates
