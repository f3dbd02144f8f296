import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isDateText, shanghaiDate, StaffTaskDoneSchema, StaffTaskListSchema, StaffTaskParamsSchema, StaffTasksQuerySchema, StaffTaskStoreQuerySchema } from '@member-center/shared'
import { ValidationFailed } from '../../../../core/errors.js'
import { errorResponses } from '../../../../core/responses.js'
import { actingOf, storeFor } from '../acting.js'

/** /api/staff/tasks — today's tasks for my store, and their done marks. */
const counterTasks: FastifyPluginAsyncTypebox = async (app) => {
  const storeRule = 'Staff and managers: their own store (store, if given, must be theirs: 403 otherwise); admins name the store.'

  app.get(
    '/tasks',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: "A store's tasks for a day: appointments, birthdays this week, logistics exceptions, members at risk",
        description:
          'date: YYYY-MM-DD (default today, Asia/Shanghai). ' +
          storeRule +
          ' appointment: the store’s appointments that day (not cancelled); birthday: members of the store (home store) celebrating ' +
          'that day or in the 6 days after; logistics_exception: shipments of the store or its members, not delivered, whose last report ' +
          'is an exception or that went silent; at_risk: members who bought in the store and whose last purchase was 45–90 days before. ' +
          'A task id is {kind}:{the fact’s date}:{ref}: a done mark holds while the fact stands.',
        security: [{ bearer: [] }],
        querystring: StaffTasksQuerySchema,
        response: { 200: StaffTaskListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const store = storeFor(actingOf(request), request.query.store, 'querystring.store')
      const date = request.query.date ?? shanghaiDate(app.now())
      if (!isDateText(date)) throw new ValidationFailed(`querystring.date: ${date} is not a day of the calendar`)
      return { date, store, items: await app.staffTasks.list(store, date) }
    },
  )

  for (const method of ['POST', 'DELETE'] as const) {
    const done = method === 'POST'
    app.route({
      method,
      url: '/tasks/:id/done',
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: done ? 'Mark a task done for the store (audited)' : 'Undo a task’s done mark (audited)',
        description: `${storeRule} 404 when what the task is about (the member, the order) no longer exists.`,
        security: [{ bearer: [] }],
        params: StaffTaskParamsSchema,
        querystring: StaffTaskStoreQuerySchema,
        response: { 200: StaffTaskDoneSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
      handler: async (request) => {
        const acting = actingOf(request)
        const { id } = request.params as { id: string }
        const store = storeFor(acting, (request.query as { store?: string }).store, 'querystring.store')
        return app.staffTasks.mark(store, id, done, acting)
      },
    })
  }
}
export default counterTasks
