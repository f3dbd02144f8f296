import { createHash, randomBytes, randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import {
  checkPushConfig,
  mediaCheckEventBody,
  nonce,
  sha1,
  signedPushRequest,
  subscribeEventBody,
  toXml,
  withQuery,
  type PushAttempt,
  type PushConfig,
  type PushFormat,
  type PushRecord,
} from './push.js'
import { registerSms, type SmsSandboxOptions } from './sms.js'
import { sandboxOpenid, sandboxUnionid } from './users.js'

export type { PushConfig, PushRecord, PushAttempt, ContentCheckDetail } from './push.js'
export type { SentSms, SmsAttempt, SmsFault, SmsReplyRecord, SmsSandboxOptions } from './sms.js'

/**
 * A local server speaking the WeChat endpoints Member Center uses, with the same paths, parameters and error codes
 * (DESIGN.md §3). Tests and the demo point the server's WeChat client at it. Besides WeChat's endpoints it has a
 * small control API under /sandbox: hand out login codes, play the user (consent taps, following the Official
 * Account), inject faults, expire tokens, configure and watch message push, read recorded messages.
 * See tools/wechat-sandbox/README.md.
 */
export interface SandboxApp {
  appid: string
  secret: string
  /** a mini-program (default) or an Official Account: they get different endpoints, openids and pushes */
  kind?: 'miniprogram' | 'officialAccount'
  /** the account's original id (gh_…), ToUserName in pushes; derived from the appid when absent */
  originalId?: string
}

export interface SandboxOptions {
  apps: SandboxApp[]
  /** access token lifetime in seconds (WeChat: 7200) */
  tokenTtlSeconds?: number
  /** login code lifetime in seconds (WeChat: 300) */
  codeTtlSeconds?: number
  now?: () => number
  /**
   * a subscribe send needs an unused accept of that template by that user, else 43101, as WeChat (default true).
   * Off only for uses that cannot play the consent tap.
   */
  enforceConsent?: boolean
  /** subscribe template ids known from the start (and after /sandbox/reset); none means any template id is valid */
  subscribeTemplates?: string[]
  /** how long WeChat waits for the push receiver's answer before it gives up and retries (WeChat: 5 s) */
  pushTimeoutMs?: number
  /** pause between a failed push attempt and its retry (default 200 ms; WeChat retries at once after the 5 s timeout, or a few seconds after an error answer) */
  pushRetryDelayMs?: number
  /** how long after the event WeChat starts pushing it: after the answer to the call that caused it (default 50 ms) */
  pushDelayMs?: number
  /**
   * media_check_async verdicts wait for POST /sandbox/media-checks/release instead of being pushed on their own
   * (default false: the demo gets its verdicts by itself; test/helpers/sandbox.ts turns holding on)
   */
  holdMediaChecks?: boolean
  /** how long after downloading the file WeChat pushes a verdict that is not held (default 1000 ms; WeChat: within 30 minutes) */
  mediaCheckDelayMs?: number
  /** how long WeChat waits while downloading a media_url (default 10 s) */
  mediaFetchTimeoutMs?: number
  /** the SMS provider the sandbox also plays (Tencent Cloud SMS, tools/wechat-sandbox/sms.ts): its keys, signatures, templates */
  sms?: SmsSandboxOptions
}

export type ContentSuggest = 'pass' | 'review' | 'risky'

/**
 * A verdict a test chooses: a text check whose content (or title, nickname, signature) contains `contains`, or a
 * media check whose media_url contains it, gets `suggest` and `label` (default 100 for pass, 21000 "other" else).
 * The newest matching rule wins; an empty `contains` matches everything; no rule → pass, label 100.
 */
export interface ContentRule {
  kind: 'text' | 'media'
  contains: string
  suggest: ContentSuggest
  label?: number
}

/** A msg_sec_check call as the sandbox answered it. */
export interface TextCheckRecord {
  traceId: string
  appid: string
  openid: string
  scene: number
  content: string
  title?: string
  nickname?: string
  signature?: string
  suggest: ContentSuggest
  label: number
  at: string
}

/** What WeChat's download of a media_url gave (a failure is recorded; the verdict is pushed anyway, as WeChat does). */
export interface MediaFetch {
  ok: boolean
  status?: number
  bytes?: number
  contentType?: string
  error?: string
  durationMs: number
}

/** A media_check_async call, its download, its verdict and the wxa_media_check push that carries the verdict. */
export interface MediaCheckRecord {
  traceId: string
  appid: string
  openid: string
  mediaUrl: string
  /** 1 audio, 2 image */
  mediaType: 1 | 2
  scene: number
  at: string
  /** null while the download is under way */
  fetch: MediaFetch | null
  verdict: { suggest: ContentSuggest; label: number }
  /** held: waits for /sandbox/media-checks/release; scheduled: pushed by itself after mediaCheckDelayMs; pushed */
  state: 'held' | 'scheduled' | 'pushed'
  /** the wxa_media_check push, once queued (its outcome as /sandbox/pushes tells it) */
  push: { id: number; outcome: PushRecord['outcome'] } | null
}

export type SubscribeResult = 'accept' | 'reject' | 'ban' | 'filter'

export interface Fault {
  /** a WeChat path such as /sns/jscode2session, or '*' for every WeChat endpoint */
  path: string
  /** how many calls to fail */
  count: number
  errcode?: number
  status?: number
  delayMs?: number
}

export interface RecordedMessage {
  kind: 'subscribe' | 'template'
  appid: string
  body: Record<string, unknown>
  msgid: string
  at: string
  /** Official Account templates: each value as the member sees it (WeChat shows at most 20 characters) */
  shown?: Record<string, string>
  /** subscribe messages: the asynchronous delivery result pushed as subscribe_msg_sent_event */
  delivery?: { errorCode: string; errorStatus: string }
}

interface IssuedToken {
  appid: string
  expiresAt: number
  /** revoked tokens answer 40001 (as after a /cgi-bin/token call retired them), expired ones 42001 */
  revoked: boolean
}

interface LoginCode {
  appid: string
  user: string
  expiresAt: number
  used: boolean
}

interface Follower {
  user: string
  openid: string
  subscribeTime: number
}

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40004: 'invalid media type',
  40013: 'invalid appid',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40125: 'invalid appsecret',
  40129: 'invalid scene',
  40163: 'code been used',
  40226: 'high risk user',
  41001: 'access_token missing',
  41030: 'invalid page',
  42001: 'access_token expired',
  43004: 'require subscribe',
  43101: 'user refuse to accept the msg',
  43104: 'appid does not match openid',
  44002: 'empty post data',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit',
  47001: 'data format error',
  47003: 'argument invalid!',
  48001: 'api unauthorized',
  61010: 'user access record expired, the user has not visited the mini program in the last 2 hours',
}

function wxError(errcode: number, detail?: string) {
  return { errcode, errmsg: `${ERRMSG[errcode] ?? 'error'}${detail ? `: ${detail}` : ''} rid: ${randomBytes(4).toString('hex')}` }
}

