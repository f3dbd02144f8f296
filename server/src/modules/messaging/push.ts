import { XMLParser } from 'fast-xml-parser'
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Types } from 'mongoose'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import type { ContentSuggest, WechatClient } from '../../core/wechat/client.js'
import type { MessagingModels } from './models.js'
import type { SubscribeAnswer, Subscriptions } from './subscriptions.js'

/** One app's push settings: the console's Token, and its EncodingAESKey for secure mode. */
export interface PushSecrets {
  token: string
  aesKey?: string
  /** the app's appid: a decrypted message must end with it */
  appid: string
}

export class PushRefused extends Error {}

/** sha1 of the sorted parts, joined: WeChat's signature (and msg_signature, with the Encrypt field). */
export function pushSignature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex')
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Whether WeChat signed this request (the GET handshake and every push carry `signature`). */
export function signedByWechat(secrets: PushSecrets, q: { signature?: string; timestamp?: string; nonce?: string }): boolean {
  if (!q.signature || !q.timestamp || !q.nonce) return false
  return sameText(pushSignature(secrets.token, q.timestamp, q.nonce), q.signature)
}

/**
 * A secure-mode message, decrypted (AES-256-CBC; the key is the EncodingAESKey with "=" appended, base64-decoded;
 * the IV its first 16 bytes; PKCS#7 padding to 32-byte blocks; the plaintext is 16 random bytes, the message's
 * length as 4 bytes big-endian, the message, and the appid — which must be this app's).
 */
export function decryptPush(secrets: PushSecrets, encrypted: string): string {
  if (!secrets.aesKey) throw new PushRefused('an encrypted push, but no EncodingAESKey is configured')
  const key = Buffer.from(`${secrets.aesKey}=`, 'base64')
  if (key.length !== 32) throw new PushRefused('the EncodingAESKey is not 43 characters of base64')
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
  decipher.setAutoPadding(false)
  let plain: Buffer
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
  } catch {
    throw new PushRefused('the push could not be decrypted')
  }
  const pad = plain[plain.length - 1]!
  if (pad < 1 || pad > 32) throw new PushRefused('bad padding')
  plain = plain.subarray(0, plain.length - pad)
  if (plain.length < 20) throw new PushRefused('too short')
  const length = plain.readUInt32BE(16)
  if (20 + length > plain.length) throw new PushRefused('bad length')
  const message = plain.subarray(20, 20 + length).toString('utf8')
  const appid = plain.subarray(20 + length).toString('utf8')
  if (appid !== secrets.appid) throw new PushRefused('the push is for another app')
  return message
}

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: true, trimValues: true })

/** A push body as an object: JSON, or WeChat's XML (`<xml>…</xml>`), whose values stay strings. */
export function parsePush(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    const parsed = xml.parse(body) as { xml?: Record<string, unknown> }
    if (!parsed?.xml || typeof parsed.xml !== 'object') throw new PushRefused('not WeChat push XML')
    return parsed.xml
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>
  throw new PushRefused('an empty push')
}

/** WeChat's `List`: an object for one item, an array for several; in XML under the event's own element. */
function listOf(message: Record<string, unknown>, xmlElement: string): Record<string, unknown>[] {
  const holder = (message[xmlElement] as Record<string, unknown> | undefined) ?? message
  const list = holder.List
  if (!list) return []
  return (Array.isArray(list) ? list : [list]).filter((x): x is Record<string, unknown> => Boolean(x) && typeof x === 'object')
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v))

/** Another module's handler of a mini-program event: the message (verified, decrypted, parsed) and the sender's openid. */
export type MiniProgramEventHandler = (message: Record<string, unknown>, openid: string) => Promise<void>

/** The events messaging handles itself (consent and delivery): not open to other handlers. */
const OWN_EVENTS = ['subscribe_msg_popup_event', 'subscribe_msg_change_event', 'subscribe_msg_sent_event']

/**
 * The receipt id of a mini-program push: sender, time, event, and what it is about. For the subscribe events that
 * is their items (the id they always had); for any other event the whole message, so two media-check verdicts for
 * one user in the same second differ by their trace_id. A retry or replay is the same message, so the same id.
 */
