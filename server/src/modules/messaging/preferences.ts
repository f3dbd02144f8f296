import type { MessageKind } from '@member-center/shared'
import { Types } from 'mongoose'
import type { MessagingModels } from './models.js'

export interface MessagePreferences {
  marketing: boolean
  kindsOff: MessageKind[]
}

/** A member's message preferences (marketing on by default, no kind off). */
export class Preferences {
  constructor(private readonly models: MessagingModels) {}

  async get(memberId: Types.ObjectId | string): Promise<MessagePreferences> {
    const doc = await this.models.Preference.findById(new Types.ObjectId(memberId)).lean()
    return { marketing: doc?.marketing ?? true, kindsOff: (doc?.kindsOff ?? []) as MessageKind[] }
  }

  async update(memberId: string, changes: Partial<MessagePreferences>): Promise<MessagePreferences> {
    const set: Record<string, unknown> = {}
    if (changes.marketing !== undefined) set.marketing = changes.marketing
    if (changes.kindsOff !== undefined) set.kindsOff = [...new Set(changes.kindsOff)]
    await this.models.Preference.updateOne({ _id: new Types.ObjectId(memberId) }, { $set: set }, { upsert: true })
    return this.get(memberId)
  }

  /** The members among these who turned marketing off. */
  async marketingOff(memberIds: (Types.ObjectId | string)[]): Promise<Set<string>> {
    if (memberIds.length === 0) return new Set()
    const docs = await this.models.Preference.find({ _id: { $in: [...new Set(memberIds.map(String))].map((id) => new Types.ObjectId(id)) }, marketing: false }, { _id: 1 }).lean()
    return new Set(docs.map((d) => String(d._id)))
  }
}
