/**
 * Stable error codes. Every error the API returns has the shape `{ statusCode, code, error, message }` and one of
 * these codes, so clients switch on `code`, never on the message.
 */
export const ErrorCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  /** the path exists, not with this method (the Allow header lists those it has) */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  INSUFFICIENT_POINTS: 'INSUFFICIENT_POINTS',
  /** the coupon template or mall item has no stock left */
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** the member has had as many of this coupon or item as one member may */
  LIMIT_REACHED: 'LIMIT_REACHED',
  /** the member's tier may not have this coupon or item */
  TIER_NOT_ELIGIBLE: 'TIER_NOT_ELIGIBLE',
  /** the coupon template or item is paused, or outside its availability window */
  NOT_AVAILABLE: 'NOT_AVAILABLE',
  /** the coupon is used, expired, void, or not this member's */
  COUPON_NOT_USABLE: 'COUPON_NOT_USABLE',
  /** the member set the birthday already; staff correct it */
  BIRTHDAY_ALREADY_SET: 'BIRTHDAY_ALREADY_SET',
  /** the member code scanned is expired (it rotates every minute) or not a real one: scan the card again */
  MEMBER_CODE_INVALID: 'MEMBER_CODE_INVALID',
  /** the appointment slot has no place left (for this member's tier: the rest may be kept for priority tiers) */
  SLOT_FULL: 'SLOT_FULL',
  /** the staff invitation code is unknown, used, replaced, expired (7 days), or its staff record is deactivated */
  INVITATION_INVALID: 'INVITATION_INVALID',
  /** the order line has a review already (one per line) */
  REVIEW_EXISTS: 'REVIEW_EXISTS',
  /** the order line is not delivered yet, or was cancelled or refunded in full */
  NOT_REVIEWABLE: 'NOT_REVIEWABLE',
  /** WeChat's content checks have not all answered: nothing is published before they pass */
  CHECKS_PENDING: 'CHECKS_PENDING',
  /** a content check found the review risky: approving it needs confirmRisky after a person looked */
  CONTENT_RISKY: 'CONTENT_RISKY',
  /** the body is larger than the route takes */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** a path segment is longer than the server reads */
  URI_TOO_LONG: 'URI_TOO_LONG',
  /** the body is not JSON (send content-type: application/json) */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  WECHAT_CODE_INVALID: 'WECHAT_CODE_INVALID',
  WECHAT_CODE_USED: 'WECHAT_CODE_USED',
  WECHAT_USER_RISKY: 'WECHAT_USER_RISKY',
  WECHAT_UNAVAILABLE: 'WECHAT_UNAVAILABLE',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** the database is not reachable right now; try again shortly */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  /** the photo is larger than 10 MB */
  PHOTO_TOO_LARGE: 'PHOTO_TOO_LARGE',
  /** the file is not an image (its bytes are neither JPEG, PNG nor WebP, or do not decode) */
  PHOTO_NOT_IMAGE: 'PHOTO_NOT_IMAGE',
  /** an image in a format not taken (HEIC/HEIF, AVIF, GIF, TIFF, BMP…): send JPEG, PNG or WebP */
  PHOTO_UNSUPPORTED: 'PHOTO_UNSUPPORTED',
  /** the image has more than 20 megapixels */
  PHOTO_TOO_MANY_PIXELS: 'PHOTO_TOO_MANY_PIXELS',
  /** no such photo of this member (or it was removed: unattached photos are kept a day) */
  PHOTO_NOT_FOUND: 'PHOTO_NOT_FOUND',
  /** the photo belongs to another review already */
  PHOTO_IN_USE: 'PHOTO_IN_USE',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** The one error body the API returns. */
export interface ApiErrorBody {
  statusCode: number
  code: ErrorCode | string
  error: string
  message: string
}