function miniProgramReceiptId(event: string, openid: string, message: Record<string, unknown>): string {
  const about = OWN_EVENTS.includes(event)
    ? (message.List ?? message.SubscribeMsgPopupEvent ?? message.SubscribeMsgChangeEvent ?? message.SubscribeMsgSentEvent ?? null)
    : message
  return `mp:${openid}:${str(message.CreateTime)}:${event}:${JSON.stringify(about)}`
}

/** WeChat's verdict on a file sent to media_check_async, as the wxa_media_check push carries it. */
export interface MediaCheckVerdict {
  /** the id media_check_async answered: what the verdict is about */
  traceId: string
  openid: string
  /** `review` too when WeChat could not check the file (errcode ≠ 0) or sent no verdict: a person decides */
  suggest: ContentSuggest
  label: number
  errcode: number
}

const SUGGESTS: readonly string[] = ['pass', 'review', 'risky'] satisfies ContentSuggest[]

/** Reads a wxa_media_check message of either format (in XML every value is a string, `result` a nested element). */
export function readMediaCheck(message: Record<string, unknown>, openid: string): MediaCheckVerdict {
  const result = (message.result && typeof message.result === 'object' ? message.result : {}) as Record<string, unknown>
  const errcode = Number(message.errcode ?? 0) || 0
  const suggest = str(result.suggest)
  return {
    traceId: str(message.trace_id),
    openid,
    suggest: errcode === 0 && SUGGESTS.includes(suggest) ? (suggest as ContentSuggest) : 'review',
    label: Number(result.label) || 0,
    errcode,
  }
}

/**
 * WeChat's message push (消息推送) for the mini-program and the Official Account: the signed GET handshake and the
 * events that matter — the subscribe dialog's accepts (trusted over the mini-program's report, and counted once with
 * it), switches turned off, asynchronous delivery results, and follows and unfollows of the Official Account (the
 * unionid fetched at follow time joins the follower to a member; an unfollow deletes it). WeChat re-sends a push it
 * gets no `success` for within 5 s: each push is handled once (a receipt per sender, time, event and item — for
 * events other modules handle, such as media-check verdicts, per whole message). Other modules register handlers for
 * further mini-program events (onMiniProgramEvent, onMediaCheck).
 */
export class WechatPush {
  /** other modules' handlers by event, in registration order */
  private readonly eventHandlers = new Map<string, MiniProgramEventHandler[]>()

