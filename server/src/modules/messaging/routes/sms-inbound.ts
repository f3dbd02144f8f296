import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { createHash, timingSafeEqual } from 'node:crypto'
import { ServiceUnavailable, Unauthorized, ValidationFailed } from '../../../core/errors.js'
import { errorResponses } from '../../../core/responses.js'
import { normalisePhone } from '../../members/phone-number.js'
import type { SmsReplies } from '../preferences.js'

export interface SmsInboundOptions {
  replies: SmsReplies
  /** the secret in the callback URL configured at the provider (SMS_INBOUND_TOKEN); none → 503 */
  token?: string
}

/** Tencent Cloud SMS's reply callback (回复短信 / 上行短信): the documented fields, nothing else. */
const ReplySchema = Type.Object(
  {
    mobile: Type.String({ minLength: 1, maxLength: 32, description: 'the number that replied, without its country code' }),
    nationcode: Type.String({ pattern: '^[0-9]{1,4}$', maxLength: 4, description: 'its country code (86)' }),
    text: Type.String({ maxLength: 1000, description: 'what the member wrote back' }),
    sign: Type.Optional(Type.String({ maxLength: 64, description: 'the signature of the SMS replied to' })),
    time: Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'when, in Unix seconds' }),
    extend: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()], { description: 'the extension code, when used' })),
  },
  { additionalProperties: false },
)

const sameSecret = (given: string, expected: string) => {
  // compared as digests: equal lengths, and the time taken tells nothing about the secret
  const hash = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(hash(given), hash(expected))
}

/**
 * POST /api/sms/inbound?token=… — the SMS provider's callback with a member's reply. Tencent Cloud signs nothing in
 * this callback, so the URL configured in its console carries a secret (SMS_INBOUND_TOKEN): a missing or wrong one is
 * a 401 and changes nothing. Each reply is handled once (the provider retries); T, TD or 退订 stops every marketing
 * SMS to the number at once. Answered as the provider expects: `{result: 0, errmsg: "OK"}`.
 */
const smsInbound: FastifyPluginAsyncTypebox<SmsInboundOptions> = async (app, opts) => {
  app.post(
    '/inbound',
    {
      schema: {
        tags: ['sms'],
        summary: 'The SMS provider’s reply callback (上行短信): T, TD or 退订 unsubscribes the number from marketing SMS',
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: false }),
        body: ReplySchema,
        response: {
          200: Type.Object({ result: Type.Integer(), errmsg: Type.String() }),
          ...errorResponses(400, 401, 413, 415, 503),
        },
      },
    },
    async (request) => {
      if (!opts.token) throw new ServiceUnavailable('the SMS reply callback is not configured (SMS_INBOUND_TOKEN)')
      if (!request.query.token || !sameSecret(request.query.token, opts.token)) throw new Unauthorized('the callback token does not match')
      const phone = normalisePhone(request.body.mobile, request.body.nationcode)
      if (!phone) throw new ValidationFailed('mobile: not a phone number')
      const handled = await opts.replies.receive(request.body, phone)
      request.log.info({ reply: handled.id, duplicate: handled.duplicate, unsubscribe: handled.unsubscribe }, 'SMS reply')
      return { result: 0, errmsg: 'OK' }
    },
  )
}
export default smsInbound
