import { randomBytes, randomInt } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { sandboxOpenid, sandboxUnionid } from './users.js'

/**
 * A local server speaking the WeChat endpoints Member Center uses, with the same paths, parameters and error codes
 * (DESIGN.md §3). Tests and the demo point the server's WeChat client at it. Besides WeChat's endpoints it has a
 * small control API under /sandbox: hand out login codes, inject faults, expire tokens, read recorded messages.
 */
export interface SandboxApp {
  appid: string
  secret: string
}

export interface SandboxOptions {
  apps: SandboxApp[]
  /** access token lifetime in seconds (WeChat: 7200) */
  tokenTtlSeconds?: number
  /** login code lifetime in seconds (WeChat: 300) */
  codeTtlSeconds?: number
  now?: () => number
}

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

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40226: 'high risk user',
  41001: 'access_token missing',
  41030: 'invalid page',
  42001: 'access_token expired',
  43101: 'user refuse to accept the msg',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit',
  47003: 'argument invalid!',
}

function wxError(errcode: number, detail?: string) {
  return { errcode, errmsg: `${ERRMSG[errcode] ?? 'error'}${detail ? `: ${detail}` : ''} rid: ${randomBytes(4).toString('hex')}` }
}

export function createSandbox(options: SandboxOptions): FastifyInstance {
  const now = options.now ?? Date.now
  const tokenTtl = options.tokenTtlSeconds ?? 7200
  const codeTtl = options.codeTtlSeconds ?? 300
  const apps = new Map(options.apps.map((a) => [a.appid, a]))
  const tokens = new Map<string, IssuedToken>()
  /** the stable token currently handed out per app (stable_token returns the same one until it nears expiry) */
  const stableTokens = new Map<string, string>()
  const codes = new Map<string, LoginCode>()
  const riskyUsers = new Set<string>()
  let faults: Fault[] = []
  let messages: RecordedMessage[] = []
  let calls: { path: string; at: string }[] = []
  /** template ids the sandbox accepts for subscribe messages; empty means any */
  const knownTemplates = new Set<string>()

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

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/sandbox')) calls.push({ path: request.url.split('?')[0]!, at: new Date(now()).toISOString() })
  })
  // the H5 build asks for login codes from the browser
  app.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*')
    reply.header('access-control-allow-headers', 'content-type')
  })
  app.options('/*', async (_request, reply) => reply.code(204).send())

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
    return {
      openid: sandboxOpenid(code.appid, code.user),
      session_key: randomBytes(16).toString('base64'),
      unionid: sandboxUnionid(code.user),
    }
  })

  app.post('/cgi-bin/message/subscribe/send', async (request, reply) => {
    if (await applyFault('/cgi-bin/message/subscribe/send', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    const body = (request.body ?? {}) as Record<string, unknown>
    if (typeof body.touser !== 'string' || !/^o[\w-]{20,40}$/.test(body.touser)) return wxError(40003)
    if (typeof body.template_id !== 'string' || (knownTemplates.size > 0 && !knownTemplates.has(body.template_id))) {
      return wxError(40037)
    }
    const data = body.data as Record<string, { value?: unknown }> | undefined
    if (!data || typeof data !== 'object') return wxError(47003, 'data')
    for (const [key, entry] of Object.entries(data)) {
      const value = entry?.value
      if (typeof value !== 'string' || value.includes('\n') || !subscribeValueFits(key, value)) {
        return wxError(47003, `argument invalid! data.${key}.value`)
      }
    }
    return recordMessage('subscribe', auth.appid, body, reply)
  })

  app.post('/cgi-bin/message/template/send', async (request, reply) => {
    if (await applyFault('/cgi-bin/message/template/send', reply)) return reply
    const auth = checkToken(request)
    if ('error' in auth) return auth.error
    const body = (request.body ?? {}) as Record<string, unknown>
    if (typeof body.touser !== 'string' || body.touser.length < 20) return wxError(40003)
    if (typeof body.template_id !== 'string' || body.template_id.length === 0) return wxError(40037)
    return recordMessage('template', auth.appid, body, reply)
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

  /** Records a message and answers with a msgid above 2^53, written as a bare JSON number as WeChat does. */
  async function recordMessage(kind: RecordedMessage['kind'], appid: string, body: Record<string, unknown>, reply: FastifyReply) {
    const msgid = (2n ** 53n + BigInt(randomInt(1, 2 ** 40))).toString()
    messages.push({ kind, appid, body, msgid, at: new Date(now()).toISOString() })
    return reply.type('application/json').send(`{"errcode":0,"errmsg":"ok","msgid":${msgid}}`)
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
    return { ok: true }
  })

  app.get('/sandbox/health', async () => ({ ok: true }))
  return app
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
