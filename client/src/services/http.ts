import Taro from '@tarojs/taro'
import type { ApiErrorBody } from '@member-center/shared/errors'
import { apiBase } from './config'

/** An API error with the server's stable code (shared/src/errors.ts). */
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

let currentToken: string | null = null
let onUnauthorized: (() => void) | null = null

/** The session layer sets the token and what to do when the server no longer accepts it. */
export function setAuth(token: string | null, unauthorized?: () => void) {
  currentToken = token
  if (unauthorized) onUnauthorized = unauthorized
}

/** The one place that calls Taro.request: adds the token and turns error bodies into ApiError. */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown): Promise<T> {
  let response: Taro.request.SuccessCallbackResult<any>
  try {
    response = await Taro.request({
      url: apiBase() + path,
      method,
      data: data as Taro.request.Option['data'],
      header: {
        'content-type': 'application/json',
        ...(currentToken ? { authorization: `Bearer ${currentToken}` } : {}),
      },
      timeout: 10_000,
    })
  } catch (error) {
    throw new ApiError(0, 'NETWORK', '网络不给力，请稍后再试')
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response.data as T
  const body = response.data as Partial<ApiErrorBody> | undefined
  if (response.statusCode === 401 && onUnauthorized) onUnauthorized()
  throw new ApiError(response.statusCode, body?.code ?? 'UNKNOWN', body?.message ?? `请求失败（${response.statusCode}）`)
}
