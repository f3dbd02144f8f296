import { Type } from '@sinclair/typebox'

const descriptions: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED)',
  401: 'Not logged in, or the login code was rejected',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  429: 'Too many requests (RATE_LIMITED)',
  503: 'A dependency (WeChat, the database) is unavailable',
}

/** Response schemas for the given error statuses, all the one error shape. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error', { description: descriptions[s] ?? 'Error' })]))
}
