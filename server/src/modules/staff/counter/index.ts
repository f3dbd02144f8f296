import type { MessageData, MessageKind } from '@member-center/shared'
import fp from 'fastify-plugin'
import type { Member } from '../../members/repository.js'
import { MessagePreviews, type MessagePreview } from '../../messaging/preview.js'
import type { Acting } from './acting.js'
import { Advisors, type StaffRecordReader } from './advisors.js'
import { MemberNotes } from './clienteling.js'
import { MemberGlances } from './glance.js'
import { counterModels } from './models.js'
import { CounterPurchases, PURCHASE_ACCEPT_JOB } from './purchases.js'
import { PhoneReveals } from './phone-reveals.js'
import carePreviewRoutes from './routes/care-preview.js'
import colleagueRoutes from './routes/colleagues.js'
import customerRoutes from './routes/customers.js'
import memberRoutes from './routes/members.js'
import purchaseRoutes from './routes/purchases.js'
import taskRoutes from './routes/tasks.js'
import { registerTaskSources } from './task-sources.js'
import { StaffTasks } from './tasks.js'

export interface StaffCounterService {
  /** the member at a glance: by member code, phone or id (audited) */
  glances: MemberGlances
  /** notes and clienteling (ring size, anniversaries, preferences), brand-wide */
  notes: MemberNotes
  /** dedicated advisors: names, assignment, "my customers" */
  advisors: Advisors
  /** the member's whole phone number for a call (audited, limited per staff member and hour) */
  phones: PhoneReveals
  /** in-store sales through the shop's event path, once per store and receipt */
  purchases: CounterPurchases
  /** what a care message from the acting staff member would say and how it would go, read-only */
  carePreview(kind: MessageKind, member: Pick<Member, '_id' | 'openid' | 'unionid'>, fields: { content: string }, acting: Acting): Promise<MessagePreview>
}

declare module 'fastify' {
  interface FastifyInstance {
    staffCounter: StaffCounterService
    /**
     * Today's tasks for a store: `addSource(kind, async (store, date) => tasks)` registers (or replaces) a kind's
     * source — the appointments module may register 'appointment' (an onReady hook reaches it); without one, the
     * counter asks `app.appointments.forStoreOn(store, date)` when the app has it.
     */
    staffTasks: StaffTasks
  }
}

/**
 * staff counter: member look-up (member code or phone) and the member at a glance, the whole phone number for a call,
 * notes and clienteling, dedicated advisors (and the colleagues a manager picks them from) and "my customers",
 * in-store sales through the shop's event path, care message previews, and today's tasks for a store with their done
 * marks. Every look-up and change is audited. Routes: /api/staff/members/…, /api/staff/customers,
 * /api/staff/colleagues, /api/staff/purchases, /api/staff/care-messages/preview, /api/staff/tasks…. Jobs:
 * staff-counter.purchase-accept. Consumers: staff-counter.advisor-links (order.paid).
 */
export default fp(
  async (app) => {
    const models = await app.db.register(counterModels(app.db.connection))
    // the staff module's records, when the app has them (advisors are checked against them)
    const staffRecord = (): StaffRecordReader => (app.hasDecorator('staff') && app.staff?.records ? (id: string) => app.staff.records.get(id) : null)
    const advisors = new Advisors({ models, members: app.members.repo, tiers: app.tierTable, audit: app.audit, staffRecord, now: app.now })
    const notes = new MemberNotes(models, app.members.repo, app.audit, app.now)
    const purchases = new CounterPurchases(app, models, advisors, staffRecord)
    const previews = new MessagePreviews({
      connection: app.db.connection,
      wechat: app.wechat,
      mappings: app.messaging.mappings,
      subscriptions: app.messaging.subscriptions,
      preferences: app.messaging.preferences,
      policy: () => app.messaging.dispatcher.policy(),
      now: app.now,
    })
    const tasks = new StaffTasks(models, app.audit, app.now, app.log)
    registerTaskSources(app, tasks)

    // a store sale naming an advisor makes the member one of the advisor's customers
    app.events.consume('staff-counter.advisor-links', ['order.paid'], (event) => advisors.onOrderPaid(event))
    app.jobs.register(PURCHASE_ACCEPT_JOB, async (payload) => purchases.ensureAccepted(payload.orderId as string), { dropWhenDone: true })

    app.decorate('staffCounter', {
      glances: new MemberGlances(app, notes, advisors),
      notes,
      advisors,
      phones: new PhoneReveals(models, app.members.repo, app.audit, app.now),
      purchases,
      // the data StaffCare.send writes for a care message: the sender as `advisor`, the content; its hourly limit per sender
      carePreview: (kind, member, fields, acting) => previews.preview(kind, member, { advisor: acting.staff.name, content: fields.content } satisfies MessageData, { staffActor: acting.actor }),
    })
    app.decorate('staffTasks', tasks)

    await app.register(memberRoutes, { prefix: '/api/staff' })
    await app.register(customerRoutes, { prefix: '/api/staff' })
    await app.register(colleagueRoutes, { prefix: '/api/staff' })
    await app.register(purchaseRoutes, { prefix: '/api/staff' })
    await app.register(carePreviewRoutes, { prefix: '/api/staff' })
    await app.register(taskRoutes, { prefix: '/api/staff' })
  },
  { name: 'staff-counter', dependencies: ['core', 'members', 'loyalty', 'coupons', 'shop', 'messaging', 'staff'] },
)
