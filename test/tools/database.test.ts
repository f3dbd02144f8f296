import { MongoClient } from 'mongodb'
import { Socket } from 'node:net'
import { describe, expect, inject, it } from 'vitest'

describe('the test database', () => {
  it('is a real MongoDB-protocol server listening on TCP', async () => {
    const uri = new URL(inject('mongoUri'))
    console.info(`test database: ${inject('databaseDescription')}`)
    // a raw TCP connection to the port proves it is a separate server, not an in-process imitation
    await new Promise<void>((resolve, reject) => {
      const socket = new Socket()
      socket.once('connect', () => (socket.destroy(), resolve()))
      socket.once('error', reject)
      socket.connect(Number(uri.port || 27017), uri.hostname)
    })
    const client = new MongoClient(uri.toString(), { serverSelectionTimeoutMS: 5000 })
    try {
      const hello = await client.db('admin').command({ hello: 1 })
      expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8)
      const build = await client.db('admin').command({ buildInfo: 1 })
      expect(build.version).toMatch(/^\d+\.\d+/)
      if (inject('databaseKind') === 'ferretdb') expect(build.ferretdb?.version ?? build.ferretdbVersion).toMatch(/v1\.24/)
      // a write and a read back over the wire
      const coll = client.db(`probe_${Date.now()}`).collection('probe')
      await coll.insertOne({ n: 1 })
      expect(await coll.countDocuments()).toBe(1)
      await coll.drop()
    } finally {
      await client.close()
    }
  })
})
