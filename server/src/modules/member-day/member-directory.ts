import type { Types } from 'mongoose'
import type { MembersService } from '../members/index.js'
import type { Member } from '../members/repository.js'

/**
 * Every member, a batch at a time, for the member day's programs that reach everyone (the coupons of the job mode,
 * the reminder to subscribed members).
 *
 * The members service has no read of all members page by page yet; until it has one (asked for in the report of
 * issue 11), the ids come from the one read that walks every member — `members.balances.all()`, a cursor — and each
 * batch's members are read through `members.repo` by id.
 */
export class MemberDirectory {
  constructor(private readonly members: MembersService) {}

  /**
   * Every member id, `size` at a time. The ids are read first, then handed out: no cursor stays open while the
   * caller writes (coupons, messages) between batches.
   */
  async *idBatches(size = 200): AsyncGenerator<Types.ObjectId[]> {
    const ids: Types.ObjectId[] = []
    for await (const member of this.members.balances.all()) ids.push(member._id)
    for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size)
  }

  /** Every member (with the tier level), `size` at a time. */
  async *batches(size = 200): AsyncGenerator<Member[]> {
    for await (const ids of this.idBatches(size)) {
      const found = await this.members.repo.findManyByRefKeys(ids.map((id) => `memberId:${id.toString()}`))
      yield ids.map((id) => found.get(`memberId:${id.toString()}`)).filter((m): m is Member => Boolean(m))
    }
  }
}
