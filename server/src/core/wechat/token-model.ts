import { Schema, type Connection } from 'mongoose'

/** The access token of each WeChat app, shared by every server process (DESIGN.md §3). */
export const wechatTokenSchema = new Schema(
  {
    appid: { type: String, required: true },
    accessToken: { type: String, required: true },
    /** epoch milliseconds, already shortened by a safety margin */
    expireTime: { type: Number, required: true },
  },
  { timestamps: true, collection: 'wechat_tokens' },
)
// one token per app: processes that fetch a token at the same time overwrite one document, never add a second
wechatTokenSchema.index({ appid: 1 }, { unique: true })

export function wechatTokenModel(connection: Connection) {
  return connection.model('WechatToken', wechatTokenSchema)
}
