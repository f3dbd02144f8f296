import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { inject } from 'vitest'

/** A fresh database on the run's real server (see test/global-setup.ts), dropped by `drop()`. */
export function freshDatabaseUri(): { uri: string; name: string; drop: () => Promise<void> } {
  const base = inject('mongoUri')
  const name = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    uri: url.toString(),
    name,
    async drop() {
      const client = new MongoClient(url.toString(), { serverSelectionTimeoutMS: 5000 })
      try {
        await client.db(name).dropDatabase()
      } finally {
        await client.close()
      }
    },
  }
}
