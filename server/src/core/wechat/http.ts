import { WechatApiError, WechatUnreachableError } from './errors.js'

export interface WechatHttpOptions {
  baseUrl: string
  timeoutMs: number
}

/**
 * One call to a WeChat endpoint. Answers the parsed body when errcode is absent or 0; throws WechatApiError for a
 * WeChat error and WechatUnreachableError when WeChat is down (network, timeout, 5xx, not JSON, errcode -1).
 * `msgid` values are kept as strings: WeChat sends integers above 2^53, which JSON.parse would round.
 */
export async function wechatCall<T>(
  http: WechatHttpOptions,
  path: string,
  init: { query?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  const url = new URL(path, http.baseUrl)
  for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value)
  let response: Response
  try {
    response = await fetch(url, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(http.timeoutMs),
    })
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${http.timeoutMs} ms` : (error as Error).message
    throw new WechatUnreachableError(path, reason)
  }
  const text = await response.text()
  if (response.status >= 500) throw new WechatUnreachableError(path, `HTTP ${response.status}`)
  let body: { errcode?: number; errmsg?: string } & Record<string, unknown>
  try {
    body = JSON.parse(text.replace(/"msgid"\s*:\s*(\d+)/, '"msgid":"$1"'))
  } catch {
    throw new WechatUnreachableError(path, `HTTP ${response.status} with a body that is not JSON`)
  }
  if (body.errcode === -1) throw new WechatUnreachableError(path, 'WeChat system busy (-1)')
  if (body.errcode) throw new WechatApiError(body.errcode, body.errmsg ?? '', path)
  return body as T
}
