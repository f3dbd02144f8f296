import Taro from '@tarojs/taro'
import type { ApiErrorBody, ErrorCode } from '@member-center/shared/errors'
import { apiBase } from './config'
import { messageFor } from './error-messages'

/** An API error with the server's stable code (shared/src/errors.ts) and a sentence a member can read. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** Sentences for refusals that mean something particular at one endpoint (e.g. CONFLICT when binding a phone). */
export type Refusals = Partial<Record<ErrorCode, string>>

let currentToken: string | null = null
let onUnauthorized: (() => void) | null = null
let staffToken: string | null = null
let onStaffUnauthorized: (() => void) | null = null

/** The session layer sets the token and what to do when the server no longer accepts it. */
export function setAuth(token: string | null, unauthorized?: () => void) {
  currentToken = token
  if (unauthorized) onUnauthorized = unauthorized
}

/** The same for the staff token (the Staff tab's calls): refused, the tab goes away and the member session stays. */
export function setStaffAuth(token: string | null, unauthorized?: () => void) {
  staffToken = token
  if (unauthorized) onStaffUnauthorized = unauthorized
}

/** A call of the Staff tab, with the staff token. */
export function staffRequest<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown, refusals: Refusals = {}): Promise<T> {
  return send<T>(method, path, data, refusals, staffToken, onStaffUnauthorized)
}

/**
 * The one place that calls Taro.request: adds the token and turns every failure into an ApiError whose message is a
 * Chinese sentence for its code (services/error-messages.ts), or the endpoint's own sentence from `refusals`.
 */
export function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown, refusals: Refusals = {}): Promise<T> {
  return send<T>(method, path, data, refusals, currentToken, onUnauthorized)
}

async function send<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  data: unknown,
  refusals: Refusals,
  token: string | null,
  unauthorized: (() => void) | null,
): Promise<T> {
  let response: Taro.request.SuccessCallbackResult<any>
  try {
    response = await Taro.request({
      url: apiBase() + path,
      method,
      data: data as Taro.request.Option['data'],
      header: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      timeout: 10_000,
    })
  } catch {
    throw new ApiError(0, 'NETWORK', messageFor('NETWORK', 0))
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response.data as T
  const body = response.data as Partial<ApiErrorBody> | string | undefined
  const code = (typeof body === 'object' && body?.code) || 'UNKNOWN'
  if (response.statusCode === 401 && unauthorized) unauthorized()
  throw new ApiError(response.statusCode, code, refusals[code as ErrorCode] ?? messageFor(code, response.statusCode))
}
