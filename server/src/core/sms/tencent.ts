import { createHash, createHmac } from 'node:crypto'
import { SmsSendError, SmsUnreachableError, toE164, type SmsFailure, type SmsProvider, type SmsSend } from './provider.js'

export interface TencentSmsOptions {
  /** https://sms.tencentcloudapi.com in production; the sandbox's URL in tests and the demo */
  baseUrl: string
  /** the SMS application's SdkAppId (1400…) */
  sdkAppId: string
  /** the API key pair (CAM: a sub-account with only the SMS send permission) */
  secretId: string
  secretKey: string
  /** the API region (ap-guangzhou) */
  region: string
  /** the approved signature (签名内容), e.g. the brand's name */
  signName: string
  timeoutMs: number
}

const SERVICE = 'sms'
const VERSION = '2021-01-11'

/** Codes a later attempt may get past: rate limits and the provider's own trouble. */
const RETRY = [/^LimitExceeded\.(PhoneNumberThirtySecondLimit|PhoneNumberOneHourLimit|DeliveryFrequencyLimit)$/, /^RequestLimitExceeded/, /^InternalError/, /^FailedOperation\.InsufficientBalanceInSmsPackage$/]

/** What a Tencent Cloud SMS error code means for the message (see SmsFailure). */
export function tencentFailure(code: string): SmsFailure {
  if (code === 'LimitExceeded.PhoneNumberDailyLimit') return 'next_day'
  if (code === 'FailedOperation.PhoneNumberInBlacklist') return 'blocked'
  if (RETRY.some((r) => r.test(code))) return 'retry'
  return 'permanent'
}

/**
 * Tencent Cloud API 3.0's request signature, TC3-HMAC-SHA256: a canonical request (method, path `/`, no query,
 * the signed headers content-type and host, the body's SHA-256) hashed into a string to sign with the timestamp and
 * the credential scope `{date}/sms/tc3_request`, signed by a key derived from the secret key through the UTC date, the
 * service and `tc3_request`. Answers the Authorization header.
 */
export function tc3Authorization(o: { secretId: string; secretKey: string; host: string; contentType: string; body: string; timestamp: number }): string {
  const date = new Date(o.timestamp * 1000).toISOString().slice(0, 10)
  const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')
  const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest()
  const signedHeaders = 'content-type;host'
  const canonicalRequest = ['POST', '/', '', `content-type:${o.contentType.toLowerCase()}\nhost:${o.host.toLowerCase()}\n`, signedHeaders, sha256(o.body)].join('\n')
  const scope = `${date}/${SERVICE}/tc3_request`
  const stringToSign = ['TC3-HMAC-SHA256', String(o.timestamp), scope, sha256(canonicalRequest)].join('\n')
  const signingKey = hmac(hmac(hmac('TC3' + o.secretKey, date), SERVICE), 'tc3_request')
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex')
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
}

interface SendSmsAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string }
    SendStatusSet?: { SerialNo?: string; PhoneNumber?: string; Code?: string; Message?: string; Fee?: number }[]
    RequestId?: string
  }
}

/**
 * Tencent Cloud SMS `SendSms` (API 3.0, version 2021-01-11): a POST of JSON to the API host with the action, version,
 * region and timestamp in X-TC-* headers, signed with TC3-HMAC-SHA256. One number per call here (the API takes up to
 * 200). A request-level error comes back as `Response.Error {Code, Message}`; each number's outcome as
 * `Response.SendStatusSet[i] {Code: "Ok" | "LimitExceeded.PhoneNumberDailyLimit" | …, SerialNo}`.
 */
export class TencentSmsProvider implements SmsProvider {
  readonly name = 'tencent-cloud-sms'

  constructor(private readonly options: TencentSmsOptions) {}

  get signName(): string {
    return this.options.signName
  }

  async send(sms: SmsSend): Promise<{ bizId: string }> {
    const url = new URL('/', this.options.baseUrl)
    const body = JSON.stringify({
      PhoneNumberSet: [toE164(sms.phone)],
      SmsSdkAppId: this.options.sdkAppId,
      SignName: this.options.signName,
      TemplateId: sms.templateId,
      TemplateParamSet: sms.params,
      ...(sms.context ? { SessionContext: sms.context } : {}),
    })
    const contentType = 'application/json; charset=utf-8'
    // the provider checks the timestamp against its own clock (within 5 minutes): the real time, not the app's clock
    const timestamp = Math.floor(Date.now() / 1000)
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          authorization: tc3Authorization({ secretId: this.options.secretId, secretKey: this.options.secretKey, host: url.host, contentType, body, timestamp }),
          'x-tc-action': 'SendSms',
          'x-tc-version': VERSION,
          'x-tc-region': this.options.region,
          'x-tc-timestamp': String(timestamp),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
    } catch (error) {
      throw new SmsUnreachableError((error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (error as Error).message)
    }
    const text = await response.text()
    if (response.status >= 500) throw new SmsUnreachableError(`HTTP ${response.status}`)
    let answer: SendSmsAnswer
    try {
      answer = JSON.parse(text) as SendSmsAnswer
    } catch {
      throw new SmsUnreachableError(`HTTP ${response.status} with a body that is not JSON`)
    }
    const error = answer.Response?.Error
    if (error?.Code) throw new SmsSendError(error.Code, error.Message ?? '', tencentFailure(error.Code))
    const status = answer.Response?.SendStatusSet?.[0]
    if (!status?.Code) throw new SmsUnreachableError(`HTTP ${response.status} without a send status`)
    if (status.Code !== 'Ok') throw new SmsSendError(status.Code, status.Message ?? '', tencentFailure(status.Code))
    return { bizId: status.SerialNo ?? answer.Response?.RequestId ?? '' }
  }
}
