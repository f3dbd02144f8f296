import mongoose from 'mongoose'
import { createModels } from '../server/src/models/index.js'
import { LedgerService } from '../server/src/services/ledger.js'
import { PolicyStore } from '../server/src/services/policy-store.js'
import { reconcile } from '../server/src/services/reconcile.js'
import { TierTable } from '../server/src/services/tier-table.js'
import { TierRepository } from '../server/src/repositories/tiers.js'

/**
 * `npm run reconcile` (MONGODB_URI must name the database): proves every member's balances equal the ledger sums
 * and lots; prints each difference and exits 1 if there is one.
 */
const uri = process.env.MONGODB_URI
if (!uri) {
  console.error('set MONGODB_URI to the database to check, e.g. MONGODB_URI=mongodb://127.0.0.1:27017/member_center')
  process.exit(2)
}
const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise()
try {
  const models = createModels(connection)
  const ledger = new LedgerService(models, new PolicyStore(models), new TierTable(new TierRepository(models)))
  const { members, differences } = await reconcile(models, ledger)
  for (const d of differences) console.log(`member ${d.memberId}: ${d.field} is ${d.member} on the member, ${d.ledger} in the ledger`)
  console.log(differences.length === 0 ? `✔ ${members} members reconcile with their ledgers` : `✘ ${differences.length} differences in ${members} members`)
  process.exitCode = differences.length === 0 ? 0 : 1
} finally {
  await connection.close()
}
