
import type { wechatTokenModel } from './token-model.js'

export interface StoredToken {
  accessToken: string
  expireTime: number
}

/** Access tokens shared by every process (wechat-api's getToken/saveToken). */
export class WechatTokenRepository {
  constructor(private readonly WechatToken: ReturnType<typeof wechatTokenModel>) {}

  async get(appid: string): Promise<StoredToken | null> {
    const doc = await this.WechatToken.findOne({ appid }, { accessToken: 1, expireTime: 1 }).lean()
    return doc ? { accessToken: doc.accessToken, expireTime: doc.expireTime } : null
  }

  async save(appid: string, token: StoredToken): Promise<void> {
    await this.WechatToken.updateOne({ appid }, { $set: token }, { upsert: true })
  }

  /** Drops the stored token only if it is still the stale one, so a fresh token another process saved survives. */
  async discard(appid: string, staleToken: string): Promise<void> {
    await this.WechatToken.deleteOne({ appid, accessToken: staleToken })
  }
}
