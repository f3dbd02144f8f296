import type { Connection } from 'mongoose'
import { memberModel } from './member.js'
import { tierModel } from './tier.js'
import { wechatTokenModel } from './wechat-token.js'

/** Builds every model on one connection; nothing binds to mongoose's global connection. */
export function createModels(connection: Connection) {
  return {
    Member: memberModel(connection),
    Tier: tierModel(connection),
    WechatToken: wechatTokenModel(connection),
  }
}
export type Models = ReturnType<typeof createModels>
