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

/**
 * The methods the API is called with. PATCH: WeChat's wx.request does not list it (OPTIONS, GET, HEAD, POST, PUT,
 * DELETE, TRACE, CONNECT), so a route the weapp build needs should not take PATCH only; the H5 build sends it as is.
 */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

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
export function staffRequest<T>(method: Method, path: string, data?: unknown, refusals: Refusals = {}): Promise<T> {
  return send<T>(method, path, data, refusals, staffToken, onStaffUnauthorized)
}

/**
 * The one place that calls Taro.request: adds the token and turns every failure into an ApiError whose message is a
 * Chinese sentence for its code (services/error-messages.ts), or the endpoint's own sentence from `refusals`.
 */
export function request<T>(method: Method, path: string, data?: unknown, refusals: Refusals = {}): Promise<T> {
  return send<T>(method, path, data, refusals, currentToken, onUnauthorized)
}

async function send<T>(
  method: Method,
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
      // a content type only with a body: the server refuses a JSON content type on an empty body (a DELETE)
      header: {
        ...(data === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      timeout: 10_000,
    })
  } catch {
    throw new ApiError(0, 'NETWORK', messageFor('NETWORK', 0))
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response.data as T
  throw failure(response.statusCode, response.data, refusals, unauthorized)
}

/** A non-2xx answer as the ApiError pages show: the endpoint's own sentence for its code, else the code's sentence. */
function failure(statusCode: number, data: unknown, refusals: Refusals, unauthorized: (() => void) | null): ApiError {
  const body = data as Partial<ApiErrorBody> | string | null | undefined
  const code = (typeof body === 'object' && body?.code) || 'UNKNOWN'
  if (statusCode === 401 && unauthorized) unauthorized()
  return new ApiError(statusCode, code, refusals[code as ErrorCode] ?? messageFor(code, statusCode))
}

/** A file to upload: a temporary path from Taro.chooseMedia (WeChat), or a File from an <input type="file"> (H5). */
export type UploadSource = { filePath: string } | { file: Blob; fileName: string }

/** How long an upload may take (a 10 MB photo on a slow phone network). */
const UPLOAD_TIMEOUT_MS = 60_000

/**
 * The one place that uploads a file (multipart/form-data, one file field named `file`), with the member's token: in
 * WeChat through Taro.uploadFile (it resolves for any status, `data` as a string); in H5 with fetch and FormData. A
 * refusal becomes the same ApiError as request's. `onProgress` hears the percentage sent where the platform tells it
 * (WeChat); H5 tells nothing until the answer.
 */
export async function upload<T>(path: string, source: UploadSource, refusals: Refusals = {}, onProgress?: (percent: number) => void): Promise<T> {
  const token = currentToken
  const header: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  let statusCode: number
  let text: string
  try {
    if (process.env.TARO_ENV === 'h5' && 'file' in source) {
      const form = new FormData()
      form.append('file', source.file, source.fileName)
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), UPLOAD_TIMEOUT_MS)
      try {
        const response = await fetch(apiBase() + path, { method: 'POST', body: form, headers: header, signal: controller.signal })
        statusCode = response.status
        text = await response.text()
      } finally {
        clearTimeout(timer)
      }
    } else if ('filePath' in source) {
      const task = Taro.uploadFile({ url: apiBase() + path, filePath: source.filePath, name: 'file', header, timeout: UPLOAD_TIMEOUT_MS })
      if (onProgress) task.progress((update) => onProgress(update.progress))
      const result = await task
      statusCode = result.statusCode
      text = result.data
    } else {
      throw new Error('no file to upload')
    }
  } catch {
    throw new ApiError(0, 'NETWORK', messageFor('NETWORK', 0))
  }
  let body: unknown = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // not JSON (a proxy's error page): the status decides the sentence
  }
  if (statusCode >= 200 && statusCode < 300 && body !== null) return body as T
  throw failure(statusCode, body, refusals, onUnauthorized)
}
