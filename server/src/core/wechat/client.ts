import { WechatApp, toWechatError } from './app-token.js'
import { wechatCall, type WechatHttpOptions } from './http.js'
import type { WechatTokenRepository } from './tokens.js'

export interface WechatSession {
  openid: string
  unionid?: string
  /** never leaves the server */
  sessionKey: string
}

export interface SubscribeMessage {
  touser: string
  templateId: string
  page?: string
  data: Record<string, { value: string }>
  miniprogramState?: 'developer' | 'trial' | 'formal'
}

export interface TemplateMessage {
  /** the member's openid in the Official Account */
  touser: string
  templateId: string
  url?: string
  miniprogram?: { appid: string; pagepath?: string }
  data: Record<string, { value: string }>
}

/** WeChat's content-security verdict: publish (pass), let a person decide (review), or refuse (risky). */
export type ContentSuggest = 'pass' | 'review' | 'risky'

/** Where the checked content appears (WeChat's scene): 1 profile, 2 comment, 3 forum, 4 social post. */
export type ContentScene = 1 | 2 | 3 | 4

export interface TextCheck {
  /** the author: WeChat checks against what it knows of them, and needs them to have used the mini-program lately (else 61010) */
  openid: string
  /** at most 2,500 characters */
  content: string
  scene: ContentScene
  title?: string
  nickname?: string
  /** a profile's signature (scene 1 only) */
  signature?: string
}

export interface TextVerdict {
  suggest: ContentSuggest
  /** 100 normal; 10001 ads, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 20008 fraud, 20012 vulgar, 20013 copyright, 21000 other */
  label: number
  traceId: string
}

export interface MediaCheck {
  openid: string
  /** a URL WeChat can download for the next 30 minutes */
  mediaUrl: string
  mediaType: 'image' | 'audio'
  scene: ContentScene
}

/** media_check_async's media_type */
const MEDIA_TYPES = { audio: 1, image: 2 } as const

export interface WechatClientOptions extends WechatHttpOptions {
  appid: string
  secret: string
  officialAccount?: { appid: string; secret: string }
  tokens: WechatTokenRepository
}

/**
 * The server's one WeChat client: the mini-program's endpoints (login, phone number, subscribe messages, content
 * security) and the
 * Official Account's template messages, all through the shared access-token handling of WechatApp.
 */
export class WechatClient {
  readonly miniProgram: WechatApp
  readonly officialAccount: WechatApp | null

  constructor(private readonly options: WechatClientOptions) {
    const http = { baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, tokens: options.tokens }
    this.miniProgram = new WechatApp({ ...http, appid: options.appid, secret: options.secret })
    this.officialAccount = options.officialAccount ? new WechatApp({ ...http, ...options.officialAccount }) : null
  }

  /** Exchanges a wx.login code at /sns/jscode2session (no access token needed). */
  async code2Session(code: string): Promise<WechatSession> {
    const answer = await wechatCall<{ openid: string; unionid?: string; session_key: string }>(this.options, '/sns/jscode2session', {
      query: { appid: this.options.appid, secret: this.options.secret, js_code: code, grant_type: 'authorization_code' },
    })
    return { openid: answer.openid, unionid: answer.unionid, sessionKey: answer.session_key }
  }

  /** The phone number behind a getPhoneNumber button's code. */
  async phoneNumber(code: string): Promise<{ phoneNumber: string; countryCode: string }> {
    const answer = await this.miniProgram.withToken((token) =>
      wechatCall<{ phone_info: { phoneNumber: string; countryCode: string } }>(this.options, '/wxa/business/getuserphonenumber', {
        query: { access_token: token },
        body: { code },
      }),
    )
    return { phoneNumber: answer.phone_info.phoneNumber, countryCode: answer.phone_info.countryCode }
  }

  /** Sends a one-time subscribe message; answers WeChat's msgid as a string. */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<{ msgid: string }> {
    const answer = await this.miniProgram.withToken((token) =>
      wechatCall<{ msgid: string }>(this.options, '/cgi-bin/message/subscribe/send', {
        query: { access_token: token },
        body: {
          touser: message.touser,
          template_id: message.templateId,
          page: message.page,
          data: message.data,
          miniprogram_state: message.miniprogramState ?? 'formal',
        },
      }),
    )
    return { msgid: String(answer.msgid) }
  }

  /**
   * Checks a text a user publishes (msg_sec_check, version 2). WeChat answers at once; its label comes as a number
   * or a numeric string, normalised here.
   */
  async checkText(check: TextCheck): Promise<TextVerdict> {
    const answer = await this.miniProgram.withToken((token) =>
      wechatCall<{ result: { suggest: ContentSuggest; label: number | string }; trace_id: string }>(this.options, '/wxa/msg_sec_check', {
        query: { access_token: token },
        body: {
          version: 2,
          openid: check.openid,
          scene: check.scene,
          content: check.content,
          title: check.title,
          nickname: check.nickname,
          signature: check.signature,
        },
      }),
    )
    return { suggest: answer.result.suggest, label: Number(answer.result.label), traceId: answer.trace_id }
  }

  /**
   * Asks WeChat to check an image or audio file (media_check_async, version 2). Only acknowledged here: WeChat
   * downloads the file and pushes its verdict as the `wxa_media_check` event, matched by the trace id answered now.
   */
  async checkMediaAsync(check: MediaCheck): Promise<{ traceId: string }> {
    const answer = await this.miniProgram.withToken((token) =>
      wechatCall<{ trace_id: string }>(this.options, '/wxa/media_check_async', {
        query: { access_token: token },
        body: { version: 2, openid: check.openid, scene: check.scene, media_url: check.mediaUrl, media_type: MEDIA_TYPES[check.mediaType] },
      }),
    )
    return { traceId: answer.trace_id }
  }

  /**
   * An Official Account user's follow state and unionid (GET /cgi-bin/user/info): `followed` false for someone who
   * does not follow (or unfollowed: WeChat then keeps no unionid for them).
   */
  async officialAccountUser(openid: string): Promise<{ followed: boolean; unionid: string | null }> {
    const oa = this.officialAccount
    if (!oa) throw new Error('no Official Account is configured (WECHAT_OA_APPID, WECHAT_OA_SECRET)')
    const answer = await oa.withToken((token) =>
      wechatCall<{ subscribe?: number | string; unionid?: string }>(this.options, '/cgi-bin/user/info', { query: { access_token: token, openid, lang: 'zh_CN' } }),
    )
    return { followed: Number(answer.subscribe) === 1, unionid: answer.unionid ?? null }
  }

  /** Sends an Official Account template message through wechat-api. */
  async sendTemplateMessage(message: TemplateMessage): Promise<{ msgid: string }> {
    const oa = this.officialAccount
    if (!oa) throw new Error('no Official Account is configured (WECHAT_OA_APPID, WECHAT_OA_SECRET)')
    const answer = await oa.withToken(
      () =>
        new Promise<{ msgid: number }>((resolve, reject) => {
          const dest = { url: message.url, miniprogram: message.miniprogram }
          // retried=true: wechat-api's own 40001 retry would reuse the stale stored token; withToken retries instead
          oa.api.preRequest(
            oa.api._sendTemplate,
            [message.touser, message.templateId, dest, message.data, (error: (Error & { code?: number }) | null, result?: { msgid: number }) => {
              if (error) reject(toWechatError(error, '/cgi-bin/message/template/send'))
              else resolve(result!)
            }],
            true,
          )
        }),
    )
    return { msgid: String(answer.msgid) }
  }
}
