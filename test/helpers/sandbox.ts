import type { FastifyInstance } from 'fastify'
import {
  createSandbox,
  type ContentRule,
  type ContentSuggest,
  type Fault,
  type MediaCheckRecord,
  type PushConfig,
  type PushRecord,
  type RecordedMessage,
  type SandboxOptions,
  type SentSms,
  type SmsAttempt,
  type SmsFault,
  type SmsReplyRecord,
  type SubscribeResult,
  type TextCheckRecord,
} from '../../tools/wechat-sandbox/sandbox.js'
import { SMS_SANDBOX_DEFAULTS } from '../../tools/wechat-sandbox/sms.js'

export const TEST_APPID = 'wxtest0000000000001'
export const TEST_SECRET = 'test-secret-0123456789'
export const TEST_OA_APPID = 'wxtestoa00000000001'
export const TEST_OA_SECRET = 'test-oa-secret-0123456789'

/** The SMS provider the sandbox plays: its SdkAppId, key pair, signature and marketing template (one variable). */
export const TEST_SMS = SMS_SANDBOX_DEFAULTS
export const TEST_SMS_INBOUND_TOKEN = 'test-sms-inbound-token-0123456789'

/** The app's SMS settings pointing at a sandbox: pass to useTestApp / startTestApp. */
export function smsSettings(sandboxUrl: string) {
  return {
    SMS_API_BASE: sandboxUrl,
    SMS_SDK_APP_ID: TEST_SMS.appId,
    SMS_SECRET_ID: TEST_SMS.secretId,
    SMS_SECRET_KEY: TEST_SMS.secretKey,
    SMS_SIGN_NAME: TEST_SMS.signName,
    SMS_TEMPLATE_MARKETING: TEST_SMS.templateId,
    SMS_INBOUND_TOKEN: TEST_SMS_INBOUND_TOKEN,
    SMS_TIMEOUT_MS: 2000,
  }
}

/** The SMS provider's side of the sandbox (tools/wechat-sandbox/sms.ts). */
export interface TestSmsSandbox {
  /** the SMS it accepted, oldest first (content: 【签名】 and the text) */
  sent(): Promise<SentSms[]>
  /** every number of every SendSms call, with the code it got */
  attempts(): Promise<SmsAttempt[]>
  replies(): Promise<SmsReplyRecord[]>
  /** where member replies are delivered (the product's /api/sms/inbound?token=…) */
  setCallback(url: string | null): Promise<void>
  /** the member with this number replies (e.g. "T"); answers once the callback was delivered (or failed) */
  reply(phone: string, text: string, options?: { time?: number; sign?: string }): Promise<SmsReplyRecord>
  /** the provider delivers the last reply again */
  replayReply(): Promise<SmsReplyRecord>
  /** the next `count` sends fail with a Tencent code, an HTTP status or a delay */
  fault(fault: SmsFault): Promise<void>
  /** the carrier refuses the number (FailedOperation.PhoneNumberInBlacklist), or no longer */
  blacklist(phone: string, remove?: boolean): Promise<void>
  setDailyLimit(dailyLimitPerPhone: number): Promise<void>
}

export interface SubscribeTap {
  openid: string
  appid: string
  /** what wx.requestSubscribeMessage answers the mini-program */
  result: Record<string, string>
  balances: Record<string, number>
  push: { id: number; outcome: PushRecord['outcome'] } | null
}

export interface Subscriptions {
  openid: string
  balances: Record<string, number>
  switchedOff: string[]
  banned: string[]
}

