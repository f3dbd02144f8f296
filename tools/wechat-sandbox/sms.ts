import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * The SMS provider as the sandbox plays it: Tencent Cloud SMS, API 3.0 `SendSms` (version 2021-01-11) — a POST of JSON
 * to `/` with `X-TC-Action: SendSms`, signed with TC3-HMAC-SHA256 — with its answers (`Response.SendStatusSet[].Code`
 * "Ok", or per number InvalidParameterValue.IncorrectPhoneNumber, LimitExceeded.PhoneNumberDailyLimit,
 * FailedOperation.PhoneNumberInBlacklist; per request AuthFailure.*, InvalidParameterValue.SdkAppIdNotExist,
 * FailedOperation.SignatureIncorrectOrUnapproved, FailedOperation.TemplateIncorrectOrUnapproved,
 * FailedOperation.TemplateParamSetNotMatchApprovedTemplate, InvalidParameterValue.ContentLengthLimit), and its reply
 * callback (回复短信 / 上行短信): a member's reply POSTed as `{extend, mobile, nationcode, sign, text, time}` to the
 * configured URL, answered `{result: 0, errmsg: "OK"}`. The signature check is written here independently of the
 * server's client (server/src/core/sms/tencent.ts): nothing is shared with it.
 *
 * Control API (under /sandbox/sms): GET the record (sent SMS, every send attempt with its code, replies and their
 * delivery); POST /reply (a member answers, e.g. "T"), /replies/replay (the provider's retry of the last reply),
 * /callback (the reply URL), /faults (fail the next sends), /blacklist (a number the carrier refuses), /limits.
 */

export interface SmsSandboxOptions {
  /** SmsSdkAppId (default 1400000001) */
  appId?: string
  /** the API key pair the signature is checked against */
  secretId?: string
  secretKey?: string
  /** approved signatures (签名) (default 会员中心) */
  signNames?: string[]
  /** approved templates: id → content with {1}, {2}… (default 1000001: "{1}", one variable for the whole text) */
  templates?: Record<string, string>
  /** SMS one number may receive per day, Beijing time (Tencent's default: 10) */
  dailyLimitPerPhone?: number
  /** where replies are delivered (also POST /sandbox/sms/callback) */
  callbackUrl?: string
}

export const SMS_SANDBOX_DEFAULTS = {
  appId: '1400000001',
  secretId: 'AKIDsandboxSmsSecretId000000000000000',
  secretKey: 'sandboxSmsSecretKey0000000000000',
  signName: '会员中心',
  templateId: '1000001',
} as const

/** An SMS the sandbox accepted. */
export interface SentSms {
  serialNo: string
  /** E.164, as sent (+8613800138000) */
  phoneNumber: string
  signName: string
  templateId: string
  params: string[]
  /** what the phone shows: 【签名】 and the filled template */
  content: string
  /** billed segments: 1 up to 70 characters, else 67 each */
  fee: number
  sessionContext: string | null
  at: string
}

/** One number of one SendSms call and the code it got (Ok or the error). */
export interface SmsAttempt {
  phoneNumber: string
  templateId: string | null
  code: string
  at: string
}

/** A member's reply and its delivery to the callback URL. */
export interface SmsReplyRecord {
  id: number
  body: { extend: string; mobile: string; nationcode: string; sign: string; text: string; time: number }
  url: string | null
  attempts: { at: string; status?: number; body?: string; error?: string; ok: boolean }[]
  outcome: 'delivered' | 'failed' | 'not-configured'
  replayOf?: number
}

export interface SmsFault {
  count: number
  /** a Tencent error code; number-level codes (LimitExceeded.PhoneNumber…, …PhoneNumberInBlacklist, …IncorrectPhoneNumber) come in SendStatusSet */
  code?: string
  /** an HTTP status instead of an answer (5xx: the provider is down) */
  status?: number
  delayMs?: number
}

const MESSAGES: Record<string, string> = {
  'AuthFailure.InvalidAuthorization': 'The Authorization header does not follow the Tencent Cloud standard.',
  'AuthFailure.SecretIdNotFound': 'The SecretId is not found.',
  'AuthFailure.SignatureExpire': 'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.',
  'AuthFailure.SignatureFailure': 'The provided credentials could not be validated. Please check your signature is correct.',
  InvalidAction: 'The action does not exist.',
  'InvalidParameter': 'The request body is not valid.',
  'MissingParameter': 'A required parameter is missing.',
  'InvalidParameterValue.SdkAppIdNotExist': 'SdkAppId not exist.',
  'FailedOperation.SignatureIncorrectOrUnapproved': 'signature format error or signature not approved',
  'FailedOperation.TemplateIncorrectOrUnapproved': 'template format error or template not approved',
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': 'the number of template parameters does not match the approved template',
  'InvalidParameterValue.ContentLengthLimit': 'the SMS content is too long',
  'LimitExceeded.PhoneNumberCountLimit': 'more than 200 phone numbers in one request',
  'InvalidParameterValue.IncorrectPhoneNumber': 'incorrect phone number format',
  'LimitExceeded.PhoneNumberDailyLimit': 'the number reached its daily SMS limit',
  'FailedOperation.PhoneNumberInBlacklist': 'the number is in the blacklist',
  'InternalError.Timeout': 'request timed out',
  'InternalError.OtherError': 'other error',
}
const PER_NUMBER = /^(LimitExceeded\.PhoneNumber|FailedOperation\.PhoneNumberInBlacklist|InvalidParameterValue\.IncorrectPhoneNumber)/

/** The longest content Tencent accepts for one SMS (signature and text together). */
const MAX_CONTENT = 500
const UNSUBSCRIBE = new Set(['T', 'TD', '退订'])

export function registerSms(app: FastifyInstance, options: SmsSandboxOptions & { now: () => number }): { reset(): void } {
  const now = options.now
  const appId = options.appId ?? SMS_SANDBOX_DEFAULTS.appId
  const secretId = options.secretId ?? SMS_SANDBOX_DEFAULTS.secretId
  const secretKey = options.secretKey ?? SMS_SANDBOX_DEFAULTS.secretKey
  const signNames = new Set(options.signNames ?? [SMS_SANDBOX_DEFAULTS.signName])
  const templates = new Map(Object.entries(options.templates ?? { [SMS_SANDBOX_DEFAULTS.templateId]: '{1}' }))

  let sent: SentSms[] = []
  let attempts: SmsAttempt[] = []
  let replies: SmsReplyRecord[] = []
  let faults: SmsFault[] = []
  let blacklist = new Set<string>()
  let dailyLimit = options.dailyLimitPerPhone ?? 10
  let callbackUrl: string | null = options.callbackUrl ?? null
  let replySeq = 0

  const iso = () => new Date(now()).toISOString()
  const beijingDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
  const requestId = () => randomUUID()
  const error = (code: string) => ({ Response: { Error: { Code: code, Message: MESSAGES[code] ?? code }, RequestId: requestId() } })

  /** The number in E.164, or null: +86 and 11 digits (also 0086…, 86…, or the 11 digits alone), or +<6–15 digits>. */
  function e164(raw: string): string | null {
    const n = raw.trim()
    let m = /^(?:\+86|0086|86)?(1\d{10})$/.exec(n)
    if (m) return `+86${m[1]}`
    m = /^\+(\d{6,15})$/.exec(n)
    return m && !m[1]!.startsWith('86') ? `+${m[1]}` : null
  }

  /** TC3-HMAC-SHA256, checked from the request as received (the headers it names, the body's exact bytes). */
  function checkSignature(request: FastifyRequest, body: string): string | null {
    const auth = request.headers.authorization
    const m = auth ? /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth) : null
    if (!m) return 'AuthFailure.InvalidAuthorization'
    const [, id, date, signedHeaders, signature] = m as unknown as [string, string, string, string, string]
    if (id !== secretId) return 'AuthFailure.SecretIdNotFound'
    const timestamp = Number(request.headers['x-tc-timestamp'])
    if (!Number.isInteger(timestamp) || Math.abs(now() / 1000 - timestamp) > 300) return 'AuthFailure.SignatureExpire'
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return 'AuthFailure.SignatureFailure'
    const names = signedHeaders.split(';')
    if (!names.includes('host') || !names.includes('content-type')) return 'AuthFailure.SignatureFailure'
    const canonicalHeaders = names.map((h) => `${h}:${String(request.headers[h] ?? '').trim().toLowerCase()}\n`).join('')
    const hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')
    const canonical = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${hex(body)}`
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/sms/tc3_request\n${hex(canonical)}`
    let key = createHmac('sha256', `TC3${secretKey}`).update(date).digest()
    key = createHmac('sha256', key).update('sms').digest()
    key = createHmac('sha256', key).update('tc3_request').digest()
    const expected = createHmac('sha256', key).update(toSign).digest()
    const given = Buffer.from(signature, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'AuthFailure.SignatureFailure'
  }

  /** Sends of this number today (Beijing), for the daily limit. */
  const sentToday = (phoneNumber: string) => {
    const today = beijingDay(now())
    return sent.filter((s) => s.phoneNumber === phoneNumber && beijingDay(Date.parse(s.at)) === today).length
  }

  async function sendSms(request: FastifyRequest, reply: FastifyReply) {
    const raw = typeof request.body === 'string' ? request.body : ''
    const action = request.headers['x-tc-action']
    if (action !== 'SendSms') return error('InvalidAction')
    const bad = checkSignature(request, raw)
    if (bad) return error(bad)
    const fault = faults.find((f) => f.count > 0)
    if (fault) {
      fault.count -= 1
      faults = faults.filter((f) => f.count > 0)
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs))
      if (fault.status) return reply.code(fault.status).type('text/html').send('<html><body>502 Bad Gateway</body></html>')
      if (fault.code && !PER_NUMBER.test(fault.code)) return error(fault.code)
    }
    let body: Record<string, unknown>
    try {
      body = JSON.parse(raw) as Record<string, unknown>
    } catch {
      return error('InvalidParameter')
    }
    const phones = body.PhoneNumberSet
    if (!Array.isArray(phones) || phones.length === 0 || typeof body.TemplateId !== 'string' || typeof body.SmsSdkAppId !== 'string') return error('MissingParameter')
    if (phones.length > 200) return error('LimitExceeded.PhoneNumberCountLimit')
    if (body.SmsSdkAppId !== appId) return error('InvalidParameterValue.SdkAppIdNotExist')
    if (typeof body.SignName !== 'string' || !signNames.has(body.SignName)) return error('FailedOperation.SignatureIncorrectOrUnapproved')
    const template = templates.get(body.TemplateId)
    if (template === undefined) return error('FailedOperation.TemplateIncorrectOrUnapproved')
    const params = body.TemplateParamSet ?? []
    if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) return error('InvalidParameter')
    const variables = new Set(template.match(/\{\d+\}/g) ?? []).size
    if (params.length !== variables) return error('FailedOperation.TemplateParamSetNotMatchApprovedTemplate')
    const content = `【${body.SignName}】${template.replace(/\{(\d+)\}/g, (_, i: string) => (params as string[])[Number(i) - 1] ?? '')}`
    if ([...content].length > MAX_CONTENT) return error('InvalidParameterValue.ContentLengthLimit')
    const length = [...content].length
    const fee = length <= 70 ? 1 : Math.ceil(length / 67)
    const statuses = phones.map((p) => {
      const phoneNumber = typeof p === 'string' ? e164(p) : null
      const shown = typeof p === 'string' ? p : String(p)
      const code = fault?.code && PER_NUMBER.test(fault.code) ? fault.code
        : !phoneNumber ? 'InvalidParameterValue.IncorrectPhoneNumber'
        : blacklist.has(phoneNumber) ? 'FailedOperation.PhoneNumberInBlacklist'
        : sentToday(phoneNumber) >= dailyLimit ? 'LimitExceeded.PhoneNumberDailyLimit'
        : 'Ok'
      attempts.push({ phoneNumber: phoneNumber ?? shown, templateId: body.TemplateId as string, code, at: iso() })
      if (code !== 'Ok') return { SerialNo: '', PhoneNumber: shown, Fee: 0, SessionContext: '', Code: code, Message: MESSAGES[code] ?? code, IsoCode: '' }
      const serialNo = `${randomBytes(4).readUInt32BE(0) % 9000 + 1000}:${randomBytes(16).toString('hex')}`
      const sessionContext = typeof body.SessionContext === 'string' ? body.SessionContext : null
      sent.push({ serialNo, phoneNumber: phoneNumber!, signName: body.SignName as string, templateId: body.TemplateId as string, params: params as string[], content, fee, sessionContext, at: iso() })
      return { SerialNo: serialNo, PhoneNumber: phoneNumber!, Fee: fee, SessionContext: sessionContext ?? '', Code: 'Ok', Message: 'send success', IsoCode: phoneNumber!.startsWith('+86') ? 'CN' : 'XX' }
    })
    return { Response: { SendStatusSet: statuses, RequestId: requestId() } }
  }

  // the API host: JSON kept as its exact text, for the signature
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body))
    scope.post('/', sendSms)
  })

  /** Delivers a reply's callback as the provider does (three tries), and answers its record. */
  async function deliver(record: SmsReplyRecord): Promise<SmsReplyRecord> {
    if (!callbackUrl) {
      record.outcome = 'not-configured'
      return record
    }
    record.url = callbackUrl
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const response = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record.body), signal: AbortSignal.timeout(5000) })
        const text = await response.text()
        let result: unknown
        try {
          result = (JSON.parse(text) as { result?: unknown }).result
        } catch {
          result = undefined
        }
        const ok = response.ok && result === 0
        record.attempts.push({ at: iso(), status: response.status, body: text.slice(0, 2000), ok })
        if (ok) {
          record.outcome = 'delivered'
          return record
        }
        // a refusal (4xx) will not pass on a retry
        if (response.status >= 400 && response.status < 500) break
      } catch (e) {
        record.attempts.push({ at: iso(), error: String(e), ok: false })
      }
    }
    record.outcome = 'failed'
    return record
  }

  app.get('/sandbox/sms', async () => ({ sent, attempts, replies, callbackUrl, dailyLimitPerPhone: dailyLimit, blacklist: [...blacklist] }))

  app.post('/sandbox/sms/callback', async (request, reply) => {
    const { url } = (request.body ?? {}) as { url?: unknown }
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url))) return reply.code(400).send({ error: 'url must be an http(s) URL, or null' })
    callbackUrl = url as string | null
    return { callbackUrl }
  })

  /** A member replies to an SMS: {phone (11 digits or +86…) | mobile+nationcode, text, time?, sign?}. */
  app.post('/sandbox/sms/reply', async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, unknown>
    if (typeof b.text !== 'string' || b.text.length > 1000) return reply.code(400).send({ error: 'text is required (at most 1000 characters)' })
    let mobile: string
    let nationcode: string
    if (typeof b.mobile === 'string' && typeof b.nationcode === 'string') {
      mobile = b.mobile
      nationcode = b.nationcode
    } else {
      const phoneNumber = typeof b.phone === 'string' ? e164(b.phone) : null
      if (!phoneNumber?.startsWith('+86')) return reply.code(400).send({ error: 'phone must be a mainland number (11 digits or +86…), or give mobile and nationcode' })
      mobile = phoneNumber.slice(3)
      nationcode = '86'
    }
    const last = [...sent].reverse().find((s) => s.phoneNumber === `+${nationcode}${mobile}`)
    const time = typeof b.time === 'number' ? b.time : Math.floor(now() / 1000)
    const sign = typeof b.sign === 'string' ? b.sign : (last?.signName ?? [...signNames][0] ?? '')
    const record: SmsReplyRecord = { id: ++replySeq, body: { extend: '', mobile, nationcode, sign, text: b.text, time }, url: null, attempts: [], outcome: 'not-configured' }
    replies.push(record)
    return { reply: await deliver(record), unsubscribe: UNSUBSCRIBE.has(b.text.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '').toUpperCase()) }
  })

  /** The provider delivers the last reply again, byte for byte (its retry after a lost answer). */
  app.post('/sandbox/sms/replies/replay', async (_request, reply) => {
    const last = replies.at(-1)
    if (!last) return reply.code(409).send({ error: 'no reply to replay' })
    const record: SmsReplyRecord = { id: ++replySeq, body: last.body, url: null, attempts: [], outcome: 'not-configured', replayOf: last.id }
    replies.push(record)
    return { reply: await deliver(record) }
  })

  app.post('/sandbox/sms/faults', async (request, reply) => {
    const f = (request.body ?? {}) as Partial<SmsFault>
    if (!Number.isInteger(f.count) || f.count! < 1 || (f.code === undefined && f.status === undefined && f.delayMs === undefined)) {
      return reply.code(400).send({ error: 'a fault needs count ≥ 1, and code, status or delayMs' })
    }
    faults.push({ count: f.count!, code: f.code, status: f.status, delayMs: f.delayMs })
    return { faults }
  })

  app.post('/sandbox/sms/blacklist', async (request, reply) => {
    const { phone, remove } = (request.body ?? {}) as { phone?: unknown; remove?: unknown }
    const phoneNumber = typeof phone === 'string' ? e164(phone) : null
    if (!phoneNumber) return reply.code(400).send({ error: 'phone must be a phone number' })
    if (remove === true) blacklist.delete(phoneNumber)
    else blacklist.add(phoneNumber)
    return { blacklist: [...blacklist] }
  })

  app.post('/sandbox/sms/limits', async (request, reply) => {
    const { dailyLimitPerPhone } = (request.body ?? {}) as { dailyLimitPerPhone?: unknown }
    if (!Number.isInteger(dailyLimitPerPhone) || (dailyLimitPerPhone as number) < 0) return reply.code(400).send({ error: 'dailyLimitPerPhone must be an integer ≥ 0' })
    dailyLimit = dailyLimitPerPhone as number
    return { dailyLimitPerPhone: dailyLimit }
  })

  return {
    reset() {
      sent = []
      attempts = []
      replies = []
      faults = []
      blacklist = new Set()
      dailyLimit = options.dailyLimitPerPhone ?? 10
      callbackUrl = options.callbackUrl ?? null
    },
  }
}
