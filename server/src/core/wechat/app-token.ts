import WechatAPI from 'wechat-api'
import type { WechatTokenRepository } from './tokens.js'
import { isStaleTokenError, WechatApiError, WechatUnreachableError } from './errors.js'
import { wechatCall, type WechatHttpOptions } from './http.js'

export interface WechatAppOptions extends WechatHttpOptions {
  appid: string
  secret: string
  tokens: WechatTokenRepository
}

/**
 * One WeChat app (the mini-program or the Official Account) and its access token. The token lives in the database
 * (wechat-api's getToken/saveToken), so every process shares one; it is fetched with /cgi-bin/stable_token, which
 * hands every caller the same token until it nears expiry (DESIGN.md §3).
 */
export class WechatApp {
  readonly api: WechatAPI

  constructor(readonly options: WechatAppOptions) {
    const { appid, secret, tokens } = options
    this.api = new WechatAPI(
      appid,
      secret,
      (callback) => {
        tokens.get(appid).then((token) => callback(null, token), callback)
      },
      (token, callback) => {
        tokens.save(appid, token).then(() => callback(null), callback)
      },
    )
    // setEndpoint would force https; the sandbox speaks plain http
    this.api.endpoint = options.baseUrl.replace(/\/$/, '')
    this.api.setOpts({ timeout: options.timeoutMs })
    // wechat-api fetches with GET /cgi-bin/token, which retires the token other processes hold; use stable_token
    this.api.getAccessToken = (callback) => {
      this.fetchStableToken().then(
        (token) => callback(null, token),
        (error: Error) => callback(error),
      )
      return this.api
    }
  }

  get appid(): string {
    return this.options.appid
  }

  private async fetchStableToken() {
    const answer = await wechatCall<{ access_token: string; expires_in: number }>(this.options, '/cgi-bin/stable_token', {
      body: { grant_type: 'client_credential', appid: this.options.appid, secret: this.options.secret, force_refresh: false },
    })
    // a minute's margin so a token is not used at the edge of its life
    const token = { accessToken: answer.access_token, expireTime: Date.now() + (answer.expires_in - 60) * 1000 }
    await this.options.tokens.save(this.options.appid, token)
    return token
  }

  /** The current access token: the stored one while valid, otherwise a fresh one. */
  accessToken(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.api.getLatestToken((error, token) => (error ? reject(toWechatError(error, 'token')) : resolve(token!.accessToken)))
    })
  }

  /**
   * Runs a call that needs the access token. On 40001/42001 it drops the stored token (only if still the stale one),
   * fetches a fresh one and retries once.
   */
  async withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken()
    try {
      return await call(token)
    } catch (error) {
      if (!isStaleTokenError(error)) throw error
      await this.options.tokens.discard(this.options.appid, token)
      return call(await this.accessToken())
    }
  }
}

/** wechat-api reports WeChat errors as Error with a numeric code and network failures by name. */
export function toWechatError(error: Error & { code?: number | string }, path: string): Error {
  if (error instanceof WechatApiError || error instanceof WechatUnreachableError) return error
  if (typeof error.code === 'number' && error.code !== -1) return new WechatApiError(error.code, error.message, path)
  return new WechatUnreachableError(path, error.message)
}
