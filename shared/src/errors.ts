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
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** The one error body the API returns. */
export interface ApiErrorBody {
  statusCode: number
  code: ErrorCode | string
  error: string
  message: string
}