  constructor(
    private readonly models: MessagingModels,
    private readonly subscriptions: Subscriptions,
    private readonly wechat: WechatClient,
    private readonly memberByOpenid: (openid: string) => Promise<{ _id: Types.ObjectId } | null>,
    private readonly log?: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  /** The message a signed push carries (decrypted in secure mode), or PushRefused. */
  open(secrets: PushSecrets, query: Record<string, string | undefined>, body: unknown): Record<string, unknown> {
    if (!signedByWechat(secrets, query)) throw new PushRefused('the signature does not match')
    const outer = parsePush(body)
    if (query.encrypt_type === 'aes' || outer.Encrypt !== undefined) {
      const encrypted = str(outer.Encrypt)
      if (!encrypted || !query.msg_signature || !sameText(pushSignature(secrets.token, query.timestamp!, query.nonce!, encrypted), query.msg_signature)) {
        throw new PushRefused('the msg_signature does not match')
      }
      const inner = decryptPush(secrets, encrypted)
      return parsePush(inner.trimStart().startsWith('<') ? inner : JSON.parse(inner))
    }
    return outer
  }

  /**
   * Lets another module handle a mini-program event (reviews: `wxa_media_check`). Handlers run one after another
   * inside the push's once-only receipt: when one throws, the receipt is dropped and WeChat's retry runs every
   * handler again, so each must be idempotent (key its effects by the event, e.g. the trace_id). Answers a function
   * that removes the handler.
   */
  onMiniProgramEvent(event: string, handler: MiniProgramEventHandler): () => void {
    if (OWN_EVENTS.includes(event)) throw new Error(`${event} is handled by messaging itself`)
    this.eventHandlers.set(event, [...(this.eventHandlers.get(event) ?? []), handler])
    return () => {
      this.eventHandlers.set(event, (this.eventHandlers.get(event) ?? []).filter((h) => h !== handler))
    }
  }

  /** A handler of media-check verdicts (`wxa_media_check`), given the verdict read from either push format. */
  onMediaCheck(handler: (verdict: MediaCheckVerdict) => Promise<void>): () => void {
    return this.onMiniProgramEvent('wxa_media_check', (message, openid) => handler(readMediaCheck(message, openid)))
  }

  /** Handles a mini-program push. */
  async miniProgram(message: Record<string, unknown>): Promise<void> {
    const event = str(message.Event)
    const openid = str(message.FromUserName)
    await this.once(miniProgramReceiptId(event, openid, message), () => this.handleMiniProgram(event, openid, message))
  }

  private async handleMiniProgram(event: string, openid: string, message: Record<string, unknown>): Promise<void> {
    switch (event) {
      case 'subscribe_msg_popup_event': {
        const member = await this.memberByOpenid(openid)
        if (!member) return
        const results: Record<string, SubscribeAnswer> = {}
        for (const item of listOf(message, 'SubscribeMsgPopupEvent')) {
          const status = str(item.SubscribeStatusString)
          if (status === 'accept' || status === 'reject') results[str(item.TemplateId)] = status
        }
        await this.subscriptions.record(member._id, results, 'push')
        return
      }
      case 'subscribe_msg_change_event': {
        const member = await this.memberByOpenid(openid)
        if (!member) return
        for (const item of listOf(message, 'SubscribeMsgChangeEvent')) {
          if (str(item.SubscribeStatusString) === 'reject') await this.subscriptions.zero(member._id, str(item.TemplateId), 'switched off')
        }
        return
      }
      case 'subscribe_msg_sent_event':
        for (const item of listOf(message, 'SubscribeMsgSentEvent')) {
          const report = `${str(item.ErrorCode)} ${str(item.ErrorStatus)}`.trim()
          const done = await this.models.Message.updateOne({ msgid: str(item.MsgID) }, { $set: { deliveryReport: report } })
          // the report can overtake the dispatcher writing the msgid it answered: fail, and WeChat's retry lands it
          if (done.matchedCount === 0) throw new Error(`no message with msgid ${str(item.MsgID)} yet`)
        }
        return
      default:
        // other events go to the modules that registered for them (reviews: wxa_media_check); the rest are acknowledged
        for (const handler of this.eventHandlers.get(event) ?? []) await handler(message, openid)
        return
    }
  }

  /** Handles an Official Account push: follows (the unionid fetched now, while WeChat still gives it) and unfollows. */
  async officialAccount(message: Record<string, unknown>): Promise<void> {
    const event = str(message.Event)
    const openid = str(message.FromUserName)
    if (!openid) return
    await this.once(`oa:${openid}:${str(message.CreateTime)}:${event}`, async () => {
      if (event === 'subscribe') {
        const user = await this.wechat.officialAccountUser(openid)
        if (!user.followed) return
        await this.models.Follower.updateOne({ _id: openid }, { $set: { unionid: user.unionid, followedAt: new Date() } }, { upsert: true })
      } else if (event === 'unsubscribe') {
        await this.models.Follower.deleteOne({ _id: openid })
      }
    })
  }

  /**
   * Handles a push once: its receipt is recorded first (a retry or a replay arriving meanwhile finds it and stops),
   * and dropped again if handling fails, so WeChat's next retry gets another go.
   */
  private async once(id: string, handle: () => Promise<void>): Promise<void> {
    const _id = createHash('sha256').update(id).digest('hex')
    try {
      await this.models.PushReceipt.collection.insertOne({ _id: _id as never, at: new Date() })
    } catch (error) {
      if (isDuplicateKey(error)) return
      throw error
    }
    try {
      await handle()
    } catch (error) {
      this.log?.warn({ err: error }, 'a WeChat push failed; its retry will be handled')
      await this.models.PushReceipt.deleteOne({ _id })
      throw error
    }
  }
}
