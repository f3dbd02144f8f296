import createError from '@fastify/error'
import { ErrorCodes } from '@member-center/shared'

/**
 * The errors routes and services throw. Each has a stable code from shared/src/errors.ts; the one error handler in
 * core/error-handler.ts turns them into `{ statusCode, code, error, message }`.
 */
export const ValidationFailed = createError(ErrorCodes.VALIDATION_FAILED, '%s', 400)
export const Unauthorized = createError(ErrorCodes.UNAUTHORIZED, '%s', 401)
export const Forbidden = createError(ErrorCodes.FORBIDDEN, '%s', 403)
export const NotFound = createError(ErrorCodes.NOT_FOUND, '%s', 404)
export const MethodNotAllowed = createError(ErrorCodes.METHOD_NOT_ALLOWED, '%s', 405)
export const Conflict = createError(ErrorCodes.CONFLICT, '%s', 409)
export const UriTooLong = createError(ErrorCodes.URI_TOO_LONG, '%s', 414)
export const WechatCodeInvalid = createError(ErrorCodes.WECHAT_CODE_INVALID, 'the login code is invalid or expired; call wx.login again', 401)
export const WechatCodeUsed = createError(ErrorCodes.WECHAT_CODE_USED, 'the login code was already used; call wx.login again', 401)
export const WechatUserRisky = createError(ErrorCodes.WECHAT_USER_RISKY, 'WeChat flagged this account as high-risk', 403)
export const WechatUnavailable = createError(ErrorCodes.WECHAT_UNAVAILABLE, 'WeChat is not reachable right now (%s); try again shortly', 503)
export const ServiceUnavailable = createError(ErrorCodes.SERVICE_UNAVAILABLE, '%s', 503)
export const DatabaseUnavailable = createError(ErrorCodes.DATABASE_UNAVAILABLE, 'the database is not reachable right now; try again shortly', 503)
export const InsufficientPoints = createError(ErrorCodes.INSUFFICIENT_POINTS, '%s', 409)
export const OutOfStock = createError(ErrorCodes.OUT_OF_STOCK, '%s', 409)
export const LimitReached = createError(ErrorCodes.LIMIT_REACHED, '%s', 409)
export const TierNotEligible = createError(ErrorCodes.TIER_NOT_ELIGIBLE, '%s', 409)
export const NotAvailable = createError(ErrorCodes.NOT_AVAILABLE, '%s', 409)
export const CouponNotUsable = createError(ErrorCodes.COUPON_NOT_USABLE, '%s', 409)
export const RateLimited = createError(ErrorCodes.RATE_LIMITED, '%s', 429)
export const BirthdayAlreadySet = createError(ErrorCodes.BIRTHDAY_ALREADY_SET, '%s', 409)
export const MemberCodeInvalid = createError(ErrorCodes.MEMBER_CODE_INVALID, '%s', 400)
export const SlotFull = createError(ErrorCodes.SLOT_FULL, '%s', 409)
export const InvitationInvalid = createError(ErrorCodes.INVITATION_INVALID, '%s', 409)
