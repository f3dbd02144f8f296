import { Type, type Static } from '@sinclair/typebox'
import { envSchema } from 'env-schema'

/** Every setting the server reads, validated at boot. `.env.example` lists them with their defaults. */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ default: 3000 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  MONGODB_URI: Type.String({ description: 'mongodb://… including the database name' }),
  JWT_SECRET: Type.String({ minLength: 32 }),
  JWT_EXPIRES_IN_SECONDS: Type.Integer({ default: 7 * 24 * 3600, minimum: 60 }),
  MEMBER_CODE_SECRET: Type.String({ minLength: 32 }),
  WECHAT_APPID: Type.String({ minLength: 1 }),
  WECHAT_SECRET: Type.String({ minLength: 1 }),
  /** https://api.weixin.qq.com in production; the sandbox's URL in tests and the demo */
  WECHAT_API_BASE: Type.String({ default: 'https://api.weixin.qq.com' }),
  WECHAT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100 }),
  /** the brand's Official Account, for template messages (optional) */
  WECHAT_OA_APPID: Type.Optional(Type.String()),
  WECHAT_OA_SECRET: Type.Optional(Type.String()),
  /**
   * WeChat message push (消息推送) for the mini-program: the Token configured in its console (3–32 letters and digits)
   * and, for secure mode, the EncodingAESKey (43 characters); /api/wechat/push answers 503 without the token
   */
  WECHAT_PUSH_TOKEN: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{3,32}$' })),
  WECHAT_PUSH_AES_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{43}$' })),
  /** the same for the Official Account's push (/api/wechat/oa-push): follows and unfollows */
  WECHAT_OA_PUSH_TOKEN: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{3,32}$' })),
  WECHAT_OA_PUSH_AES_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{43}$' })),
  /**
   * SMS, the marketing channel for members with a phone number (Tencent Cloud SMS `SendSms`, API 3.0): all of
   * SMS_SDK_APP_ID, SMS_SECRET_ID, SMS_SECRET_KEY, SMS_SIGN_NAME and SMS_TEMPLATE_MARKETING turn it on; without them
   * marketing reaches members through WeChat and the inbox only. SMS_API_BASE is the sandbox's URL in tests and the demo.
   */
  SMS_API_BASE: Type.String({ default: 'https://sms.tencentcloudapi.com', pattern: '^https?://' }),
  SMS_SDK_APP_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  SMS_SECRET_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  SMS_SECRET_KEY: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  SMS_REGION: Type.String({ default: 'ap-guangzhou' }),
  /** the approved signature (签名), shown as 【…】 in front of every SMS */
  SMS_SIGN_NAME: Type.Optional(Type.String({ minLength: 2, maxLength: 16 })),
  /** the approved marketing template's id: one variable, the whole text (the server ends it with 回T退订) */
  SMS_TEMPLATE_MARKETING: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  /** the secret in the reply callback's URL (/api/sms/inbound?token=…); the callback answers 503 without it */
  SMS_INBOUND_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
  SMS_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100 }),
  /** the shared secret the shop signs its webhooks with (HMAC-SHA256); the webhook answers 503 without it */
  SHOP_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** run the job worker (points confirmation, expiry, reviews) in this process */
  WORKER_ENABLED: Type.Boolean({ default: true }),
  /** logins allowed per client IP per minute */
  LOGIN_RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 20, minimum: 1 }),
  /**
   * this API's public origin (https://api.example.com): the absolute links WeChat fetches (review photos sent to
   * media_check_async). Defaults to http://localhost:{PORT}.
   */
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/?#]+$' })),
  /** serve the H5 build from this directory at / (optional) */
  H5_DIR: Type.Optional(Type.String()),
  TRUST_PROXY: Type.Boolean({ default: false }),
})
export type Config = Static<typeof ConfigSchema>

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return envSchema<Config>({ schema: ConfigSchema, data: env, dotenv: false })
}
