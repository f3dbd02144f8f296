import { createCipheriv, createHash, randomBytes, randomInt } from 'node:crypto'

/**
 * WeChat's message push (消息推送) as WeChat sends it: the GET handshake, the event bodies in JSON and XML, plain and
 * secure (AES) mode, signatures, and delivery with WeChat's retries. The receiving side (the server) has its own,
 * independent implementation: nothing here is shared with it.
 */

export type PushFormat = 'json' | 'xml'
export type PushMode = 'plain' | 'secure'

export interface PushConfig {
  appid: string
  url: string
  token: string
  encodingAESKey?: string
  mode: PushMode
  format: PushFormat
  /** CreateTime as a JSON string ("1620973045", as WeChat's docs print it) instead of a number (as WeChat sends it) */
  createTimeAsString?: boolean
  /** WeChat only pushes to a URL that passed the GET verification (it will not save the configuration otherwise) */
  verified: boolean
}

export interface PushAttempt {
  at: string
  status?: number
  /** the receiver's answer, as text (first 2,000 characters) */
  body?: string
  error?: string
  durationMs: number
  ok: boolean
}

export interface PushRecord {
  id: number
  appid: string
  event: string
  /** the target user's openid in that app (FromUserName) */
  openid: string
  at: string
  /** what the receiver is expected to read after decryption: the event as a JSON object (both formats) */
  message: Record<string, unknown>
  /** the plaintext body (JSON or XML text) before any encryption */
  plaintext?: string
  url?: string
  format?: PushFormat
  mode?: PushMode
  /** the request as sent (the first attempt; retries repeat it byte for byte) */
  request?: { query: Record<string, string>; contentType: string; body: string }
  attempts: PushAttempt[]
  /** pending: being delivered; delivered: answered `success` or empty with 2xx; failed: every attempt failed */
  outcome: 'pending' | 'delivered' | 'failed' | 'not-configured' | 'not-verified'
  /** the push this one re-sends (POST /sandbox/push/replay) */
  replayOf?: number
}

const TOKEN_PATTERN = /^[A-Za-z0-9]{3,32}$/
const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/

/** Checks a configuration the way WeChat's settings page does; answers the problem or null. */
export function checkPushConfig(config: Partial<PushConfig>, appKind: 'miniprogram' | 'officialAccount'): string | null {
  if (typeof config.url !== 'string' || !/^https?:\/\//.test(config.url)) return 'url must be an http(s) URL'
  if (typeof config.token !== 'string' || !TOKEN_PATTERN.test(config.token)) return 'token must be 3–32 letters or digits (WeChat)'
  if (config.mode !== 'plain' && config.mode !== 'secure') return 'mode must be "plain" or "secure"'
  if (config.format !== 'json' && config.format !== 'xml') return 'format must be "json" or "xml"'
  if (appKind === 'officialAccount' && config.format !== 'xml') return 'an Official Account pushes XML only'
  if (config.mode === 'secure' || config.encodingAESKey !== undefined) {
    if (typeof config.encodingAESKey !== 'string' || !AES_KEY_PATTERN.test(config.encodingAESKey)) {
      return 'encodingAESKey must be 43 letters or digits (WeChat)'
    }
  }
  return null
}

export function sha1(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex')
}

export function nonce(): string {
  return String(randomInt(100_000_000, 2_147_483_647))
}

/**
 * WeChat's message encryption: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes,
 * PKCS#7 padding to 32-byte blocks, plaintext = 16 random bytes ‖ 4-byte big-endian length ‖ message ‖ appid.
 */
export function encryptForPush(message: string, encodingAESKey: string, appid: string): string {
  const key = Buffer.from(encodingAESKey + '=', 'base64')
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes')
  const body = Buffer.from(message, 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(body.length, 0)
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appid, 'utf8')])
  const pad = 32 - (plain.length % 32)
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)])
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16))
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64')
}

function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
}

/** A value in WeChat's XML: strings in CDATA, numbers bare; objects become nested elements, arrays repeat the tag. */
function xmlElement(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => xmlElement(name, item)).join('')
  if (value !== null && typeof value === 'object') {
    return `<${name}>${Object.entries(value).map(([k, v]) => xmlElement(k, v)).join('')}</${name}>`
  }
  if (typeof value === 'number') return `<${name}>${value}</${name}>`
  return `<${name}>${cdata(String(value))}</${name}>`
}

export function toXml(fields: Record<string, unknown>): string {
  return `<xml>${Object.entries(fields).map(([k, v]) => xmlElement(k, v)).join('')}</xml>`
}

/**
 * A subscribe-message event (popup, change, sent) in the app's format. In JSON, `List` is an object for one item and
 * an array for several (as WeChat sends it); in XML the items are repeated `<List>` elements inside a wrapper
 * element (SubscribeMsgPopupEvent, SubscribeMsgChangeEvent, SubscribeMsgSentEvent). Numbers inside the items
 * (PopupScene, ErrorCode, MsgID) are strings in JSON, as WeChat sends them.
 */
