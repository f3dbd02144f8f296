import { birthdaysCelebratedAround, daysFromDate, shanghaiDate, shiftDate, type StaffTaskAction } from '@member-center/shared'
import type { FastifyInstance } from 'fastify'
import { maskPhone } from '../../members/profile.js'
import type { Member } from '../../members/repository.js'
import type { Shipment } from '../../loyalty/member-orders.js'
import { taskId, type TaskDraft, type StaffTasks } from './tasks.js'

/** Birthdays "this week": the celebration falls on the date or within the 6 days after it. */
export const BIRTHDAY_DAYS_AHEAD = 6
/** At risk (DESIGN.md §2 lifecycle): the last purchase was 45 to 90 days ago. */
export const AT_RISK_FROM_DAYS = 45
export const AT_RISK_TO_DAYS = 90
/** Shipments looked at for logistics exceptions: shipped in the last 30 days and not delivered. */
const SHIPMENT_DAYS = 30
/**
 * Logistics statuses that are an exception (as messaging's shipping care counts them: messaging/triggers.ts), and the
 * words staff read for each.
 */
const EXCEPTION_WORDS: Record<string, string> = {
  exception: '物流异常',
  returned: '包裹退回',
  failed_delivery: '派送失败',
  rejected: '包裹被拒收',
  lost: '包裹丢失',
  damaged: '包裹破损',
}

const PURPOSE_WORDS: Record<string, string> = { cleaning: '清洗保养', resizing: '改圈', custom: '定制设计', viewing: '到店看款' }
const STATUS_WORDS: Record<string, string> = { requested: '待确认', confirmed: '已确认', completed: '已到店', no_show: '未到店', cancelled: '已取消' }

/** The appointments module's answer for a store's day (app.appointments.forStoreOn). */
interface DayAppointment {
  id: string
  memberId: string
  memberName: string
  start: Date | string
  purpose: string
  status: string
}

/** What a task offers: a call when the member gave a phone number, a care message and a note always. */
function actionsFor(member: Pick<Member, 'phone'> | undefined): StaffTaskAction[] {
  return member?.phone ? ['call', 'care', 'note'] : ['care', 'note']
}

const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`
const monthDayWords = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`
/** Shanghai midnight at the start of a date. */
const startOf = (date: string) => new Date(`${date}T00:00:00+08:00`)
const hhmm = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(11, 16)

/**
 * The built-in sources of today's tasks (tasks.ts): appointments (from the appointments module when the app has
 * one; it may register its own source instead), birthdays this week, shipments with a logistics exception, and
 * members of the store at risk. "Of the store": members whose home store it is, and for sales and shipments the
 * orders of the store too.
 */
