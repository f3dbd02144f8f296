import type { Config } from '../config.js'
import type { SmsProvider } from './provider.js'
import { TencentSmsProvider } from './tencent.js'

export { SmsSendError, SmsUnreachableError, toE164, type SmsFailure, type SmsProvider, type SmsSend } from './provider.js'
export { TencentSmsProvider, tc3Authorization, tencentFailure } from './tencent.js'

export type SmsConfig = Partial<
  Pick<Config, 'SMS_API_BASE' | 'SMS_SDK_APP_ID' | 'SMS_SECRET_ID' | 'SMS_SECRET_KEY' | 'SMS_REGION' | 'SMS_SIGN_NAME' | 'SMS_TEMPLATE_MARKETING' | 'SMS_INBOUND_TOKEN' | 'SMS_TIMEOUT_MS'>
>

/** What the SMS channel needs beyond the provider: the marketing template and the reply callback's token. */
export interface SmsSetup {
  provider: SmsProvider
  /** the approved marketing template: one variable, the whole text (ending with the unsubscribe instruction) */
  marketingTemplateId: string
}

const REQUIRED = ['SMS_SDK_APP_ID', 'SMS_SECRET_ID', 'SMS_SECRET_KEY', 'SMS_SIGN_NAME', 'SMS_TEMPLATE_MARKETING'] as const

/**
 * The SMS provider the settings describe (Tencent Cloud SMS), or null with what is missing: without every one of
 * SMS_SDK_APP_ID, SMS_SECRET_ID, SMS_SECRET_KEY, SMS_SIGN_NAME and SMS_TEMPLATE_MARKETING the SMS channel is off.
 */
export function smsFromConfig(config: SmsConfig): { setup: SmsSetup; missing: [] } | { setup: null; missing: string[] } {
  const missing = REQUIRED.filter((k) => !config[k])
  if (missing.length > 0) return { setup: null, missing }
  const provider = new TencentSmsProvider({
    baseUrl: config.SMS_API_BASE ?? 'https://sms.tencentcloudapi.com',
    sdkAppId: config.SMS_SDK_APP_ID!,
    secretId: config.SMS_SECRET_ID!,
    secretKey: config.SMS_SECRET_KEY!,
    region: config.SMS_REGION ?? 'ap-guangzhou',
    signName: config.SMS_SIGN_NAME!,
    timeoutMs: config.SMS_TIMEOUT_MS ?? 5000,
  })
  return { setup: { provider, marketingTemplateId: config.SMS_TEMPLATE_MARKETING! }, missing: [] }
}
