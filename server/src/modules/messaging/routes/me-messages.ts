import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  InboxQuerySchema,
  InboxSchema,
  MessagePreferencesSchema,
  ObjectIdString,
  SubscriptionResultsSchema,
  SubscriptionsSchema,
  UpdateMessagePreferencesSchema,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { Types } from 'mongoose'
import { errorResponses } from '../../../core/responses.js'

/** The member's side of messaging: the inbox, subscribe-message consent, and message preferences. */
const meMessages: FastifyPluginAsyncTypebox = async (app) => {
  const auth = { onRequest: app.authenticateMember }
  const security = [{ bearer: [] }]

  app.get(
    '/inbox',
    {
      ...auth,
      schema: { tags: ['messages'], summary: 'The member’s messages, newest first, and how many are unread', security, querystring: InboxQuerySchema, response: { 200: InboxSchema, ...errorResponses(400, 401, 503) } },
    },
    async (request) => app.messaging.inbox.list(request.user.sub, request.query.limit ?? 20, request.query.cursor),
  )

  app.post(
    '/inbox/:id/read',
    {
      ...auth,
      schema: {
        tags: ['messages'],
        summary: 'Mark one message read',
        security,
        params: Type.Object({ id: ObjectIdString }, { additionalProperties: false }),
        response: { 200: Type.Object({ unread: Type.Integer() }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => app.messaging.inbox.markRead(request.user.sub, request.params.id),
  )

  app.post(
    '/inbox/read-all',
    { ...auth, schema: { tags: ['messages'], summary: 'Mark every message read', security, response: { 200: Type.Object({ unread: Type.Integer() }), ...errorResponses(401, 503) } } },
    async (request) => app.messaging.inbox.markAllRead(request.user.sub),
  )

  app.get(
    '/subscriptions',
    {
      ...auth,
      schema: {
        tags: ['messages'],
        summary: 'The subscribe templates the member can allow, with the template ids for wx.requestSubscribeMessage, and the sends each has left',
        security,
        response: { 200: SubscriptionsSchema, ...errorResponses(401, 503) },
      },
    },
    async (request) => ({ templates: await app.messaging.subscriptions.list(request.user.sub) }),
  )

  app.post(
    '/subscriptions',
    {
      ...auth,
      schema: {
        tags: ['messages'],
        summary: 'Record one tap’s answers from wx.requestSubscribeMessage (+1 per accept; the same tap pushed by WeChat counts once)',
        security,
        body: SubscriptionResultsSchema,
        response: { 200: SubscriptionsSchema, ...errorResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request) => {
      await app.messaging.subscriptions.record(new Types.ObjectId(request.user.sub), request.body.results, 'client')
      return { templates: await app.messaging.subscriptions.list(request.user.sub) }
    },
  )

  app.get(
    '/message-preferences',
    { ...auth, schema: { tags: ['messages'], summary: 'The member’s message preferences', security, response: { 200: MessagePreferencesSchema, ...errorResponses(401, 503) } } },
    async (request) => app.messaging.preferences.view(request.user.sub, (await app.members.repo.findById(request.user.sub))?.phone),
  )

  app.patch(
    '/message-preferences',
    {
      ...auth,
      schema: {
        tags: ['messages'],
        summary: 'Turn marketing, marketing SMS (true again after a 回T退订 reply), or single kinds, on or off',
        security,
        body: UpdateMessagePreferencesSchema,
        response: { 200: MessagePreferencesSchema, ...errorResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request) => app.messaging.preferences.change(request.user.sub, (await app.members.repo.findById(request.user.sub))?.phone, request.body),
  )

  app.put(
    '/message-preferences',
    {
      ...auth,
      schema: {
        tags: ['messages'],
        summary: 'Turn marketing, marketing SMS, or single kinds, on or off (the fields sent; PUT because wx.request has no PATCH)',
        security,
        body: UpdateMessagePreferencesSchema,
        response: { 200: MessagePreferencesSchema, ...errorResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request) => app.messaging.preferences.change(request.user.sub, (await app.members.repo.findById(request.user.sub))?.phone, request.body),
  )
}
export default meMessages