export function registerTaskSources(app: FastifyInstance, tasks: StaffTasks): void {
  const members = async (ids: Iterable<string>) => app.members.repo.findManyByRefKeys([...new Set(ids)].map((id) => `memberId:${id}`))
  const memberExists = (ref: string) => app.members.repo.exists(ref)

  tasks.addSource('appointment', async (store, date) => {
    const appointments = (app as unknown as { appointments?: { forStoreOn?: (store: string, date: string) => Promise<DayAppointment[]> } }).appointments
    if (!app.hasDecorator('appointments') || typeof appointments?.forStoreOn !== 'function') return []
    const list = (await appointments.forStoreOn(store, date)).filter((a) => a.status !== 'cancelled')
    const found = await members(list.map((a) => a.memberId))
    return list.map((a): TaskDraft => {
      const start = new Date(a.start)
      const member = found.get(`memberId:${a.memberId}`)
      return {
        id: taskId('appointment', shanghaiDate(start), a.id),
        kind: 'appointment',
        memberId: a.memberId,
        memberName: a.memberName || member?.nickname || '',
        phone: member?.phone ? maskPhone(member.phone) : null,
        title: `${hhmm(start)} 到店预约：${PURPOSE_WORDS[a.purpose] ?? a.purpose}`,
        detail: STATUS_WORDS[a.status] ?? a.status,
        due: start.toISOString(),
        actions: actionsFor(member),
      }
    })
  })

  tasks.addSource(
    'birthday',
    async (store, date) => {
      const days = birthdaysCelebratedAround(date, 0, BIRTHDAY_DAYS_AHEAD)
      const celebrated = new Map(days.map((d) => [d.monthDay, d.celebratedOn]))
      const withBirthday = await app.members.repo.withBirthdayOn([...celebrated.keys()])
      const found = await members(withBirthday.map((m) => m._id.toString()))
      const tiers = await app.tierTable.current()
      return [...found.values()]
        .filter((m) => m.homeStore === store && m.birthday && celebrated.has(m.birthday))
        .map((m): TaskDraft => {
          const on = celebrated.get(m.birthday!)!
          const inDays = daysFromDate(date, on)
          const tier = tiers.find((t) => t.level === m.tierLevel)
          return {
            id: taskId('birthday', on, m._id.toString()),
            kind: 'birthday',
            memberId: m._id.toString(),
            memberName: m.nickname,
            phone: m.phone ? maskPhone(m.phone) : null,
            title: `${monthDayWords(on)}生日${inDays === 0 ? '（今天）' : `（${inDays} 天后）`}`,
            detail: [tier?.name, m.advisor ? '有专属顾问' : null].filter(Boolean).join(' · ') || '会员生日',
            due: startOf(on).toISOString(),
            actions: actionsFor(m),
          }
        })
    },
    memberExists,
  )

  tasks.addSource(
    'logistics_exception',
    async (store, date) => {
      // as of the end of the date, or now for today (a parcel is not silent before its hours have passed)
      const end = new Date(Math.min(startOf(shiftDate(date, 1)).getTime(), app.now().getTime()))
      const [shipments, policy] = await Promise.all([app.memberOrders.undelivered(new Date(end.getTime() - SHIPMENT_DAYS * 86_400_000)), app.messaging.dispatcher.policy()])
      const problems = shipments.flatMap((s) => {
        const problem = logisticsProblem(s, end, policy.logisticsSilenceHours)
        return problem && s.memberId ? [{ shipment: s, problem }] : []
      })
      const found = await members(problems.map((p) => p.shipment.memberId!.toString()))
      return problems.flatMap(({ shipment, problem }): TaskDraft[] => {
        const member = found.get(`memberId:${shipment.memberId!.toString()}`)
        if (!member || (shipment.store !== store && member.homeStore !== store)) return []
        return [
          {
            id: taskId('logistics_exception', shanghaiDate(problem.at), shipment.orderId),
            kind: 'logistics_exception',
            memberId: member._id.toString(),
            memberName: member.nickname,
            phone: member.phone ? maskPhone(member.phone) : null,
            title: `${problem.words}：订单 ${shipment.orderId}`,
            detail: [problem.description, shipment.carrier && shipment.trackingNo ? `${shipment.carrier} ${shipment.trackingNo}` : null].filter(Boolean).join(' · '),
            due: null,
            actions: actionsFor(member),
          },
        ]
      })
    },
    async (ref) => (await app.orders.facts(ref)) !== null,
  )

  tasks.addSource(
    'at_risk',
    async (store, date) => {
      // the store's sales whose day is 45–90 days before the date; the member's last purchase anywhere must be too
      const from = startOf(shiftDate(date, -AT_RISK_TO_DAYS))
      const to = startOf(shiftDate(date, -AT_RISK_FROM_DAYS + 1))
      const buyers = await app.memberOrders.storeBuyers(store, from, to)
      const found = await members(buyers.keys())
      return [...found.values()].flatMap((m): TaskDraft[] => {
        const lastAt = m.purchases?.lastAt
        if (!lastAt) return []
        const lastDay = shanghaiDate(lastAt)
        const since = daysFromDate(lastDay, date)
        if (since < AT_RISK_FROM_DAYS || since > AT_RISK_TO_DAYS) return []
        return [
          {
            id: taskId('at_risk', lastDay, m._id.toString()),
            kind: 'at_risk',
            memberId: m._id.toString(),
            memberName: m.nickname,
            phone: m.phone ? maskPhone(m.phone) : null,
            title: `${since} 天未购买`,
            detail: `上次购买 ${lastDay} · 累计 ${m.purchases?.days ?? 0} 天 ${yuan(m.purchases?.totalPaidFen ?? 0)}`,
            // when the member would count as lapsed
            due: startOf(shiftDate(lastDay, AT_RISK_TO_DAYS + 1)).toISOString(),
            actions: actionsFor(m),
          },
        ]
      })
    },
    memberExists,
  )
}

/**
 * What is wrong with a shipment as of `end` (the end of the task list's date): the shop's last report is an
 * exception, or nothing was heard of the parcel for `silenceHours` since its last sign (shipping, or the last report).
 * Reports after `end` are not looked at.
 */
export function logisticsProblem(s: Shipment, end: Date, silenceHours: number): { at: Date; words: string; description: string } | null {
  if (s.shippedAt.getTime() >= end.getTime()) return null
  const reports = s.logistics.filter((l) => l.at.getTime() < end.getTime())
  const last = reports[reports.length - 1]
  if (last && EXCEPTION_WORDS[last.status]) return { at: last.at, words: EXCEPTION_WORDS[last.status]!, description: last.description ?? EXCEPTION_WORDS[last.status]! }
  const lastSign = Math.max(s.shippedAt.getTime(), ...reports.map((l) => l.at.getTime()))
  const silentFrom = lastSign + silenceHours * 3_600_000
  if (silentFrom <= end.getTime()) return { at: new Date(silentFrom), words: '物流停滞', description: `物流已超过 ${silenceHours} 小时没有更新` }
  return null
}
