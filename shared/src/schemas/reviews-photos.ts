import { Type, type Static } from '@sinclair/typebox'
import { ObjectIdString } from './common.js'

/**
 * Review photos (issue 13): the upload's answer and how a photo is read. The client checks the limits before it
 * uploads (a refusal costs the member a 10 MB upload); the server decides from the bytes whatever the client says.
 */

const closed = { additionalProperties: false } as const

/** The largest upload, in bytes (10 MiB): over it 413 PHOTO_TOO_LARGE. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024
/** The most pixels a photo may have (20 megapixels): over it 400 PHOTO_TOO_MANY_PIXELS. */
export const MAX_PHOTO_PIXELS = 20_000_000
/** The formats taken, recognised from the bytes; every photo is stored re-encoded as JPEG without metadata. */
export const PHOTO_FORMATS = ['jpeg', 'png', 'webp'] as const
/** The long side of a thumbnail, in pixels. */
export const PHOTO_THUMB_SIZE = 400
/** The most photos a member may have uploaded and not yet used in a review, over 24 hours: past it 429 RATE_LIMITED. */
export const MAX_UNATTACHED_PHOTOS_PER_DAY = 30

/** POST /api/reviews/photos → 201: the photo as stored, with links the mini-program's <Image> loads without a header. */
export const ReviewPhotoUploadSchema = Type.Object({
  id: Type.String({ description: 'give it in a review’s photoIds' }),
  url: Type.String({ description: 'the full photo: a relative path, signed for an hour (no signature once published)' }),
  thumbUrl: Type.String({ description: `the thumbnail (${PHOTO_THUMB_SIZE} px on the long side), signed likewise` }),
  width: Type.Integer({ description: 'of the stored photo, upright' }),
  height: Type.Integer(),
})
export type ReviewPhotoUpload = Static<typeof ReviewPhotoUploadSchema>

export const ReviewPhotoParamsSchema = Type.Object({ id: ObjectIdString }, closed)

export const ReviewPhotoQuerySchema = Type.Object(
  {
    size: Type.Optional(Type.Union([Type.Literal('thumb'), Type.Literal('full')], { default: 'full' })),
    exp: Type.Optional(Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'a signed link’s expiry, in Unix seconds' })),
    sig: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'the link’s signature (from url / thumbUrl)' })),
  },
  closed,
)
export type ReviewPhotoQuery = Static<typeof ReviewPhotoQuerySchema>