/** A WeChat sandbox on a free port, driven over HTTP like the server's client drives it. */
export interface TestSandbox {
  url: string
  server: FastifyInstance
  code(user: string): Promise<string>
  fault(fault: Fault): Promise<void>
  expireTokens(): Promise<void>
  revokeTokens(): Promise<void>
  messages(): Promise<RecordedMessage[]>
  calls(): Promise<{ path: string }[]>
  /** the user taps "allow"/"cancel" in WeChat's subscribe dialog (the mini-program unless appid says otherwise) */
  subscribe(user: string, results: Record<string, SubscribeResult>, appid?: string): Promise<SubscribeTap>
  /** the user switches templates off in the mini-program's settings (subscribe_msg_change_event) */
  switchOff(user: string, templateIds: string[], appid?: string): Promise<SubscribeTap>
  /** the unused accepts WeChat holds for the user */
  subscriptions(user: string, appid?: string): Promise<Subscriptions>
  /** the user follows / unfollows the Official Account (TEST_OA_APPID unless appid says otherwise) */
  follow(user: string, appid?: string): Promise<{ openid: string }>
  unfollow(user: string, appid?: string): Promise<{ openid: string }>
  /** registers an app's push URL; `verify: true` runs WeChat's GET verification first, as saving does in WeChat */
  configurePush(config: Omit<PushConfig, 'verified'> & { verify?: boolean }): Promise<void>
  handshake(appid: string): Promise<{ passed: boolean; status?: number; body?: string; echostr: string }>
  /** what was pushed; by default waits until every delivery under way (retries included) is done */
  pushes(options?: { appid?: string; wait?: boolean }): Promise<PushRecord[]>
  replayPush(appid: string): Promise<{ id: number }>
  /** the next subscribe sends' asynchronous delivery fails (subscribe_msg_sent_event with an error) */
  failNextDelivery(options?: { appid?: string; count?: number; errorCode?: string; errorStatus?: string }): Promise<void>
  /**
   * the verdicts content checks give from now on, e.g. `{kind: 'text', contains: '广告', suggest: 'risky', label: 10001}`
   * (the newest matching rule wins; `contains: ''` matches everything; no rule → pass, label 100)
   */
  setContentRules(rules: ContentRule[], options?: { replace?: boolean }): Promise<ContentRule[]>
  /** every msg_sec_check call and the verdict it got */
  textChecks(): Promise<TextCheckRecord[]>
  /** every media_check_async call: download, verdict, state, push outcome; by default after work under way is done */
  mediaChecks(options?: { wait?: boolean }): Promise<MediaCheckRecord[]>
  /** whether later media verdicts wait for releaseMediaChecks (the default here) or are pushed by themselves */
  holdMediaChecks(hold: boolean): Promise<void>
  /**
   * pushes held media verdicts (all, or `traceIds`), optionally replaced by `suggest`/`label`; by default answers once
   * their pushes are delivered (or failed), with the checks as they stand then
   */
  releaseMediaChecks(options?: { traceIds?: string[]; suggest?: ContentSuggest; label?: number; wait?: boolean }): Promise<MediaCheckRecord[]>
  /** the SMS provider the sandbox plays */
  sms: TestSmsSandbox
  reset(): Promise<void>
  close(): Promise<void>
}

