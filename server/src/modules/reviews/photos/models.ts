import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/**
 * One uploaded review photo: who uploaded it, where its two files are (the photo re-encoded without metadata, and
 * its thumbnail; the upload itself is never kept), and which review it belongs to. Unattached photos older than a
 * day are swept with their files.
 */
export const reviewPhotoSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, required: true },
    /** the storage key of the stored photo (JPEG, upright, no metadata) */
    originalId: { type: String, required: true },
    /** the storage key of its thumbnail */
    thumbId: { type: String, required: true },
    /** the stored photo's format (always jpeg) and the upload's, as its bytes said */
    format: { type: String, required: true },
    sourceFormat: { type: String, required: true },
    /** the stored photo's size, upright */
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    /** the stored photo's bytes, and the upload's */
    bytes: { type: Number, required: true },
    uploadBytes: { type: Number, required: true },
    /** from the app's clock, so the sweep and the daily cap follow it (tests move it) */
    createdAt: { type: Date, required: true },
    /** the review it is attached to; null until then */
    reviewId: { type: Schema.Types.ObjectId, default: null },
    /** readable by anyone (the review was approved and published) */
    published: { type: Boolean, default: false },
    /** being deleted (its files first, then this record): no longer served, attached or counted */
    removing: { type: Boolean, default: false },
  },
  { collection: 'review_photos', versionKey: false },
)
// the daily cap: a member's unattached photos of the last 24 hours
reviewPhotoSchema.index({ memberId: 1, reviewId: 1, createdAt: 1 })
// a review's photos (attach, publish, remove for a review) and the sweep of old unattached ones (reviewId null)
reviewPhotoSchema.index({ reviewId: 1, createdAt: 1 })

/**
 * The key photo links are signed with, when the app gives none: made once at random by the first process to boot
 * and read by every other, so a link signed by one process opens on any other and survives restarts.
 */
export const photoKeySchema = new Schema(
  {
    /** the key's name ('url-signing'): two processes booting at once meet on the primary key, one key wins */
    _id: { type: String, required: true },
    key: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'review_photo_keys', versionKey: false },
)

export function reviewPhotoModels(connection: Connection) {
  return {
    ReviewPhoto: connection.model('ReviewPhoto', reviewPhotoSchema),
    ReviewPhotoKey: connection.model('ReviewPhotoKey', photoKeySchema),
  }
}
export type ReviewPhotoModels = ReturnType<typeof reviewPhotoModels>
export type PhotoDoc = InferSchemaType<typeof reviewPhotoSchema> & { _id: Types.ObjectId; reviewId: Types.ObjectId | null }
