/**
 * Stable error codes. Every error the API returns has the shape `{ statusCode, code, error, message }` and one of
 * these codes, so clients switch on `code`, never on the message.
 */
export const ErrorCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INSUFFICIENT_POINTS: 'INSUFFICIENT_POINTS',
  RATE_LIMITED: 'RATE_LIMITED',
  WECHAT_CODE_INVALID: 'WECHAT_CODE_INVALID',
  WECHAT_CODE_USED: 'WECHAT_CODE_USED',
  WECHAT_USER_RISKY: 'WECHAT_USER_RISKY',
  WECHAT_UNAVAILABLE: 'WECHAT_UNAVAILABLE',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
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
