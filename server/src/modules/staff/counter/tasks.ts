import { isDateText, STAFF_TASK_KINDS, type StaffTask, type StaffTaskKind } from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import { createHash } from 'node:crypto'
import type { AuditLog } from '../../../core/audit.js'
import { NotFound, ValidationFailed } from '../../../core/errors.js'
import { auditCounter, type Acting } from './acting.js'
import type { CounterModels } from './models.js'

/** A task as a source answers it: everything but whether the store marked it done. */
export type TaskDraft = Omit<StaffTask, 'done'>

/** A source of tasks: the tasks of `store` (its code) for `date` (YYYY-MM-DD, Shanghai). */
export type TaskSource = (store: string, date: string) => Promise<TaskDraft[]>

/** Whether the thing a task is about exists (a member, an order): unknown ones cannot be marked done (404). */
export type TaskSubjectCheck = (ref: string) => Promise<boolean>

/**
 * The task id: `{kind}:{date}:{ref}`, the date the fact's own (the appointment's day, the celebration, the day of the
 * parcel's exception, the day of the last purchase) so that a task marked done stays done while the fact stands and
 * a new fact is a new task. The ref is the member's, order's or appointment's id when it is made of letters, digits,
 * `_`, `.` and `-` (64 at most), else `~` and a hash of it — so ids stay short and safe in a URL path.
 */
export function taskId(kind: StaffTaskKind, date: string, ref: string): string {
  const safe = /^[A-Za-z0-9_.-]{1,64}$/.test(ref) ? ref : `~${createHash('sha256').update(ref).digest('base64url').slice(0, 22)}`
  return `${kind}:${date}:${safe}`
}

/** The parts of a task id (see taskId). */
export function parseTaskId(id: string): { kind: StaffTaskKind; date: string; ref: string } | null {
  const match = /^([a-z_]+):(\d{4}-\d{2}-\d{2}):(.+)$/.exec(id)
  if (!match || !(STAFF_TASK_KINDS as readonly string[]).includes(match[1]!) || !isDateText(match[2]!)) return null
  return { kind: match[1] as StaffTaskKind, date: match[2]!, ref: match[3]! }
}

const KIND_ORDER = new Map<string, number>(STAFF_TASK_KINDS.map((k, i) => [k, i]))

/**
 * Today's tasks for a store, as a registry: each kind has a source (`addSource`) — appointments, birthdays this week,
 * shipments with a logistics exception, members of the store at risk — and the store's done marks are laid over
 * them. A source that fails is logged and left out, so the others still show.
 */
export class StaffTasks {
  private readonly sources = new Map<string, TaskSource>()
  private readonly subjects = new Map<string, TaskSubjectCheck>()

  constructor(
    private readonly models: CounterModels,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly log?: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  /** Registers (or replaces) the source of a kind; `subject` says whether a task's ref still names something. */
  addSource(kind: StaffTaskKind, source: TaskSource, subject?: TaskSubjectCheck): void {
    this.sources.set(kind, source)
    if (subject) this.subjects.set(kind, subject)
    else this.subjects.delete(kind)
  }

  /** The store's tasks for the date: appointments first, then birthdays, logistics, at-risk members; each by due. */
  async list(store: string, date: string): Promise<StaffTask[]> {
    const found = await Promise.all(
      [...this.sources].map(async ([kind, source]) => {
        try {
          return await source(store, date)
        } catch (error) {
          this.log?.warn({ err: error, kind, store, date }, 'a staff task source failed; its tasks are left out')
          return []
        }
      }),
    )
    const drafts = [...new Map(found.flat().map((t) => [t.id, t])).values()]
    const marks = drafts.length === 0 ? [] : await this.models.TaskMark.find({ _id: { $in: drafts.map((t) => markId(store, t.id)) } }, { taskId: 1 }).lean()
    const done = new Set(marks.map((m) => m.taskId))
    return drafts
      .map((t) => ({ ...t, done: done.has(t.id) }))
      .sort((a, b) => (KIND_ORDER.get(a.kind) ?? 9) - (KIND_ORDER.get(b.kind) ?? 9) || (a.due ?? '').localeCompare(b.due ?? '') || a.id.localeCompare(b.id))
  }

  /**
   * Marks a task of the store done, or not (undo). 400 for an id that is no task id, 404 when what it is about is
   * gone. Audited (staff.task-done / staff.task-undone).
   */
  async mark(store: string, id: string, done: boolean, acting: Acting): Promise<{ id: string; done: boolean }> {
    const parts = parseTaskId(id)
    if (!parts) throw new ValidationFailed(`params.id: ${id} is not a task id ({kind}:{YYYY-MM-DD}:{ref})`)
    const subject = this.subjects.get(parts.kind)
    if (subject && !parts.ref.startsWith('~') && !(await subject(parts.ref))) throw new NotFound(`task ${id}: what it is about no longer exists`)
    const at = this.now()
    const _id = markId(store, id)
    if (done) {
      await this.models.TaskMark.updateOne({ _id }, { $setOnInsert: { store, taskId: id, by: acting.actor, at } }, { upsert: true }).catch((error: unknown) => {
        // marked at the same moment by a colleague: done either way
        if ((error as { code?: number }).code !== 11000) throw error
      })
    } else {
      await this.models.TaskMark.deleteOne({ _id })
    }
    const memberId = parts.kind === 'birthday' || parts.kind === 'at_risk' ? (/^[0-9a-f]{24}$/.test(parts.ref) ? parts.ref : null) : null
    await auditCounter(this.audit, acting, done ? 'staff.task-done' : 'staff.task-undone', memberId, { taskId: id, store }, at)
    return { id, done }
  }
}

function markId(store: string, taskId: string): string {
  return JSON.stringify([store, taskId])
}
