import { Type } from '@sinclair/typebox'

const descriptions: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED)',
  401: 'Not logged in, or the login code was rejected',
  403: 'Not allowed',
  404: 'Not found',
  405: 'The path takes other methods (METHOD_NOT_ALLOWED; see the Allow header)',
  409: 'Conflict',
  413: 'The body is too large (PAYLOAD_TOO_LARGE)',
  415: 'The body is not JSON (UNSUPPORTED_MEDIA_TYPE)',
  429: 'Too many requests (RATE_LIMITED)',
  503: 'A dependency is unavailable (WECHAT_UNAVAILABLE, DATABASE_UNAVAILABLE)',
}

/** Response schemas for the given error statuses, all the one error shape. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error', { description: descriptions[s] ?? 'Error' })]))
}
