import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { KpiPolicySchema, KpiQuerySchema, KpiReportSchema, shanghaiDayNumber, type KpiQuery } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { staffActor } from '../../../core/audit.js'
import { Forbidden, ValidationFailed } from '../../../core/errors.js'
import { errorResponses } from '../../../core/responses.js'
import { dayString, defaultFrom, kpiCsv, parseDay, rangeProblem } from '../kpi-rules.js'
import type { KpiRange } from '../kpis.js'

const DESCRIPTION =
  'Managers and admins (staff: 403; a member token: 403; none: 401). A manager sees their own store: `store` may be omitted ' +
  'or name it, another store is 403 FORBIDDEN (never silently changed); admins see every store, or the one named. ' +
  'Dates are Shanghai days YYYY-MM-DD and must be real (2026-02-30: 400); to defaults to today, from to the first of the ' +
  'month 11 months before to; from ≤ to and from no earlier than to − 36 months (400 otherwise). ' +
  'Purchases: paid orders not cancelled, not fully refunded, not zero-value (points-mall gift orders are not orders); ' +
  'orders paid the same Shanghai day are one purchase day. The headline values are the rolling year ending on `to` ' +
  '(to − 12 months + 1 day … to); the series values each month at its last day, the last one at `to`. ' +
  'With a store: customers, old-customer ratio, repeat rate and cohorts count the purchase days of orders paid in that store; ' +
  'member counts, tier mix, points liability, coupons and messages count the members whose home store it is. ' +
  'Tier mix and points are as they stand now for the members who had joined by `to`; active30 reads each member\'s last login. ' +
  'format=csv (or GET /api/admin/kpis.csv): the same figures as one long UTF-8 table with a BOM, columns figure,label,month,at,name,value.'

/** /api/admin/kpis — the KPIs the brand steers by (issue 14), as JSON or CSV, and their policy (the value of a point). */
const adminKpis: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'insights']
  const security = [{ bearer: [] }]

  /** The range and store the caller may see (403 for staff and for a manager naming another store; 400 for bad dates). */
  function rangeOf(request: FastifyRequest, query: KpiQuery): KpiRange {
    const staff = request.staff
    if (!staff || staff.role === 'staff') throw new Forbidden('the KPIs are for managers and admins')
    let store: string | null
    if (staff.role === 'admin') store = query.store ?? null
    else {
      if (!staff.store) throw new Forbidden('your staff account has no store')
      if (query.store !== undefined && query.store !== staff.store) throw new Forbidden(`you manage store ${staff.store}; store ${query.store} is not yours`)
      store = staff.store
    }
    const to = query.to === undefined ? shanghaiDayNumber(app.now()) : parseDay(query.to)
    if (to === null) throw new ValidationFailed(`querystring.to: ${query.to} is not a calendar day`)
    const from = query.from === undefined ? defaultFrom(to) : parseDay(query.from)
    if (from === null) throw new ValidationFailed(`querystring.from: ${query.from} is not a calendar day`)
    const problem = rangeProblem(from, to)
    if (problem) throw new ValidationFailed(`querystring: ${problem}`)
    return { from, to, store }
  }

  async function sendCsv(reply: FastifyReply, range: KpiRange): Promise<string> {
    const report = await app.insights.kpis.report(range)
    const name = `kpis-${range.store ?? 'all'}-${dayString(range.from)}-${dayString(range.to)}.csv`
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`)
    return kpiCsv(report)
  }

  app.get(
    '/kpis',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'The KPIs: customers, old-customer ratio, repeat rate (rolling year, by month), cohorts, members, tiers, points, coupons, messages, outreach',
        description: DESCRIPTION,
        security,
        querystring: KpiQuerySchema,
        response: { 200: KpiReportSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const range = rangeOf(request, request.query)
      // the CSV is sent as text (the JSON schema types the reply; a string payload with text/csv is not serialised)
      if (request.query.format === 'csv') return (reply as FastifyReply).send(await sendCsv(reply, range))
      return app.insights.kpis.report(range)
    },
  )

  app.get(
    '/kpis.csv',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'The KPIs as CSV (a download: UTF-8 with a BOM, one long table figure,label,month,at,name,value)',
        description: DESCRIPTION,
        security,
        querystring: KpiQuerySchema,
        produces: ['text/csv'],
        response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => sendCsv(reply, rangeOf(request, request.query)),
  )

  app.get(
    '/kpis/policy',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'The KPI policy: the value of one point in fen (default 1)', security, response: { 200: KpiPolicySchema, ...errorResponses(401, 403, 503) } } },
    async () => app.insights.kpis.policy(),
  )

  app.put(
    '/kpis/policy',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Replace the KPI policy (audited: kpis.policy)',
        description: 'fenPerPoint: what one point is worth in fen when the points liability is valued (0 … 10,000; fractions allowed).',
        security,
        body: KpiPolicySchema,
        response: { 200: KpiPolicySchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => app.insights.kpis.setPolicy(request.body, staffActor(request)),
  )
}
export default adminKpis
