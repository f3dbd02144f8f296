import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/** What became of one coupon of a gift: issued (its coupon's id), or refused by the issuing service (its code). */
const giftCouponSchema = new Schema(
  {
    /** the coupon's issue key: `{gift key}:{slot}` */
    key: { type: String, required: true },
    templateId: { type: String, required: true },
    couponId: { type: String, default: null },
    /** OUT_OF_STOCK, NOT_AVAILABLE, TIER_NOT_ELIGIBLE, LIMIT_REACHED, NOT_FOUND: the coupon was not issued */
    refused: { type: String, default: null },
  },
  { _id: false },
)

/**
 * One member's birthday gift for one year, under its business key `birthday:{memberId}:{year}` as `_id`: whichever
 * process decides to issue it first inserts it (`issuing`, with the plan frozen: the tier's coupons and points as
 * configured then), and every process that finds it `issuing` completes it — coupons, points and the message each
 * carry their own key, so doing it twice changes nothing — then marks it `issued` with what was given.
 */
export const birthdayGiftSchema = new Schema(
  {
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    /** the year of the celebration (a 1 January birthday's gift, issued in December, is the next year's) */
    year: { type: Number, required: true },
    /** YYYY-MM-DD, Shanghai */
    celebratedOn: { type: String, required: true },
    /** the member's tier code when the gift was decided */
    tier: { type: String, required: true },
    couponTemplateIds: { type: [String], default: [] },
    points: { type: Number, required: true, default: 0 },
    /** the coupons' end of validity (the birthday month's end), or null for each template's own */
    validUntil: { type: Date, default: null },
    state: { type: String, enum: ['issuing', 'issued'], required: true },
    coupons: { type: [giftCouponSchema], default: [] },
    /** the points granted (0 when none, or when the grant was refused) */
    pointsGranted: { type: Number, default: 0 },
    decidedAt: { type: Date, required: true },
    issuedAt: { type: Date, default: null },
  },
  { collection: 'birthday_gifts', versionKey: false },
)
// a member's gifts, newest year first (what staff and reports look at); the page and the job read gifts by _id
birthdayGiftSchema.index({ memberId: 1, year: -1 })

export function birthdayModels(connection: Connection) {
  return { BirthdayGift: connection.model('BirthdayGift', birthdayGiftSchema) }
}
export type BirthdayModels = ReturnType<typeof birthdayModels>
export type BirthdayGiftDoc = InferSchemaType<typeof birthdayGiftSchema> & { _id: string }

/** The business key of a member's gift for a year: one gift per member per year. */
export const giftKey = (memberId: string | { toString(): string }, year: number) => `birthday:${memberId.toString()}:${year}`