export async function startSandbox(
  options: Pick<
    SandboxOptions,
    'tokenTtlSeconds' | 'enforceConsent' | 'subscribeTemplates' | 'pushTimeoutMs' | 'pushRetryDelayMs' | 'pushDelayMs' | 'holdMediaChecks' | 'mediaCheckDelayMs' | 'mediaFetchTimeoutMs' | 'sms'
  > = {},
): Promise<TestSandbox> {
  const server = createSandbox({
    apps: [
      { appid: TEST_APPID, secret: TEST_SECRET },
      { appid: TEST_OA_APPID, secret: TEST_OA_SECRET, kind: 'officialAccount' },
    ],
    // a test decides when WeChat's media verdicts arrive (releaseMediaChecks); the demo gets them by themselves
    holdMediaChecks: true,
    ...options,
  })
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`sandbox ${path}: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
  const query = (params: Record<string, string | undefined>) =>
    new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString()
  const mediaChecks = async ({ wait = true }: { wait?: boolean } = {}) =>
    (await call<{ mediaChecks: MediaCheckRecord[] }>(`/sandbox/media-checks?${query({ wait: wait ? '1' : undefined })}`)).mediaChecks
  return {
    url,
    server,
    code: async (user) => (await call<{ code: string }>(`/sandbox/code?user=${encodeURIComponent(user)}`)).code,
    fault: async (fault) => void (await call('/sandbox/faults', fault)),
    expireTokens: async () => void (await call('/sandbox/tokens/expire', {})),
    revokeTokens: async () => void (await call('/sandbox/tokens/revoke', {})),
    messages: async () => (await call<{ messages: RecordedMessage[] }>('/sandbox/messages')).messages,
    calls: async () => (await call<{ calls: { path: string }[] }>('/sandbox/calls')).calls,
    subscribe: (user, results, appid) => call('/sandbox/subscribe', { user, appid, results }),
    switchOff: (user, templateIds, appid) => call('/sandbox/subscribe/change', { user, appid, templateIds }),
    subscriptions: (user, appid) => call(`/sandbox/subscriptions?${query({ user, appid })}`),
    follow: (user, appid = TEST_OA_APPID) => call('/sandbox/oa/follow', { user, appid }),
    unfollow: (user, appid = TEST_OA_APPID) => call('/sandbox/oa/unfollow', { user, appid }),
    configurePush: async (config) => void (await call('/sandbox/push/config', config)),
    handshake: (appid) => call('/sandbox/push/handshake', { appid }),
    pushes: async ({ appid, wait = true } = {}) =>
      (await call<{ pushes: PushRecord[] }>(`/sandbox/pushes?${query({ appid, wait: wait ? '1' : undefined })}`)).pushes,
    replayPush: async (appid) => (await call<{ push: { id: number } }>('/sandbox/push/replay', { appid })).push,
    failNextDelivery: async (options = {}) => void (await call('/sandbox/push/sent-failure', options)),
    setContentRules: async (rules, { replace } = {}) => (await call<{ rules: ContentRule[] }>('/sandbox/content-checks', { rules, replace })).rules,
    textChecks: async () => (await call<{ textChecks: TextCheckRecord[] }>('/sandbox/content-checks')).textChecks,
    mediaChecks,
    holdMediaChecks: async (hold) => void (await call('/sandbox/media-checks/hold', { hold })),
    async releaseMediaChecks({ wait = true, ...release } = {}) {
      const { released } = await call<{ released: { traceId: string }[] }>('/sandbox/media-checks/release', release)
      const ids = new Set(released.map((r) => r.traceId))
      return (await mediaChecks({ wait })).filter((c) => ids.has(c.traceId))
    },
    sms: {
      sent: async () => (await call<{ sent: SentSms[] }>('/sandbox/sms')).sent,
      attempts: async () => (await call<{ attempts: SmsAttempt[] }>('/sandbox/sms')).attempts,
      replies: async () => (await call<{ replies: SmsReplyRecord[] }>('/sandbox/sms')).replies,
      setCallback: async (callbackUrl) => void (await call('/sandbox/sms/callback', { url: callbackUrl })),
      reply: async (phone, text, options = {}) => (await call<{ reply: SmsReplyRecord }>('/sandbox/sms/reply', { phone, text, ...options })).reply,
      replayReply: async () => (await call<{ reply: SmsReplyRecord }>('/sandbox/sms/replies/replay', {})).reply,
      fault: async (fault) => void (await call('/sandbox/sms/faults', fault)),
      blacklist: async (phone, remove) => void (await call('/sandbox/sms/blacklist', { phone, remove })),
      setDailyLimit: async (dailyLimitPerPhone) => void (await call('/sandbox/sms/limits', { dailyLimitPerPhone })),
    },
    reset: async () => void (await call('/sandbox/reset', {})),
    close: () => server.close(),
  }
}
