import { MAX_PHOTO_BYTES, MAX_UNATTACHED_PHOTOS_PER_DAY } from '@member-center/shared'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { Types } from 'mongoose'
import { createHmac, randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { PhotoInUse, PhotoNotFound, PhotoTooLarge, RateLimited } from '../../../core/errors.js'
import { reviewPhotoModels, type PhotoDoc, type ReviewPhotoModels } from './models.js'
import { processPhoto } from './processing.js'
import { expiryFor, photoSignature, verifyPhotoSignature, type PhotoSize } from './signing.js'
import { GridFsPhotoStorage, type PhotoStorage } from './storage.js'

export type { PhotoStorage, StoredFile } from './storage.js'
export type { PhotoSize } from './signing.js'

export interface PhotoView {
  id: string
  url: string
  thumbUrl: string
  width: number
  height: number
}

/** Who is reading a photo, as their Authorization header proved: its author, or staff (any role, any store). */
export type PhotoViewer = { memberId: string } | { staff: true }

/** How a GET of a photo may be allowed: a signed link's expiry and signature, or who is asking (asked only when needed). */
export interface PhotoAccess {
  exp?: number
  sig?: string
  identify(): Promise<PhotoViewer | null>
}

/** A photo file a reader may see. */
export interface ServedPhoto {
  contentType: string
  length: number
  /** strong: the stored file never changes (a new upload is a new file) */
  etag: string
  published: boolean
  stream(): Readable
}

export interface ReviewPhotos {
  /** stores one upload for the member (sniff, limits, re-encode without metadata, thumbnail) */
  upload(memberId: string, file: { bytes: Buffer }): Promise<PhotoView>
  /** every id must be the member's own photo not attached elsewhere (404 PHOTO_NOT_FOUND / 409 PHOTO_IN_USE); marks them attached to the review. Idempotent for the same review. */
  attach(memberId: string, photoIds: string[], reviewId: string): Promise<void>
  /** the review's photos become public (or private again) */
  setPublished(reviewId: string, published: boolean): Promise<void>
  /** views with URLs signed for an hour, in the order asked */
  views(photoIds: string[]): Promise<PhotoView[]>
  /** an absolute URL (publicBaseUrl + path, signed for 24 h) WeChat's media_check_async downloads the photo from */
  checkUrl(photoId: string): string
  /** deletes the files and records of a removed review's photos */
  removeFor(reviewId: string): Promise<void>
  /** unattached photos older than a day are deleted (the module schedules it as a daily job) */
  sweepOrphans(): Promise<number>
  /** GET /api/reviews/photos/:id — the file when the reader may see it; null (a 404) for anything else */
  read(photoId: string, size: PhotoSize, access: PhotoAccess): Promise<ServedPhoto | null>
}

export interface ReviewPhotosOptions {
  /** this API's public origin, for checkUrl */
  publicBaseUrl: string
  /** the secret links are signed with (a key is derived from it); without one, a random key kept in the database */
  urlSecret?: string
  /** where files go (default: GridFS on the app's connection) */
  storage?: PhotoStorage
}

/** Where the photo routes are mounted (reviews/index.ts registers them under /api/reviews). */
export const PHOTO_PATH = '/api/reviews/photos'
/** Links the API hands out: good for an hour. WeChat's media check fetches within 30 minutes; its link gets a day. */
const VIEW_TTL_SECONDS = 3600
const CHECK_TTL_SECONDS = 24 * 3600
/** Unattached photos are kept this long (and count against the daily cap for as long). */
const ORPHAN_AFTER_MS = 24 * 3600 * 1000
const SWEEP_BATCH = 500
const OBJECT_ID = /^[0-9a-f]{24}$/

/** Builds the photo service on the app's connection: its models, GridFS storage and the link-signing key. */
export async function createReviewPhotos(app: FastifyInstance, options: ReviewPhotosOptions): Promise<ReviewPhotos> {
  const models = await app.db.register(reviewPhotoModels(app.db.connection))
  const db = app.db.connection.db
  if (!db) throw new Error('reviews/photos: the database connection is not open')
  const key = options.urlSecret
    ? // a key of its own, so the secret is never used as is for two purposes
      createHmac('sha256', options.urlSecret).update('review-photo-links').digest()
    : await storedKey(models, app.now)
  return new PhotoService({
    models,
    storage: options.storage ?? new GridFsPhotoStorage(db),
    key,
    publicBaseUrl: options.publicBaseUrl.replace(/\/+$/, ''),
    now: app.now,
    log: app.log,
  })
}

/** The signing key kept in the database: the first process makes it, every other reads the same one. */
async function storedKey({ ReviewPhotoKey }: ReviewPhotoModels, now: () => Date): Promise<Buffer> {
  const _id = 'url-signing'
  try {
    await ReviewPhotoKey.updateOne({ _id }, { $setOnInsert: { key: randomBytes(32).toString('base64'), createdAt: now() } }, { upsert: true })
  } catch (error) {
    // another process inserted it between our look and our insert: theirs is the key
    if ((error as { code?: number }).code !== 11000) throw error
  }
  const doc = await ReviewPhotoKey.findById(_id).lean()
  if (!doc) throw new Error('reviews/photos: the signing key could not be stored')
  return Buffer.from(doc.key, 'base64')
}

interface Deps {
  models: ReviewPhotoModels
  storage: PhotoStorage
  key: Buffer
  publicBaseUrl: string
  now: () => Date
  log: FastifyBaseLogger
}

class PhotoService implements ReviewPhotos {
  constructor(private readonly deps: Deps) {}

  async upload(memberId: string, file: { bytes: Buffer }): Promise<PhotoView> {
    const { models, storage, now } = this.deps
    // the cheap refusals first: size, then the daily cap, before any decoding
    if (file.bytes.length > MAX_PHOTO_BYTES) throw new PhotoTooLarge(`the photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`)
    const member = new Types.ObjectId(memberId)
    // (a count, not a reservation: uploads sent at the same instant may pass it together — each is still bounded)
    const pending = await models.ReviewPhoto.countDocuments({
      memberId: member,
      reviewId: null,
      removing: { $ne: true },
      createdAt: { $gte: new Date(now().getTime() - ORPHAN_AFTER_MS) },
    })
    if (pending >= MAX_UNATTACHED_PHOTOS_PER_DAY) {
      throw new RateLimited(`at most ${MAX_UNATTACHED_PHOTOS_PER_DAY} photos not yet in a review may be uploaded in 24 hours: use them in a review, or try again tomorrow`)
    }
    const photo = await processPhoto(file.bytes)
    const _id = new Types.ObjectId()
    const stored: string[] = []
    try {
      const originalId = await storage.put(photo.full.data, { name: `${_id.toString()}.jpg`, contentType: 'image/jpeg', photoId: _id.toString() })
      stored.push(originalId)
      const thumbId = await storage.put(photo.thumb.data, { name: `${_id.toString()}.thumb.jpg`, contentType: 'image/jpeg', photoId: _id.toString() })
      stored.push(thumbId)
      const doc = {
        _id,
        memberId: member,
        originalId,
        thumbId,
        format: 'jpeg',
        sourceFormat: photo.sourceFormat,
        width: photo.full.width,
        height: photo.full.height,
        bytes: photo.full.data.length,
        uploadBytes: file.bytes.length,
        createdAt: now(),
        reviewId: null,
        published: false,
        removing: false,
      }
      await models.ReviewPhoto.create(doc)
      return this.view(doc)
    } catch (error) {
      // no record, no files: what was stored before the failure goes
      await Promise.all(stored.map((key) => storage.delete(key).catch(() => undefined)))
      throw error
    }
  }

  async attach(memberId: string, photoIds: string[], reviewId: string): Promise<void> {
    const { ReviewPhoto } = this.deps.models
    const ids = [...new Set(photoIds)]
    if (ids.length === 0) return
    const bad = ids.find((id) => !OBJECT_ID.test(id))
    if (bad !== undefined) throw notFound(bad)
    const member = new Types.ObjectId(memberId)
    const review = new Types.ObjectId(reviewId)
    const docs = await ReviewPhoto.find({ _id: { $in: ids } }, { memberId: 1, reviewId: 1, removing: 1 }).lean<Pick<PhotoDoc, '_id' | 'memberId' | 'reviewId' | 'removing'>[]>()
    const byId = new Map(docs.map((d) => [d._id.toString(), d]))
    // every photo checked before any is changed, so a refused list changes nothing
    for (const id of ids) {
      const doc = byId.get(id)
      if (!doc || doc.removing || !doc.memberId.equals(member)) throw notFound(id)
      if (doc.reviewId && !doc.reviewId.equals(review)) throw inUse(id)
    }
    const claimed: string[] = []
    for (const id of ids) {
      if (byId.get(id)!.reviewId) continue
      // conditional: of two reviews claiming one photo at once, one wins and the other is told PHOTO_IN_USE
      const result = await ReviewPhoto.updateOne({ _id: id, memberId: member, reviewId: null, removing: { $ne: true } }, { $set: { reviewId: review } })
      if (result.matchedCount === 1) {
        claimed.push(id)
        continue
      }
      const now = await ReviewPhoto.findById(id, { reviewId: 1, removing: 1 }).lean<Pick<PhotoDoc, 'reviewId' | 'removing'>>()
      if (now && !now.removing && now.reviewId?.equals(review)) continue
      // undo this call's claims (only those: a repeat of the same attach keeps what the first one did)
      if (claimed.length > 0) await ReviewPhoto.updateMany({ _id: { $in: claimed }, reviewId: review }, { $set: { reviewId: null } })
      throw !now || now.removing ? notFound(id) : inUse(id)
    }
  }

  async setPublished(reviewId: string, published: boolean): Promise<void> {
    if (!OBJECT_ID.test(reviewId)) return
    await this.deps.models.ReviewPhoto.updateMany({ reviewId: new Types.ObjectId(reviewId), removing: { $ne: true } }, { $set: { published } })
  }

  async views(photoIds: string[]): Promise<PhotoView[]> {
    const ids = [...new Set(photoIds.filter((id) => OBJECT_ID.test(id)))]
    if (ids.length === 0) return []
    const docs = await this.deps.models.ReviewPhoto.find({ _id: { $in: ids }, removing: { $ne: true } }, { width: 1, height: 1, published: 1 }).lean<Pick<PhotoDoc, '_id' | 'width' | 'height' | 'published'>[]>()
    const byId = new Map(docs.map((d) => [d._id.toString(), d]))
    // in the order asked; a photo that is gone (a removed review's) is left out
    return photoIds.flatMap((id) => {
      const doc = byId.get(id)
      return doc ? [this.view(doc)] : []
    })
  }

  checkUrl(photoId: string): string {
    return `${this.deps.publicBaseUrl}${this.link(photoId, 'full', expiryFor(this.deps.now(), CHECK_TTL_SECONDS))}`
  }

  async removeFor(reviewId: string): Promise<void> {
    if (!OBJECT_ID.test(reviewId)) return
    const { ReviewPhoto } = this.deps.models
    const review = new Types.ObjectId(reviewId)
    // no longer served from this instant; the files, then the records, go after (a repeat finishes a crashed removal)
    await ReviewPhoto.updateMany({ reviewId: review }, { $set: { removing: true, published: false } })
    const docs = await ReviewPhoto.find({ reviewId: review }, { originalId: 1, thumbId: 1 }).lean<Pick<PhotoDoc, '_id' | 'originalId' | 'thumbId'>[]>()
    for (const doc of docs) await this.destroy(doc)
  }

  async sweepOrphans(): Promise<number> {
    const { ReviewPhoto } = this.deps.models
    const cutoff = new Date(this.deps.now().getTime() - ORPHAN_AFTER_MS)
    let swept = 0
    for (;;) {
      const batch = await ReviewPhoto.find({ reviewId: null, createdAt: { $lt: cutoff } }, { originalId: 1, thumbId: 1 })
        .sort({ createdAt: 1 })
        .limit(SWEEP_BATCH)
        .lean<Pick<PhotoDoc, '_id' | 'originalId' | 'thumbId'>[]>()
      for (const doc of batch) {
        // claimed while still unattached: a photo attached a moment ago is kept (attach refuses one being removed)
        const claimed = await ReviewPhoto.updateOne({ _id: doc._id, reviewId: null }, { $set: { removing: true } })
        if (claimed.matchedCount === 0) continue
        await this.destroy(doc)
        swept++
      }
      if (batch.length < SWEEP_BATCH) break
    }
    if (swept > 0) this.deps.log.info({ swept }, 'reviews: unattached photos older than a day deleted')
    return swept
  }

  async read(photoId: string, size: PhotoSize, access: PhotoAccess): Promise<ServedPhoto | null> {
    if (!OBJECT_ID.test(photoId)) return null
    const doc = await this.deps.models.ReviewPhoto.findOne({ _id: photoId, removing: { $ne: true } }, { memberId: 1, originalId: 1, thumbId: 1, published: 1 }).lean<Pick<PhotoDoc, 'memberId' | 'originalId' | 'thumbId' | 'published'>>()
    if (!doc) return null
    if (!doc.published && !this.signed(photoId, size, access) && !(await this.isAuthorOrStaff(doc, access))) return null
    const key = size === 'thumb' ? doc.thumbId : doc.originalId
    const file = await this.deps.storage.get(key)
    if (!file) return null
    return { contentType: 'image/jpeg', length: file.length, etag: `"${key}"`, published: doc.published, stream: () => file.stream() }
  }

  private signed(photoId: string, size: PhotoSize, access: PhotoAccess): boolean {
    return access.exp !== undefined && access.sig !== undefined && verifyPhotoSignature(this.deps.key, photoId, size, access.exp, access.sig, this.deps.now())
  }

  private async isAuthorOrStaff(doc: Pick<PhotoDoc, 'memberId'>, access: PhotoAccess): Promise<boolean> {
    const viewer = await access.identify()
    if (!viewer) return false
    return 'staff' in viewer ? viewer.staff : doc.memberId.toString() === viewer.memberId
  }

  /** A photo's view: plain links once published (cacheable by anyone), links signed for an hour before. */
  private view(doc: Pick<PhotoDoc, '_id' | 'width' | 'height' | 'published'>): PhotoView {
    const id = doc._id.toString()
    const exp = doc.published ? undefined : expiryFor(this.deps.now(), VIEW_TTL_SECONDS)
    return { id, url: this.link(id, 'full', exp), thumbUrl: this.link(id, 'thumb', exp), width: doc.width, height: doc.height }
  }

  private link(photoId: string, size: PhotoSize, exp: number | undefined): string {
    const path = `${PHOTO_PATH}/${photoId}?size=${size}`
    return exp === undefined ? path : `${path}&exp=${exp}&sig=${photoSignature(this.deps.key, photoId, size, exp)}`
  }

  /** The files, then the record (so a crash in between leaves a record that the next removal or sweep finds again). */
  private async destroy(doc: Pick<PhotoDoc, '_id' | 'originalId' | 'thumbId'>): Promise<void> {
    await this.deps.storage.delete(doc.originalId)
    await this.deps.storage.delete(doc.thumbId)
    await this.deps.models.ReviewPhoto.deleteOne({ _id: doc._id })
  }
}

function notFound(id: string) {
  return new PhotoNotFound(`photo ${id} is not one of your photos (unused photos are kept for a day: upload it again)`)
}

function inUse(id: string) {
  return new PhotoInUse(`photo ${id} is in another review already`)
}