const OPENID_PATTERN = /^o[\w-]{20,40}$/
const SUBSCRIBE_RESULTS: readonly SubscribeResult[] = ['accept', 'reject', 'ban', 'filter']
/** WeChat: at most three template ids per requestSubscribeMessage (some docs say five; three is what holds) */
const MAX_TEMPLATES_PER_TAP = 3
const CONTENT_SUGGESTS: readonly ContentSuggest[] = ['pass', 'review', 'risky']
/** msg_sec_check v2: at most 2,500 characters of content */
const MAX_CHECKED_TEXT = 2500
/** content checks need a user who used the mini-program within the last 2 hours (else 61010) */
const RECENT_VISIT_MS = 2 * 3600_000
/** WeChat checks files up to 10 MB */
const MAX_MEDIA_BYTES = 10 * 1024 * 1024

export function originalIdOf(app: SandboxApp): string {
  return app.originalId ?? 'gh_' + createHash('sha256').update(app.appid).digest('hex').slice(0, 12)
}

export function createSandbox(options: SandboxOptions): FastifyInstance {
  const now = options.now ?? Date.now
  const tokenTtl = options.tokenTtlSeconds ?? 7200
  const codeTtl = options.codeTtlSeconds ?? 300
  const enforceConsent = options.enforceConsent ?? true
  const pushTimeoutMs = options.pushTimeoutMs ?? 5000
  const pushRetryDelayMs = options.pushRetryDelayMs ?? 200
  const pushDelayMs = options.pushDelayMs ?? 50
  const mediaCheckDelayMs = options.mediaCheckDelayMs ?? 1000
  const mediaFetchTimeoutMs = options.mediaFetchTimeoutMs ?? 10_000
  const apps = new Map(options.apps.map((a) => [a.appid, a]))
  const kindOf = (appid: string) => apps.get(appid)?.kind ?? 'miniprogram'
  const firstApp = (kind: 'miniprogram' | 'officialAccount') => options.apps.find((a) => (a.kind ?? 'miniprogram') === kind)?.appid
  const tokens = new Map<string, IssuedToken>()
  /** the stable token currently handed out per app (stable_token returns the same one until it nears expiry) */
  const stableTokens = new Map<string, string>()
  const codes = new Map<string, LoginCode>()
  const riskyUsers = new Set<string>()
  let faults: Fault[] = []
  let messages: RecordedMessage[] = []
  let calls: { path: string; at: string }[] = []
  /** template ids the sandbox accepts for subscribe messages; empty means any */
  const knownTemplates = new Set<string>(options.subscribeTemplates ?? [])

  // ---- what the users did (consent, following), keyed `${appid}\n${openid}[\n${templateId}]` ----
  /** unused accepts per app, openid and template: each pays for exactly one subscribe message */
  const consents = new Map<string, number>()
  /** templates a user switched off in the mini-program's settings: taps no longer ask, sends answer 43101 */
  const switchedOff = new Set<string>()
  /** templates WeChat banned for an app (a tap answers `ban` for them, whoever taps) */
  const bannedTemplates = new Set<string>()
  /** which app and user every openid the sandbox handed out belongs to */
  const openidOwners = new Map<string, { appid: string; user: string }>()
  const followers = new Map<string, Follower>()
  /** when each openid last used the mini-program (logged in, tapped a dialog): content checks need a recent visit */
  const lastVisits = new Map<string, number>()

  // ---- content security ----
  let contentRules: ContentRule[] = []
  let textChecks: TextCheckRecord[] = []
  let mediaChecks: MediaCheckRecord[] = []
  let holdMediaChecks = options.holdMediaChecks ?? false
  /** each media check's download, awaited before its verdict is pushed */
  const mediaFetches = new Map<string, Promise<void>>()
  /** the push record of each media check's verdict, read for its live outcome */
  const mediaPushes = new Map<string, PushRecord>()

  // ---- message push ----
  const pushConfigs = new Map<string, PushConfig>()
  let pushes: PushRecord[] = []
  let pushSeq = 0
  /** asynchronous delivery failures to report for the next successful subscribe sends, per app */
  const sentFailures = new Map<string, { errorCode: string; errorStatus: string }[]>()
  /** pushes to one app go out one after another, in the order the events happened */
  const pushChains = new Map<string, Promise<void>>()
  const inflight = new Set<Promise<void>>()
  let deliveryAbort = new AbortController()

  const key = (...parts: string[]) => parts.join('\n')
  const seconds = () => Math.floor(now() / 1000)

  function openidOf(appid: string, user: string): string {
    const openid = sandboxOpenid(appid, user)
    openidOwners.set(openid, { appid, user })
    return openid
  }

  const app = Fastify({ logger: false })

  /** Applies the first matching fault, if any. Returns true when it answered the request. */
  async function applyFault(path: string, reply: FastifyReply): Promise<boolean> {
    const fault = faults.find((f) => (f.path === path || f.path === '*') && f.count > 0)
    if (!fault) return false
    fault.count -= 1
    faults = faults.filter((f) => f.count > 0)
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs))
    if (fault.status) {
      await reply.code(fault.status).type('text/html').send('<html><body>upstream error</body></html>')
      return true
    }
    if (fault.errcode !== undefined) {
      await reply.send(wxError(fault.errcode))
      return true
    }
    return false // a pure delay: carry on with the real answer
  }

  function issueToken(appid: string): { access_token: string; expires_in: number } {
    const token = randomBytes(48).toString('base64url')
    tokens.set(token, { appid, expiresAt: now() + tokenTtl * 1000, revoked: false })
    return { access_token: token, expires_in: tokenTtl }
  }

  function checkCredentials(appid: unknown, secret: unknown) {
    const known = typeof appid === 'string' ? apps.get(appid) : undefined
    if (!known) return wxError(40013)
    if (known.secret !== secret) return wxError(40125)
    return null
  }

  /** Resolves ?access_token= to its app, or answers the WeChat error for it. */
  function checkToken(request: FastifyRequest): { appid: string } | { error: ReturnType<typeof wxError> } {
    const token = (request.query as Record<string, string | undefined>).access_token
    if (!token) return { error: wxError(41001) }
    const issued = tokens.get(token)
    if (!issued || issued.revoked) return { error: wxError(40001) }
    if (issued.expiresAt <= now()) return { error: wxError(42001) }
    return { appid: issued.appid }
  }

  /** An openid the sandbox knows to belong to another app (a mini-program openid sent to the OA, …): 40003. */
  const ownedByAnotherApp = (openid: string, appid: string) => {
    const owner = openidOwners.get(openid)
    return owner !== undefined && owner.appid !== appid
  }

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/sandbox')) calls.push({ path: request.url.split('?')[0]!, at: new Date(now()).toISOString() })
  })
  // the H5 build asks for login codes from the browser
  app.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*')
    reply.header('access-control-allow-headers', 'content-type')
  })
  app.addHook('onClose', async () => {
    deliveryAbort.abort()
  })
  app.options('/*', async (_request, reply) => reply.code(204).send())
  // the SMS provider (POST / as Tencent Cloud's API host, /sandbox/sms…)
  const sms = registerSms(app, { ...options.sms, now })

  app.get('/cgi-bin/token', async (request, reply) => {
    if (await applyFault('/cgi-bin/token', reply)) return reply
    const q = request.query as Record<string, string>
    if (q.grant_type !== 'client_credential') return wxError(40002 as number, 'invalid grant_type')
    const bad = checkCredentials(q.appid, q.secret)
    if (bad) return bad
    // like WeChat, a new /cgi-bin/token call retires the app's earlier tokens (WeChat allows a 5-minute overlap)
    const appid = q.appid as string
    for (const t of tokens.values()) if (t.appid === appid) t.revoked = true
    stableTokens.delete(appid)
    return issueToken(appid)
  })

  app.post('/cgi-bin/stable_token', async (request, reply) => {
    if (await applyFault('/cgi-bin/stable_token', reply)) return reply
    const body = (request.body ?? {}) as Record<string, unknown>
    if (body.grant_type !== 'client_credential') return wxError(40002 as number, 'invalid grant_type')
    const bad = checkCredentials(body.appid, body.secret)
    if (bad) return bad
    const appid = body.appid as string
    const current = stableTokens.get(appid)
    const issued = current ? tokens.get(current) : undefined
    // the same token until it is within 5 minutes of expiry, unless revoked or force_refresh
    if (current && issued && !issued.revoked && !body.force_refresh && issued.expiresAt - now() > 300_000) {
      return { access_token: current, expires_in: Math.floor((issued.expiresAt - now()) / 1000) }
    }
    if (issued && body.force_refresh) issued.revoked = true
    const fresh = issueToken(appid)
    stableTokens.set(appid, fresh.access_token)
    return fresh
  })

  app.get('/sns/jscode2session', async (request, reply) => {
    if (await applyFault('/sns/jscode2session', reply)) return reply
    const q = request.query as Record<string, string>
    const bad = checkCredentials(q.appid, q.secret)
    if (bad) return bad
    if (q.grant_type !== 'authorization_code') return wxError(40002 as number, 'invalid grant_type')
    const code = q.js_code ? codes.get(q.js_code) : undefined
    if (!code || code.appid !== q.appid || code.expiresAt <= now()) return wxError(40029)
    if (code.used) return wxError(40163)
    code.used = true
    if (riskyUsers.has(code.user)) return wxError(40226)
    const openid = openidOf(code.appid, code.user)
    lastVisits.set(openid, now())
    return {
      openid,
      session_key: randomBytes(16).toString('base64'),
      unionid: sandboxUnionid(code.user),
    }
  })

  app.post('/cgi-bin/message/subscribe/send', async (request, reply) => {
    if (await applyFault('/cgi-bin/message/subscribe/send', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    // an Official Account sends its subscribe notifications through /cgi-bin/message/subscribe/bizsend
    if (kindOf(auth.appid) !== 'miniprogram') return wxError(48001)
    const body = (request.body ?? {}) as Record<string, unknown>
    if (typeof body.touser !== 'string' || !OPENID_PATTERN.test(body.touser) || ownedByAnotherApp(body.touser, auth.appid)) {
      return wxError(40003)
    }
    if (typeof body.template_id !== 'string' || (knownTemplates.size > 0 && !knownTemplates.has(body.template_id))) {
      return wxError(40037)
    }
    const data = body.data as Record<string, { value?: unknown }> | undefined
    if (!data || typeof data !== 'object') return wxError(47003, 'data')
    for (const [field, entry] of Object.entries(data)) {
      const value = entry?.value
      if (typeof value !== 'string' || value.includes('\n') || !subscribeValueFits(field, value)) {
        return wxError(47003, `argument invalid! data.${field}.value`)
      }
    }
    // consent: one unused accept of this template by this user pays for this message; only a success consumes it
    const consentKey = key(auth.appid, body.touser, body.template_id)
    if (enforceConsent) {
      const usable = !bannedTemplates.has(key(auth.appid, body.template_id)) && !switchedOff.has(consentKey)
      if (!usable || (consents.get(consentKey) ?? 0) < 1) return wxError(43101)
      const left = consents.get(consentKey)! - 1
      if (left > 0) consents.set(consentKey, left)
      else consents.delete(consentKey)
    }
    const failure = sentFailures.get(auth.appid)?.shift()
    const delivery = failure ?? { errorCode: '0', errorStatus: 'success' }
    const msgid = record('subscribe', auth.appid, body, { delivery })
    // WeChat delivers the message afterwards and reports the outcome through message push
    const touser = body.touser
    const templateId = body.template_id
    queuePush(auth.appid, touser, 'subscribe_msg_sent_event', (format, head) =>
      subscribeEventBody({ format, createTimeAsString: pushConfigs.get(auth.appid)?.createTimeAsString }, head, 'subscribe_msg_sent_event', [
        { TemplateId: templateId, MsgID: msgid, ErrorCode: delivery.errorCode, ErrorStatus: delivery.errorStatus },
      ]),
    )
    return sendMsgid(reply, msgid)
  })

  app.post('/cgi-bin/message/template/send', async (request, reply) => {
    if (await applyFault('/cgi-bin/message/template/send', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    // template messages are an Official Account's; a mini-program's token is not authorised for them
    if (kindOf(auth.appid) !== 'officialAccount') return wxError(48001)
    const body = (request.body ?? {}) as Record<string, unknown>
    if (typeof body.touser !== 'string' || body.touser.length < 20 || ownedByAnotherApp(body.touser, auth.appid)) {
      return wxError(40003)
    }
    if (typeof body.template_id !== 'string' || body.template_id.length === 0) return wxError(40037)
    if (!followers.has(key(auth.appid, body.touser))) return wxError(43004)
    // since May 2023 each value shows at most 20 characters; WeChat sends longer values and cuts them on display
    const shown: Record<string, string> = {}
    const data = body.data as Record<string, { value?: unknown }> | undefined
    for (const [field, entry] of Object.entries(data ?? {})) {
      const chars = [...String(entry?.value ?? '')]
      shown[field] = chars.length > 20 ? chars.slice(0, 20).join('') + '…' : chars.join('')
    }
    return sendMsgid(reply, record('template', auth.appid, body, { shown }))
  })

  app.get('/cgi-bin/user/info', async (request, reply) => {
    if (await applyFault('/cgi-bin/user/info', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    if (kindOf(auth.appid) !== 'officialAccount') return wxError(48001)
    const q = request.query as Record<string, string | undefined>
    const openid = q.openid
    if (!openid || !OPENID_PATTERN.test(openid) || ownedByAnotherApp(openid, auth.appid)) return wxError(40003)
    const follower = followers.get(key(auth.appid, openid))
    // a non-follower: WeChat tells nothing more (no unionid), whatever it knew before the unfollow
    if (!follower) return { subscribe: 0, openid }
    // since December 2021 nickname and headimgurl are no longer returned
    return {
      subscribe: 1,
      openid,
      language: q.lang ?? 'zh_CN',
      subscribe_time: follower.subscribeTime,
      unionid: sandboxUnionid(follower.user),
      remark: '',
      groupid: 0,
      tagid_list: [],
      subscribe_scene: 'ADD_SCENE_SEARCH',
      qr_scene: 0,
      qr_scene_str: '',
    }
  })

  app.post('/wxa/business/getuserphonenumber', async (request, reply) => {
    if (await applyFault('/wxa/business/getuserphonenumber', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    const body = (request.body ?? {}) as Record<string, unknown>
    const match = typeof body.code === 'string' ? /^phone-(\d{11})$/.exec(body.code) : null
    if (!match) return wxError(40029)
    const phone = match[1]!
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86', watermark: { timestamp: Math.floor(now() / 1000), appid: auth.appid } },
    }
  })

  // ---- content security (v2): msg_sec_check answers at once; media_check_async answers a trace_id, the verdict is pushed ----

  /**
   * What both content-security calls require, checked as WeChat answers it: version 2 (else 47001, WeChat's answer to
   * a body without the v2 fields), an openid of this app (40003 malformed, 43104 another app's) that used the
   * mini-program within 2 hours (61010; an openid the sandbox never saw counts as recent: it may have restarted since
   * the visit), a scene 1–4 (40129).
   */
  function checkSecurityCaller(appid: string, body: Record<string, unknown>): { openid: string; scene: number } | { error: ReturnType<typeof wxError> } {
    if (body.version !== 2 && body.version !== '2') return { error: wxError(47001, 'version must be 2') }
    const { openid } = body
    const scene = typeof body.scene === 'number' || (typeof body.scene === 'string' && /^\d+$/.test(body.scene)) ? Number(body.scene) : undefined
    if (typeof openid !== 'string' || scene === undefined) return { error: wxError(47001, 'openid and scene are required') }
    if (!OPENID_PATTERN.test(openid)) return { error: wxError(40003) }
    if (ownedByAnotherApp(openid, appid)) return { error: wxError(43104) }
    const visited = lastVisits.get(openid)
    if (visited !== undefined && now() - visited > RECENT_VISIT_MS) return { error: wxError(61010) }
    if (![1, 2, 3, 4].includes(scene)) return { error: wxError(40129) }
    return { openid, scene }
  }

  /** The newest rule of that kind whose `contains` is in the text decides; none → pass, label 100. */
  function verdictFor(kind: ContentRule['kind'], text: string): { suggest: ContentSuggest; label: number; keyword?: string } {
    const rule = [...contentRules].reverse().find((r) => r.kind === kind && text.includes(r.contains))
    if (!rule) return { suggest: 'pass', label: 100 }
    return { suggest: rule.suggest, label: rule.label ?? defaultLabel(rule.suggest), keyword: rule.contains || undefined }
  }

  /** WeChat's trace ids look like 60ae120f-371d5872-7941a05b: the time in hex, then two random parts. */
  const newTraceId = () => [seconds().toString(16).padStart(8, '0'), randomBytes(4).toString('hex'), randomBytes(4).toString('hex')].join('-')

  app.post('/wxa/msg_sec_check', async (request, reply) => {
    if (await applyFault('/wxa/msg_sec_check', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    if (kindOf(auth.appid) !== 'miniprogram') return wxError(48001)
    const body = (request.body ?? {}) as Record<string, unknown>
    const caller = checkSecurityCaller(auth.appid, body)
    if ('error' in caller) return caller.error
    const { content, title, nickname, signature } = body
    if (typeof content !== 'string') return wxError(47001, 'content is required')
    if (content.length === 0) return wxError(44002)
    if ([...content].length > MAX_CHECKED_TEXT) return wxError(47001, `content exceeds ${MAX_CHECKED_TEXT} characters`)
    for (const [name, value] of Object.entries({ title, nickname, signature })) {
      if (value !== undefined && typeof value !== 'string') return wxError(47001, `${name} must be a string`)
    }
    // WeChat checks every text it is given: the title, nickname and signature as well as the content
    const texts = [content, title, nickname, signature].filter((t): t is string => typeof t === 'string')
    const verdict = verdictFor('text', texts.join('\n'))
    const traceId = newTraceId()
    textChecks.push({
      traceId,
      appid: auth.appid,
      openid: caller.openid,
      scene: caller.scene,
      content,
      title: title as string | undefined,
      nickname: nickname as string | undefined,
      signature: signature as string | undefined,
      suggest: verdict.suggest,
      label: verdict.label,
      at: new Date(now()).toISOString(),
    })
    return {
      errcode: 0,
      errmsg: 'ok',
      result: { suggest: verdict.suggest, label: verdict.label },
      detail: [
        { strategy: 'content_model', errcode: 0, suggest: verdict.suggest, label: verdict.label, prob: 90 },
        // the keyword strategy names what it found; with nothing found it reports only its errcode
        verdict.keyword && verdict.suggest !== 'pass'
          ? { strategy: 'keyword', errcode: 0, suggest: verdict.suggest, label: verdict.label, level: 20, keyword: verdict.keyword }
          : { strategy: 'keyword', errcode: 0 },
      ],
      trace_id: traceId,
    }
  })

  app.post('/wxa/media_check_async', async (request, reply) => {
    if (await applyFault('/wxa/media_check_async', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    if (kindOf(auth.appid) !== 'miniprogram') return wxError(48001)
    const body = (request.body ?? {}) as Record<string, unknown>
    const caller = checkSecurityCaller(auth.appid, body)
    if ('error' in caller) return caller.error
    const mediaUrl = body.media_url
    if (typeof mediaUrl !== 'string') return wxError(47001, 'media_url is required')
    if (mediaUrl.trim().length === 0) return wxError(44002)
    const mediaType = Number(body.media_type)
    if (mediaType !== 1 && mediaType !== 2) return wxError(40004)
    const { suggest, label } = verdictFor('media', mediaUrl)
    const check: MediaCheckRecord = {
      traceId: newTraceId(),
      appid: auth.appid,
      openid: caller.openid,
      mediaUrl,
      mediaType,
      scene: caller.scene,
      at: new Date(now()).toISOString(),
      fetch: null,
      verdict: { suggest, label },
      state: holdMediaChecks ? 'held' : 'scheduled',
      push: null,
    }
    mediaChecks.push(check)
    startMediaCheck(check)
    return { errcode: 0, errmsg: 'ok', trace_id: check.traceId }
  })

  /** WeChat's side of a media check: download the file, then (unless held) push the verdict a little later. */
  function startMediaCheck(check: MediaCheckRecord) {
    const signal = deliveryAbort.signal
    const fetched = fetchMedia(check.mediaUrl, signal).then((result) => {
      check.fetch = result
    })
    mediaFetches.set(check.traceId, fetched)
    track(
      fetched
        .then(async () => {
          if (check.state !== 'scheduled') return
          await sleep(mediaCheckDelayMs, undefined, { signal })
          if (check.state === 'scheduled') pushVerdict(check)
        })
        .catch(() => undefined), // stopped by /sandbox/reset or close
    )
  }

  /** WeChat downloads the file to check it: what it got (status, size, type), or why it could not. */
  async function fetchMedia(url: string, signal: AbortSignal): Promise<MediaFetch> {
    const started = Date.now()
    try {
      const response = await fetch(url, { headers: { 'user-agent': 'Mozilla/4.0' }, signal: AbortSignal.any([signal, AbortSignal.timeout(mediaFetchTimeoutMs)]) })
      const contentType = response.headers.get('content-type') ?? undefined
      let bytes = 0
      const reader = response.body?.getReader()
      for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
        bytes += chunk.value.byteLength
        if (bytes > MAX_MEDIA_BYTES) {
          await reader!.cancel()
          return { ok: false, status: response.status, bytes, contentType, error: 'larger than 10 MB', durationMs: Date.now() - started }
        }
      }
      const ok = response.status >= 200 && response.status < 300 && bytes > 0
      return { ok, status: response.status, bytes, contentType, durationMs: Date.now() - started }
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError'
      // fetch hides why it failed (refused, unknown host) in its cause
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      const reason = timedOut ? `no answer within ${mediaFetchTimeoutMs} ms` : `${String(error)}${cause ? ` (${cause.code ?? cause.message})` : ''}`
      return { ok: false, error: reason, durationMs: Date.now() - started }
    }
  }

  /** Pushes a media check's verdict as wxa_media_check (recorded as not-configured when the app has no push URL). */
  function pushVerdict(check: MediaCheckRecord): PushRecord {
    check.state = 'pushed'
    const { suggest, label } = check.verdict
    const pushed = queuePush(check.appid, check.openid, 'wxa_media_check', (format, head) =>
      mediaCheckEventBody({ format, createTimeAsString: pushConfigs.get(check.appid)?.createTimeAsString }, head, {
        appid: check.appid,
        traceId: check.traceId,
        suggest,
        label,
        detail: [{ strategy: 'content_model', errcode: 0, suggest, label, prob: 90 }],
      }),
    )
    mediaPushes.set(check.traceId, pushed)
    return pushed
  }

  /** A media check as the control API shows it: its push with the outcome it has now. */
  function mediaCheckView(check: MediaCheckRecord): MediaCheckRecord {
    const pushed = mediaPushes.get(check.traceId)
    return { ...check, push: pushed ? { id: pushed.id, outcome: pushed.outcome } : null }
  }

  /** Records a message and answers its msgid, an integer above 2^53. */
  function record(kind: RecordedMessage['kind'], appid: string, body: Record<string, unknown>, extra: Partial<RecordedMessage> = {}): string {
    const msgid = (2n ** 53n + BigInt(randomInt(1, 2 ** 40))).toString()
    messages.push({ kind, appid, body, msgid, at: new Date(now()).toISOString(), ...extra })
    return msgid
  }

  /** WeChat writes msgid as a bare JSON number (above 2^53: JSON.parse loses digits). */
  function sendMsgid(reply: FastifyReply, msgid: string) {
    return reply.type('application/json').send(`{"errcode":0,"errmsg":"ok","msgid":${msgid}}`)
  }

  // ---- message push: delivery ----

  type EventBuilder = (format: PushFormat, head: { ToUserName: string; FromUserName: string; CreateTime: number }) => {
    text: string
    message: Record<string, unknown>
  }

  /** Queues an event for the app's push URL, as WeChat does after the fact; not configured → recorded, nothing sent. */
  function queuePush(appid: string, openid: string, event: string, build: EventBuilder): PushRecord {
    const config = pushConfigs.get(appid)
    const head = { ToUserName: originalIdOf(apps.get(appid)!), FromUserName: openid, CreateTime: seconds() }
    const built = build(config?.format ?? (kindOf(appid) === 'officialAccount' ? 'xml' : 'json'), head)
    const pushRecord: PushRecord = {
      id: ++pushSeq,
      appid,
      event,
      openid,
      at: new Date(now()).toISOString(),
      message: built.message,
      plaintext: built.text,
      attempts: [],
      outcome: !config ? 'not-configured' : config.verified ? 'pending' : 'not-verified',
    }
    pushes.push(pushRecord)
    if (config?.verified) schedule(appid, pushRecord, config)
    return pushRecord
  }

  function schedule(appid: string, pushRecord: PushRecord, config: PushConfig) {
    const signal = deliveryAbort.signal
    const run = (pushChains.get(appid) ?? Promise.resolve())
      .then(() => new Promise((r) => setTimeout(r, pushDelayMs)))
      .then(() => deliver(pushRecord, config, signal))
      .catch(() => undefined)
    pushChains.set(appid, run)
    inflight.add(run)
    void run.finally(() => inflight.delete(run))
  }

  /** One push with WeChat's retries: not answered 2xx with `success` or an empty body within the timeout → 3 more tries. */
  async function deliver(pushRecord: PushRecord, config: PushConfig, signal: AbortSignal) {
    const extraQuery: Record<string, string> = kindOf(config.appid) === 'officialAccount' ? { openid: pushRecord.openid } : {}
    const request = signedPushRequest(config, originalIdOf(apps.get(config.appid)!), pushRecord.plaintext!, seconds(), extraQuery)
    Object.assign(pushRecord, { url: config.url, format: config.format, mode: config.mode, request })
    for (let attempt = 0; attempt < 4; attempt++) {
      if (signal.aborted) break
      if (attempt > 0 && pushRetryDelayMs > 0) await new Promise((r) => setTimeout(r, pushRetryDelayMs))
      const result = await post(withQuery(config.url, request.query), request.contentType, request.body, signal)
      pushRecord.attempts.push(result)
      if (result.ok) {
        pushRecord.outcome = 'delivered'
        return
      }
    }
    pushRecord.outcome = 'failed'
  }

  async function post(url: string, contentType: string, body: string, signal: AbortSignal): Promise<PushAttempt> {
    const started = Date.now()
    const at = new Date(now()).toISOString()
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': contentType, 'user-agent': 'Mozilla/4.0' },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(pushTimeoutMs)]),
      })
      const text = await response.text()
      const ok = response.status >= 200 && response.status < 300 && (text === 'success' || text === '')
      return { at, status: response.status, body: text.slice(0, 2000), durationMs: Date.now() - started, ok }
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
      return { at, error: timedOut ? `no answer within ${pushTimeoutMs} ms` : String(error), durationMs: Date.now() - started, ok: false }
    }
  }

  /** Work WeChat does after answering (downloads, verdicts, pushes): `wait=1` on the control API waits for it. */
  function track(work: Promise<unknown>) {
    const done = work.then(() => undefined)
    inflight.add(done)
    void done.finally(() => inflight.delete(done))
  }

  async function settle() {
    while (inflight.size > 0) await Promise.all([...inflight])
  }

  // ---- the control API ----

  app.get('/sandbox/code', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>
    const user = q.user?.trim()
    if (!user || user.length > 64) return reply.code(400).send({ error: 'user is required (1–64 characters)' })
    const appid = q.appid ?? options.apps[0]!.appid
    if (!apps.has(appid)) return reply.code(400).send({ error: `unknown appid ${appid}` })
    const code = randomBytes(16).toString('hex')
    codes.set(code, { appid, user, expiresAt: now() + codeTtl * 1000, used: false })
    return { code }
  })

  /** Resolves {user, appid} of a control call to an app of that kind; answers the problem as a string. */
  function userAndApp(raw: { user?: unknown; appid?: unknown }, kind: 'miniprogram' | 'officialAccount'): { user: string; appid: string } | string {
    const user = typeof raw.user === 'string' ? raw.user.trim() : ''
    if (!user || user.length > 64) return 'user is required (1–64 characters)'
    const appid = raw.appid === undefined ? firstApp(kind) : raw.appid
    if (typeof appid !== 'string' || !apps.has(appid)) return `unknown appid ${String(appid)}`
    if (kindOf(appid) !== kind) return `${appid} is not ${kind === 'miniprogram' ? 'a mini-program' : 'an Official Account'}`
    return { user, appid }
  }

  /** the user's unused accepts: of the given templates (0 included), or every template with some left */
  const balancesOf = (appid: string, openid: string, templateIds?: string[]) => {
    if (templateIds) return Object.fromEntries(templateIds.map((id) => [id, consents.get(key(appid, openid, id)) ?? 0]))
    const out: Record<string, number> = {}
    const prefix = key(appid, openid, '')
    for (const [k, n] of consents) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = n
    return out
  }

  /**
   * The user's answer to wx.requestSubscribeMessage, as WeChat records it: +1 unused send per `accept` (they
   * accumulate); `reject` and `filter` add nothing; `ban` means WeChat banned the template for this app: nothing is
   * added, and every later tap answers `ban` for it. A template the user switched off in settings is not asked again
   * (answers `reject`, no popup event). Pushes subscribe_msg_popup_event with the accept/reject items.
   */
  app.post('/sandbox/subscribe', async (request, reply) => {
    const raw = (request.body ?? {}) as { user?: unknown; appid?: unknown; results?: unknown }
    const who = userAndApp(raw, 'miniprogram')
    if (typeof who === 'string') return reply.code(400).send({ error: who })
    const results = raw.results
    if (!results || typeof results !== 'object' || Array.isArray(results)) {
      return reply.code(400).send({ error: 'results must be an object {<templateId>: "accept" | "reject" | "ban" | "filter"}' })
    }
    const entries = Object.entries(results as Record<string, unknown>)
    if (entries.length === 0 || entries.length > MAX_TEMPLATES_PER_TAP) {
      return reply.code(400).send({ errCode: 10002, error: `requestSubscribeMessage:fail a tap asks for 1 to ${MAX_TEMPLATES_PER_TAP} template ids, got ${entries.length}` })
    }
    for (const [id, result] of entries) {
      if (!SUBSCRIBE_RESULTS.includes(result as SubscribeResult)) return reply.code(400).send({ error: `results.${id} must be one of ${SUBSCRIBE_RESULTS.join(', ')}` })
    }
    const unknown = entries.filter(([id]) => knownTemplates.size > 0 && !knownTemplates.has(id)).map(([id]) => id)
    if (unknown.length > 0) {
      return reply.code(400).send({ errCode: 20001, error: `requestSubscribeMessage:fail No template data return, verify the template id exist: ${unknown.join(', ')}` })
    }
    const { user, appid } = who
    const openid = openidOf(appid, user)
    lastVisits.set(openid, now())
    const answered: Record<string, SubscribeResult> = {}
    const popup: Record<string, string>[] = []
    for (const [id, asked] of entries as [string, SubscribeResult][]) {
      const k = key(appid, openid, id)
      if (asked === 'ban' && !bannedTemplates.has(key(appid, id))) {
        // a banned template sends nothing any more: the accepts left for it are worth nothing
        bannedTemplates.add(key(appid, id))
        for (const k of [...consents.keys()]) if (k.startsWith(key(appid, '')) && k.endsWith(key('', id))) consents.delete(k)
      }
      if (bannedTemplates.has(key(appid, id))) {
        answered[id] = 'ban'
        continue
      }
      if (switchedOff.has(k)) {
        answered[id] = 'reject' // not shown in the dialog: the user chose "reject" in settings
        continue
      }
      answered[id] = asked
      if (asked === 'accept') consents.set(k, (consents.get(k) ?? 0) + 1)
      if (asked === 'accept' || asked === 'reject') popup.push({ TemplateId: id, SubscribeStatusString: asked, PopupScene: '0' })
    }
    const pushed =
      popup.length > 0
        ? queuePush(appid, openid, 'subscribe_msg_popup_event', (format, head) =>
            subscribeEventBody({ format, createTimeAsString: pushConfigs.get(appid)?.createTimeAsString }, head, 'subscribe_msg_popup_event', popup),
          )
        : null
    return {
      openid,
      appid,
      result: { errMsg: 'requestSubscribeMessage:ok', ...answered },
      balances: balancesOf(appid, openid, Object.keys(answered)),
      push: pushed ? { id: pushed.id, outcome: pushed.outcome } : null,
    }
  })

  /** The user switched templates off in the mini-program's settings (or back on with status "accept"). */
  app.post('/sandbox/subscribe/change', async (request, reply) => {
    const raw = (request.body ?? {}) as { user?: unknown; appid?: unknown; templateIds?: unknown; status?: unknown }
    const who = userAndApp(raw, 'miniprogram')
    if (typeof who === 'string') return reply.code(400).send({ error: who })
    const ids = raw.templateIds
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id.length > 0)) {
      return reply.code(400).send({ error: 'templateIds must be a non-empty array of template ids' })
    }
    const status = raw.status ?? 'reject'
    if (status !== 'reject' && status !== 'accept') return reply.code(400).send({ error: 'status must be "reject" (default) or "accept"' })
    const { user, appid } = who
    const openid = openidOf(appid, user)
    if (status === 'accept') {
      // switching back on grants no message, and WeChat pushes only rejections
      for (const id of ids as string[]) switchedOff.delete(key(appid, openid, id))
      return { openid, appid, balances: balancesOf(appid, openid, ids as string[]), push: null }
    }
    for (const id of ids as string[]) {
      switchedOff.add(key(appid, openid, id))
      consents.delete(key(appid, openid, id))
    }
    const items = (ids as string[]).map((id) => ({ TemplateId: id, SubscribeStatusString: 'reject' }))
    const pushed = queuePush(appid, openid, 'subscribe_msg_change_event', (format, head) =>
      subscribeEventBody({ format, createTimeAsString: pushConfigs.get(appid)?.createTimeAsString }, head, 'subscribe_msg_change_event', items),
    )
    return { openid, appid, balances: balancesOf(appid, openid, ids as string[]), push: { id: pushed.id, outcome: pushed.outcome } }
  })

  app.get('/sandbox/subscriptions', async (request, reply) => {
    const who = userAndApp(request.query as Record<string, string>, 'miniprogram')
    if (typeof who === 'string') return reply.code(400).send({ error: who })
    const openid = openidOf(who.appid, who.user)
    const prefix = key(who.appid, openid, '')
    return {
      user: who.user,
      appid: who.appid,
      openid,
      balances: balancesOf(who.appid, openid),
      switchedOff: [...switchedOff].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
      banned: [...bannedTemplates].filter((k) => k.startsWith(key(who.appid, ''))).map((k) => k.slice(who.appid.length + 1)),
    }
  })

  function followRoute(follow: boolean) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const who = userAndApp((request.body ?? {}) as Record<string, unknown>, 'officialAccount')
      if (typeof who === 'string') return reply.code(400).send({ error: who })
      const openid = openidOf(who.appid, who.user)
      const k = key(who.appid, openid)
      const changed = follow !== followers.has(k)
      if (!changed) return { openid, appid: who.appid, following: follow, changed, push: null }
      if (follow) followers.set(k, { user: who.user, openid, subscribeTime: seconds() })
      else followers.delete(k)
      const event = follow ? 'subscribe' : 'unsubscribe'
      const pushed = queuePush(who.appid, openid, event, (_format, head) => {
        const message = { ...head, MsgType: 'event', Event: event }
        return { text: toXml(message), message }
      })
      return { openid, appid: who.appid, following: follow, changed, push: { id: pushed.id, outcome: pushed.outcome } }
    }
  }
  app.post('/sandbox/oa/follow', followRoute(true))
  app.post('/sandbox/oa/unfollow', followRoute(false))
  app.get('/sandbox/oa/followers', async (request) => {
    const appid = (request.query as Record<string, string | undefined>).appid ?? firstApp('officialAccount')
    return { followers: [...followers.entries()].filter(([k]) => appid === undefined || k.startsWith(key(appid, ''))).map(([, f]) => f) }
  })

  /**
   * Registers the push URL of an app ("消息推送" in the member-center server's settings). Like WeChat, a URL gets
   * pushes only once it passed the GET verification: pass `verify: true` to verify while saving (refused when it does
   * not pass, as WeChat's settings page refuses to save), or call /sandbox/push/handshake afterwards.
   */
  app.post('/sandbox/push/config', async (request, reply) => {
    const raw = (request.body ?? {}) as Partial<PushConfig> & { verify?: boolean }
    if (typeof raw.appid !== 'string' || !apps.has(raw.appid)) return reply.code(400).send({ error: `unknown appid ${String(raw.appid)}` })
    const problem = checkPushConfig(raw, kindOf(raw.appid))
    if (problem) return reply.code(400).send({ error: problem })
    const config: PushConfig = {
      appid: raw.appid,
      url: raw.url!,
      token: raw.token!,
      encodingAESKey: raw.encodingAESKey,
      mode: raw.mode!,
      format: raw.format!,
      createTimeAsString: raw.createTimeAsString === true,
      verified: false,
    }
    if (raw.verify) {
      const check = await handshake(config)
      if (!check.passed) return reply.code(400).send({ error: 'the URL did not pass the verification (token check), not saved', handshake: check })
      config.verified = true
    }
    pushConfigs.set(config.appid, config)
    return { config }
  })

  /** WeChat's GET verification of a push URL: signature over token, timestamp, nonce; echostr must come back. */
  async function handshake(config: PushConfig) {
    const timestamp = String(seconds())
    const n = nonce()
    const echostr = String(randomInt(1, 2 ** 47)) + String(randomInt(1_000_000, 9_999_999))
    const query = { signature: sha1([config.token, timestamp, n]), echostr, timestamp, nonce: n }
    const started = Date.now()
    try {
      const response = await fetch(withQuery(config.url, query), {
        headers: { 'user-agent': 'Mozilla/4.0' },
        signal: AbortSignal.any([deliveryAbort.signal, AbortSignal.timeout(pushTimeoutMs)]),
      })
      const body = await response.text()
      const passed = response.status >= 200 && response.status < 300 && body === echostr
      return { passed, status: response.status, body: body.slice(0, 2000), echostr, query, durationMs: Date.now() - started }
    } catch (error) {
      return { passed: false, error: String(error), echostr, query, durationMs: Date.now() - started }
    }
  }

  app.post('/sandbox/push/handshake', async (request, reply) => {
    const { appid } = (request.body ?? {}) as { appid?: string }
    const config = appid ? pushConfigs.get(appid) : undefined
    if (!config) return reply.code(400).send({ error: `no push configuration for ${String(appid)}` })
    const check = await handshake(config)
    config.verified = check.passed
    return check
  })

  /** The next `count` successful subscribe sends of an app report a failed delivery (subscribe_msg_sent_event). */
  app.post('/sandbox/push/sent-failure', async (request, reply) => {
    const raw = (request.body ?? {}) as { appid?: string; count?: number; errorCode?: string; errorStatus?: string }
    const appid = raw.appid ?? firstApp('miniprogram')
    if (!appid || !apps.has(appid)) return reply.code(400).send({ error: `unknown appid ${String(appid)}` })
    const count = raw.count ?? 1
    if (!Number.isInteger(count) || count < 1) return reply.code(400).send({ error: 'count must be an integer ≥ 1' })
    const queue = sentFailures.get(appid) ?? []
    for (let i = 0; i < count; i++) queue.push({ errorCode: String(raw.errorCode ?? '10005'), errorStatus: raw.errorStatus ?? 'fail_user_refuse' })
    sentFailures.set(appid, queue)
    return { pending: queue }
  })

  /** Sends the app's last push again (new timestamp, nonce and encryption; the same event, CreateTime included). */
  app.post('/sandbox/push/replay', async (request, reply) => {
    const { appid } = (request.body ?? {}) as { appid?: string }
    const config = appid ? pushConfigs.get(appid) : undefined
    if (!config?.verified) return reply.code(400).send({ error: `no verified push configuration for ${String(appid)}` })
    const last = pushes.filter((p) => p.appid === appid && p.outcome !== 'not-configured' && p.outcome !== 'not-verified').at(-1)
    if (!last) return reply.code(404).send({ error: `nothing was pushed to ${appid} yet` })
    if (last.format && last.format !== config.format) return reply.code(409).send({ error: 'the push format changed since; nothing to replay' })
    const again: PushRecord = { ...last, id: ++pushSeq, at: new Date(now()).toISOString(), attempts: [], outcome: 'pending', replayOf: last.id, request: undefined }
    pushes.push(again)
    schedule(config.appid, again, config)
    return { push: { id: again.id, outcome: again.outcome, replayOf: last.id } }
  })

  /** What was pushed and how the receiver answered; `wait=1` first lets every delivery under way finish. */
  app.get('/sandbox/pushes', async (request) => {
    const q = request.query as Record<string, string | undefined>
    if (q.wait === '1' || q.wait === 'true') await settle()
    return { pushes: q.appid ? pushes.filter((p) => p.appid === q.appid) : pushes }
  })

  /** Verdicts the content checks give from now on: appended (the newest matching rule wins), or `replace: true`. */
  app.post('/sandbox/content-checks', async (request, reply) => {
    const raw = (request.body ?? {}) as { rules?: unknown; replace?: unknown }
    const rules = parseContentRules(raw.rules)
    if (typeof rules === 'string') return reply.code(400).send({ error: rules })
    if (raw.replace !== undefined && typeof raw.replace !== 'boolean') return reply.code(400).send({ error: 'replace must be a boolean' })
    contentRules = raw.replace ? rules : [...contentRules, ...rules]
    return { rules: contentRules }
  })

  /** The rules, and every msg_sec_check call with the verdict it got. */
  app.get('/sandbox/content-checks', async () => ({ rules: contentRules, textChecks }))

  /** Every media_check_async call: download, verdict, state, push outcome; `wait=1` first lets work under way finish. */
  app.get('/sandbox/media-checks', async (request) => {
    const q = request.query as Record<string, string | undefined>
    if (q.wait === '1' || q.wait === 'true') await settle()
    return { hold: holdMediaChecks, mediaChecks: mediaChecks.map(mediaCheckView) }
  })

  /** Holds the verdicts of later media checks until released (true), or lets them be pushed by themselves (false). */
  app.post('/sandbox/media-checks/hold', async (request, reply) => {
    const { hold } = (request.body ?? {}) as { hold?: unknown }
    if (typeof hold !== 'boolean') return reply.code(400).send({ error: 'hold must be a boolean' })
    holdMediaChecks = hold
    return { hold }
  })

  /**
   * Pushes held verdicts: every held check, or those of `traceIds` (409 when one is not held); `suggest` (and
   * `label`) replace the verdict the rules gave. A check's download finishes before its verdict goes out.
   */
  app.post('/sandbox/media-checks/release', async (request, reply) => {
    const raw = (request.body ?? {}) as { traceIds?: unknown; suggest?: unknown; label?: unknown }
    const { traceIds } = raw
    if (traceIds !== undefined && !(Array.isArray(traceIds) && traceIds.every((id) => typeof id === 'string'))) {
      return reply.code(400).send({ error: 'traceIds must be an array of trace ids' })
    }
    if (raw.suggest !== undefined && !CONTENT_SUGGESTS.includes(raw.suggest as ContentSuggest)) {
      return reply.code(400).send({ error: `suggest must be one of ${CONTENT_SUGGESTS.join(', ')}` })
    }
    if (raw.label !== undefined && (raw.suggest === undefined || !isLabel(raw.label))) {
      return reply.code(400).send({ error: 'label must be an integer 0–99999, given with suggest' })
    }
    const held = mediaChecks.filter((c) => c.state === 'held')
    if (traceIds) {
      const notHeld = (traceIds as string[]).filter((id) => !held.some((c) => c.traceId === id))
      if (notHeld.length > 0) return reply.code(409).send({ error: `not held: ${notHeld.join(', ')}` })
    }
    const chosen = traceIds ? held.filter((c) => (traceIds as string[]).includes(c.traceId)) : held
    const released: { traceId: string; verdict: MediaCheckRecord['verdict']; push: { id: number; outcome: PushRecord['outcome'] } }[] = []
    for (const check of chosen) {
      await mediaFetches.get(check.traceId)
      if (check.state !== 'held') continue // released meanwhile by another call
      if (raw.suggest !== undefined) {
        const suggest = raw.suggest as ContentSuggest
        check.verdict = { suggest, label: (raw.label as number | undefined) ?? defaultLabel(suggest) }
      }
      const pushed = pushVerdict(check)
      released.push({ traceId: check.traceId, verdict: check.verdict, push: { id: pushed.id, outcome: pushed.outcome } })
    }
    return { released }
  })

  app.post('/sandbox/faults', async (request, reply) => {
    const f = request.body as Partial<Fault>
    if (!f || typeof f.path !== 'string' || !Number.isInteger(f.count) || (f.count ?? 0) < 1) {
      return reply.code(400).send({ error: 'a fault needs path and count ≥ 1, and errcode, status or delayMs' })
    }
    faults.push({ path: f.path, count: f.count!, errcode: f.errcode, status: f.status, delayMs: f.delayMs })
    return { faults }
  })

  /** Expires (42001) or revokes (40001) every access token issued so far, as if time or another caller moved on. */
  app.post('/sandbox/tokens/expire', async () => {
    for (const t of tokens.values()) t.expiresAt = now()
    return { expired: tokens.size }
  })
  app.post('/sandbox/tokens/revoke', async () => {
    for (const t of tokens.values()) t.revoked = true
    return { revoked: tokens.size }
  })

  app.post('/sandbox/risky-users', async (request) => {
    const { user } = request.body as { user: string }
    riskyUsers.add(user)
    return { riskyUsers: [...riskyUsers] }
  })

  app.post('/sandbox/templates', async (request) => {
    const { templateIds } = request.body as { templateIds: string[] }
    for (const id of templateIds) knownTemplates.add(id)
    return { templateIds: [...knownTemplates] }
  })

  app.get('/sandbox/messages', async () => ({ messages }))
  app.get('/sandbox/calls', async () => ({ calls }))

  app.post('/sandbox/reset', async () => {
    faults = []
    messages = []
    calls = []
    riskyUsers.clear()
    knownTemplates.clear()
    for (const id of options.subscribeTemplates ?? []) knownTemplates.add(id)
    consents.clear()
    switchedOff.clear()
    bannedTemplates.clear()
    followers.clear()
    lastVisits.clear()
    contentRules = []
    textChecks = []
    mediaChecks = []
    mediaFetches.clear()
    mediaPushes.clear()
    holdMediaChecks = options.holdMediaChecks ?? false
    pushConfigs.clear()
    sentFailures.clear()
    // deliveries under way stop; their records go with the rest
    deliveryAbort.abort()
    deliveryAbort = new AbortController()
    pushChains.clear()
    pushes = []
    sms.reset()
    return { ok: true }
  })

  app.get('/sandbox/health', async () => ({ ok: true }))
  return app
}

/** The label WeChat gives a verdict when a rule names none: 100 (normal) for pass, 21000 (other) for the rest. */
function defaultLabel(suggest: ContentSuggest): number {
  return suggest === 'pass' ? 100 : 21000
}

const isLabel = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 99_999

/** Checks the rules a test sets (POST /sandbox/content-checks); answers them, or the problem. */
function parseContentRules(raw: unknown): ContentRule[] | string {
  if (!Array.isArray(raw) || raw.length > 100) return 'rules must be an array of at most 100 {kind, contains, suggest, label?}'
  const rules: ContentRule[] = []
  for (const [i, r] of raw.entries()) {
    const rule = (r ?? {}) as Record<string, unknown>
    const unknown = Object.keys(rule).filter((k) => !['kind', 'contains', 'suggest', 'label'].includes(k))
    if (unknown.length > 0) return `rules[${i}]: unknown field ${unknown.join(', ')}`
    if (rule.kind !== 'text' && rule.kind !== 'media') return `rules[${i}].kind must be "text" or "media"`
    if (typeof rule.contains !== 'string' || rule.contains.length > 500) return `rules[${i}].contains must be a string of at most 500 characters ("" matches everything)`
    if (!CONTENT_SUGGESTS.includes(rule.suggest as ContentSuggest)) return `rules[${i}].suggest must be one of ${CONTENT_SUGGESTS.join(', ')}`
    if (rule.label !== undefined && !isLabel(rule.label)) return `rules[${i}].label must be an integer 0–99999`
    rules.push({ kind: rule.kind, contains: rule.contains, suggest: rule.suggest as ContentSuggest, ...(rule.label !== undefined ? { label: rule.label as number } : {}) })
  }
  return rules
}

/** WeChat's subscribe-message value limits by key type (the key's letters before its number: thing1, phrase3…). */
export function subscribeValueFits(key: string, value: string): boolean {
  const type = key.replace(/\d+$/, '')
  const length = [...value].length
  switch (type) {
    case 'thing':
      return length <= 20
    case 'character_string':
    case 'letter':
      return length <= 32 && /^[\x21-\x7e]*$/.test(value)
    case 'number':
      return length <= 32 && /^[\d.]+$/.test(value)
    case 'phrase':
      return length <= 5 && /^[\u4e00-\u9fa5]+$/.test(value)
    case 'name':
      return length <= 10
    case 'amount':
      return /^[¥￥]?\d+(\.\d{1,2})?[元]?$/.test(value)
    case 'time':
    case 'date':
      return /^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}/.test(value)
    default:
      return length <= 20
  }
}