export function subscribeEventBody(
  config: Pick<PushConfig, 'format' | 'createTimeAsString'>,
  head: { ToUserName: string; FromUserName: string; CreateTime: number },
  event: 'subscribe_msg_popup_event' | 'subscribe_msg_change_event' | 'subscribe_msg_sent_event',
  items: Record<string, string>[],
): { text: string; message: Record<string, unknown> } {
  const wrapper = { subscribe_msg_popup_event: 'SubscribeMsgPopupEvent', subscribe_msg_change_event: 'SubscribeMsgChangeEvent', subscribe_msg_sent_event: 'SubscribeMsgSentEvent' }[event]
  if (config.format === 'json') {
    const message = {
      ToUserName: head.ToUserName,
      FromUserName: head.FromUserName,
      CreateTime: config.createTimeAsString ? String(head.CreateTime) : head.CreateTime,
      MsgType: 'event',
      Event: event,
      List: items.length === 1 ? items[0]! : items,
    }
    return { text: JSON.stringify(message), message }
  }
  // XML: PopupScene and ErrorCode are bare numbers, MsgID too (WeChat's examples); the rest in CDATA
  const xmlItems = items.map((item) =>
    Object.fromEntries(Object.entries(item).map(([k, v]) => [k, ['PopupScene', 'ErrorCode', 'MsgID'].includes(k) ? new XmlNumber(v) : v])),
  )
  const message = { ...head, MsgType: 'event', Event: event, [wrapper]: { List: items.length === 1 ? items[0]! : items } }
  const text = `<xml>${xmlElement('ToUserName', head.ToUserName)}${xmlElement('FromUserName', head.FromUserName)}<CreateTime>${head.CreateTime}</CreateTime>${xmlElement('MsgType', 'event')}${xmlElement('Event', event)}<${wrapper}>${xmlItems
    .map((item) => `<List>${Object.entries(item).map(([k, v]) => (v instanceof XmlNumber ? `<${k}>${v.value}</${k}>` : xmlElement(k, v))).join('')}</List>`)
    .join('')}</${wrapper}></xml>`
  return { text, message }
}

/** One strategy's finding in a content-security verdict (WeChat's `detail` items). */
export interface ContentCheckDetail {
  strategy: string
  errcode: number
  suggest?: string
  label?: number
  prob?: number
  level?: number
  keyword?: string
}

/**
 * The wxa_media_check event (media_check_async, version 2) in the app's format, fields in WeChat's order: the head,
 * appid, trace_id, version, detail, errcode, errmsg, result. In JSON `detail` is an array; in XML each item is a
 * `<detail>` element of its own. Numbers (version, errcode, label, prob) are bare in both, strings in CDATA in XML.
 */
export function mediaCheckEventBody(
  config: Pick<PushConfig, 'format' | 'createTimeAsString'>,
  head: { ToUserName: string; FromUserName: string; CreateTime: number },
  verdict: { appid: string; traceId: string; suggest: string; label: number; detail: ContentCheckDetail[] },
): { text: string; message: Record<string, unknown> } {
  const fields = {
    MsgType: 'event',
    Event: 'wxa_media_check',
    appid: verdict.appid,
    trace_id: verdict.traceId,
    version: 2,
    detail: verdict.detail,
    errcode: 0,
    errmsg: 'ok',
    result: { suggest: verdict.suggest, label: verdict.label },
  }
  if (config.format === 'json') {
    const message = { ...head, CreateTime: config.createTimeAsString ? String(head.CreateTime) : head.CreateTime, ...fields }
    return { text: JSON.stringify(message), message }
  }
  const message = { ...head, ...fields }
  return { text: toXml(message), message }
}

class XmlNumber {
  constructor(readonly value: string) {}
}

/** The request WeChat sends for a push: query parameters and body, signed (and in secure mode encrypted). */
export function signedPushRequest(
  config: PushConfig,
  originalId: string,
  plaintext: string,
  timestampSeconds: number,
  extraQuery: Record<string, string> = {},
): { query: Record<string, string>; contentType: string; body: string } {
  const timestamp = String(timestampSeconds)
  const n = nonce()
  const query: Record<string, string> = { signature: sha1([config.token, timestamp, n]), timestamp, nonce: n, ...extraQuery }
  const contentType = config.format === 'json' ? 'application/json' : 'text/xml'
  if (config.mode === 'plain') return { query, contentType, body: plaintext }
  const encrypt = encryptForPush(plaintext, config.encodingAESKey!, config.appid)
  query.encrypt_type = 'aes'
  query.msg_signature = sha1([config.token, timestamp, n, encrypt])
  const body = config.format === 'json' ? JSON.stringify({ ToUserName: originalId, Encrypt: encrypt }) : toXml({ ToUserName: originalId, Encrypt: encrypt })
  return { query, contentType, body }
}

export function withQuery(url: string, query: Record<string, string>): string {
  const target = new URL(url)
  for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v)
  return target.toString()
}
