import fp from 'fastify-plugin'
import { staffModels } from './models.js'
import { StaffRecords } from './records.js'
import adminStaffRoutes from './routes/admin-staff.js'
import staffAuditRoutes from './routes/staff-audit.js'
import staffIdentityRoutes from './routes/staff-identity.js'

/** A staff token's life: short, so a lost phone's token dies soon even if nobody deactivates the record. */
export const STAFF_TOKEN_TTL_SECONDS = 2 * 3600

export interface StaffService {
  /** staff records, invitations, binding a WeChat user, the staff part of a login, the check of staff tokens */
  records: StaffRecords
}

declare module 'fastify' {
  interface FastifyInstance {
    staff: StaffService
  }
}

export interface StaffOptions {
  /** how long a staff token lives (default 2 hours) */
  tokenTtlSeconds?: number
  /** activations a member may try per minute (default 10) */
  activateRateLimitPerMinute?: number
}

/**
 * staff: staff records (staff and managers of one store, admins of every store), one-time invitations that bind a
 * WeChat user to a record, the separate short-lived staff token a login adds to the session, its check on every staff
 * and admin request (deactivated or changed → 401 at once), and the audit log managers read. Routes:
 * /api/admin/staff…, /api/staff/activate, /api/staff/me, /api/staff/audit.
 */
export default fp<StaffOptions>(
  async (app, opts) => {
    const models = await app.db.register(staffModels(app.db.connection))
    const tokenTtlSeconds = opts.tokenTtlSeconds ?? STAFF_TOKEN_TTL_SECONDS
    const records = new StaffRecords({
      models,
      audit: app.audit,
      members: app.members.repo,
      now: app.now,
      sign: (claims, ttlSeconds) => app.jwt.sign(claims, { expiresIn: ttlSeconds }),
      tokenTtlSeconds,
    })

    // every staff and admin request: the token's record, still active and unchanged
    app.setStaffTokenCheck((claims) => records.check(claims))
    // every login: the staff token of a WeChat user bound to an active record
    app.members.addSessionPart(async (member) => ({ staff: await records.sessionFor(member) }))

    app.decorate('staff', { records })

    await app.register(adminStaffRoutes, { prefix: '/api/admin' })
    await app.register(staffIdentityRoutes, { prefix: '/api/staff', activateRateLimitPerMinute: opts.activateRateLimitPerMinute ?? 10 })
    await app.register(staffAuditRoutes, { prefix: '/api/staff' })
  },
  { name: 'staff', dependencies: ['core', 'members'] },
)
