import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdminMessageSchema,
  AdminMessagesQuerySchema,
  MessageTemplateRowSchema,
  MessagingPolicySchema,
  TemplateMappingParamsSchema,
  TemplateMappingSchema,
  UpdateMessagingPolicySchema,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'
import { POLICY_SETTING } from '../dispatcher.js'
import { CARE_TIPS_SETTING } from '../triggers.js'

/** Operators: templates per kind and channel, the messages and their outcomes, the messaging policy. */
const adminMessages: FastifyPluginAsyncTypebox = async (app) => {
  const auth = { onRequest: app.authenticateAdmin }
  const security = [{ bearer: [] }]
  const actor = (request: { user: { sub: string; role: string } }) => ({ actor: request.user.sub, role: request.user.role })

  app.get(
    '/message-templates',
    {
      ...auth,
      schema: { tags: ['admin', 'messages'], summary: 'Every message kind, its template per channel, and what is not mapped', security, response: { 200: Type.Object({ kinds: Type.Array(MessageTemplateRowSchema) }), ...errorResponses(401, 403, 503) } },
    },
    async () => ({ kinds: await app.messaging.mappings.overview() }),
  )

  app.put(
    '/message-templates/:kind/:channel',
    {
      ...auth,
      schema: {
        tags: ['admin', 'messages'],
        summary: 'Map a kind to the brand’s WeChat template on a channel (subscribe or official_account), with the key of each field',
        description: 'Marketing kinds cannot use the Official Account (WeChat forbids ads there). Keys default to the catalogue’s.',
        security,
        params: TemplateMappingParamsSchema,
        body: TemplateMappingSchema,
        response: { 200: Type.Object({ kind: Type.String(), channel: Type.String(), templateId: Type.String(), title: Type.String(), keys: Type.Record(Type.String(), Type.String()) }), ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => app.messaging.mappings.set(request.params.kind, request.params.channel, request.body, actor(request)),
  )

  app.get(
    '/messages',
    {
      ...auth,
      schema: { tags: ['admin', 'messages'], summary: 'Messages, newest first, by status, kind, member and time', security, querystring: AdminMessagesQuerySchema, response: { 200: Type.Object({ items: Type.Array(AdminMessageSchema) }), ...errorResponses(400, 401, 403, 503) } },
    },
    async (request) => ({ items: await app.messaging.admin.list(request.query) }),
  )

  app.get(
    '/messages/stats',
    {
      ...auth,
      schema: {
        tags: ['admin', 'messages'],
        summary: 'Messages by kind and outcome (status and channel)',
        security,
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })), to: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ rows: Type.Array(Type.Object({ kind: Type.String(), status: Type.String(), channel: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() })) }), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ rows: await app.messaging.admin.stats(request.query) }),
  )

  const CareTips = Type.Object(
    {
      tips: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.String({ minLength: 1, maxLength: 200 }), {
        additionalProperties: false,
        maxProperties: 100,
        description: 'product category → how to wear, clean and store the piece (the delivered message carries it); "default" for the rest',
      }),
    },
    { additionalProperties: false },
  )
  app.get(
    '/care-tips',
    { ...auth, schema: { tags: ['admin', 'messages'], summary: 'Care tips per product category (sent with the delivered message)', security, response: { 200: CareTips, ...errorResponses(401, 403, 503) } } },
    async () => ({ tips: (await app.settings.get<Record<string, string>>(CARE_TIPS_SETTING)) ?? {} }),
  )
  app.put(
    '/care-tips',
    {
      ...auth,
      schema: { tags: ['admin', 'messages'], summary: 'Replace the care tips per product category (audited)', security, body: CareTips, response: { 200: CareTips, ...errorResponses(400, 401, 403, 413, 415, 503) } },
    },
    async (request) => {
      await app.settings.put(CARE_TIPS_SETTING, request.body.tips, request.user.sub)
      await app.audit.record({ ...actor(request), action: 'care-tips.replace', details: { categories: Object.keys(request.body.tips) }, at: app.now() })
      return { tips: request.body.tips }
    },
  )

  app.get(
    '/messaging-policy',
    { ...auth, schema: { tags: ['admin', 'messages'], summary: 'Quiet hours, marketing caps, send rates, reminder delays', security, response: { 200: MessagingPolicySchema, ...errorResponses(401, 403, 503) } } },
    async () => app.messaging.dispatcher.policy(),
  )

  app.patch(
    '/messaging-policy',
    {
      ...auth,
      schema: { tags: ['admin', 'messages'], summary: 'Change the messaging policy (audited)', security, body: UpdateMessagingPolicySchema, response: { 200: MessagingPolicySchema, ...errorResponses(400, 401, 403, 413, 415, 503) } },
    },
    async (request) => {
      const next = { ...(await app.messaging.dispatcher.policy()), ...request.body }
      await app.settings.put(POLICY_SETTING, next, request.user.sub)
      app.messaging.dispatcher.forgetPolicy()
      await app.audit.record({ ...actor(request), action: 'messaging-policy.update', details: { ...request.body }, at: app.now() })
      return next
    },
  )
}
export default adminMessages
