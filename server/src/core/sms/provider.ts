/**
 * A cloud SMS provider, as the product uses one: send one templated SMS to one phone number under the brand's
 * approved signature (签名) and template (模板). Chinese providers (Tencent Cloud SMS, Aliyun dysms) all work this way:
 * the text is an approved template whose variables the caller fills, shown after the signature as 【签名】.
 */
export interface SmsSend {
  /** the number in the product's spelling (normalisePhone: 11 digits for mainland China, else +E.164) */
  phone: string
  templateId: string
  /** the template's variables, in order */
  params: string[]
  /** handed back by the provider's delivery reports (ours: the message id) */
  context?: string
}

export interface SmsProvider {
  /** the provider's name, for logs and reasons */
  readonly name: string
  /** the approved signature every SMS carries (【…】 in front of the text): the brand's name */
  readonly signName: string
  /** sends; answers the provider's id of the SMS, throws SmsSendError / SmsUnreachableError */
  send(sms: SmsSend): Promise<{ bizId: string }>
}

/**
 * What a provider's refusal means for the message: `retry` later (rate limits, the provider's own errors), `next_day`
 * (the number's daily limit), `blocked` (the number refuses marketing SMS: carrier blacklist or an unsubscribe
 * recorded by the provider), `permanent` (bad number, unapproved template or signature, credentials: no retry helps).
 */
export type SmsFailure = 'retry' | 'next_day' | 'blocked' | 'permanent'

/** The provider answered and refused the SMS with its error code. */
export class SmsSendError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly failure: SmsFailure,
  ) {
    super(`${code}: ${detail}`)
    this.name = 'SmsSendError'
  }
}

/** The provider did not answer (network, timeout, 5xx, a body that is not its JSON): worth a retry. */
export class SmsUnreachableError extends Error {
  constructor(reason: string) {
    super(`the SMS provider is unreachable: ${reason}`)
    this.name = 'SmsUnreachableError'
  }
}

/** The product's spelling of a number (11 digits for mainland China, else +E.164) as E.164 for the provider. */
export function toE164(phone: string): string {
  if (phone.startsWith('+')) return phone
  if (/^1\d{10}$/.test(phone)) return `+86${phone}`
  return `+${phone}`
}
