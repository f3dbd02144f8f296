import type { Connection } from 'mongoose'
import { ledgerModels } from './ledger.js'
import { openingModel } from './opening.js'
import { orderModel } from './order.js'
import { tierModel } from './tier.js'

/** The loyalty module's models: the two ledgers and the tier log, orders, the tier table, migrated opening balances. */
export function loyaltyModels(connection: Connection) {
  return { ...ledgerModels(connection), Order: orderModel(connection), Tier: tierModel(connection), OpeningBalance: openingModel(connection) }
}
export type LoyaltyModels = ReturnType<typeof loyaltyModels>
