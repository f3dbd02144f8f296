import type { Connection } from 'mongoose'
import { domainEventModel } from './domain-event.js'
import { jobModel } from './job.js'
import { ledgerModels } from './ledger.js'
import { memberModel } from './member.js'
import { phoneBindingModel } from './phone-binding.js'
import { settingsModels } from './settings.js'
import { shopModels } from './shop.js'
import { tierModel } from './tier.js'
import { wechatTokenModel } from './wechat-token.js'

/** Builds every model on one connection; nothing binds to mongoose's global connection. */
export function createModels(connection: Connection) {
  return {
    Member: memberModel(connection),
    PhoneBinding: phoneBindingModel(connection),
    Tier: tierModel(connection),
    WechatToken: wechatTokenModel(connection),
    DomainEvent: domainEventModel(connection),
    Job: jobModel(connection),
    ...ledgerModels(connection),
    ...shopModels(connection),
    ...settingsModels(connection),
  }
}
export type Models = ReturnType<typeof createModels>
