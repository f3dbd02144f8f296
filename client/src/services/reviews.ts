import type { CreateReview, ProductReviewsSchema, Review, ReviewableLine, ReviewPhotoUpload } from '@member-center/shared'
import type { Static } from '@sinclair/typebox'
import { apiBase } from './config'
import { ERROR_MESSAGES } from './error-messages'
import { request, upload, type UploadSource } from './http'

// Photo reviews (subpackage packages/reviews) only: the member's reviewable lines and reviews, photo uploads, and a
// product's public review list. Kept apart so it leaves the main package with the pages that use it.

export type { Review, ReviewableLine, ReviewPhotoUpload, UploadSource }
export type ProductReviews = Static<typeof ProductReviewsSchema>
export type PublicReview = ProductReviews['items'][number]

/** A photo's link as the API gives it (a relative path, signed for an hour until published), for <Image src>. */
export const photoSrc = (url: string) => (/^https?:\/\//.test(url) ? url : apiBase() + url)

/** GET /api/me/reviewables — my received lines: campaign offers first (reward and requirements), then the rest */
export const getReviewables = () => request<{ items: ReviewableLine[] }>('GET', '/api/me/reviewables')

/** POST /api/reviews — one review of one received line (once per line); it starts in content checks */
export const submitReview = (body: CreateReview) =>
  request<Review>('POST', '/api/reviews', body, {
    NOT_FOUND: '没有在你的订单中找到这件商品，请返回评价晒单重新选择。',
    VALIDATION_FAILED: '评价内容有误：请选择 1–5 星，文字不超过 1000 字，照片不超过 9 张。',
  })

/** GET /api/me/reviews — my reviews, newest first, with state, rejection reason, the brand's reply and the reward */
export const getMyReviews = () => request<{ items: Review[] }>('GET', '/api/me/reviews')

/** DELETE /api/me/reviews/:id — unpublished, photos deleted, its reward taken back */
export const deleteMyReview = (id: string) =>
  request<null>('DELETE', `/api/me/reviews/${encodeURIComponent(id)}`, undefined, {
    NOT_FOUND: '没有找到这条评价，它可能已被删除。',
  })

/**
 * POST /api/reviews/photos — one photo (multipart, field `file`): re-encoded without EXIF/GPS, with a thumbnail.
 * WeChat: the path chooseMedia gave; H5: the File the input gave.
 */
export const uploadReviewPhoto = (source: UploadSource, onProgress?: (percent: number) => void) =>
  upload<ReviewPhotoUpload>(
    '/api/reviews/photos',
    source,
    {
      PAYLOAD_TOO_LARGE: ERROR_MESSAGES.PHOTO_TOO_LARGE,
      UNSUPPORTED_MEDIA_TYPE: ERROR_MESSAGES.PHOTO_NOT_IMAGE,
      VALIDATION_FAILED: '没有收到照片，请重新选择。',
      RATE_LIMITED: '今天上传的照片太多了，请先用已上传的照片发表评价，或明天再试。',
    },
    onProgress,
  )

/** GET /api/products/:sku/reviews — the published reviews (nickname masked), newest first; `before` for the next page */
export const getProductReviews = (sku: string, before?: string | null) =>
  request<ProductReviews>('GET', `/api/products/${encodeURIComponent(sku)}/reviews?limit=20${before ? `&before=${encodeURIComponent(before)}` : ''}`)
