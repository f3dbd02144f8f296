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

describe('the test database under concurrency', () => {
  it('applies concurrent updates of one document atomically, as MongoDB does (none lost, one CAS winner)', async () => {
    const client = new MongoClient(inject('mongoUri'), { maxPoolSize: 50, serverSelectionTimeoutMS: 5000 })
    try {
      const coll = client.db(`atomic_${Date.now()}`).collection<{ _id: number; n: number; arr: number[]; rev: number }>('doc')
      await coll.insertOne({ _id: 1, n: 0, arr: [], rev: 0 })
      await Promise.all(Array.from({ length: 50 }, () => coll.updateOne({ _id: 1 }, { $inc: { n: 1 } })))
      await Promise.all(Array.from({ length: 50 }, (_, i) => coll.updateOne({ _id: 1 }, { $push: { arr: i } })))
      await Promise.all(Array.from({ length: 50 }, () => coll.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } })))
      const cas = await Promise.all(Array.from({ length: 50 }, () => coll.updateOne({ _id: 1, rev: 0 }, { $inc: { rev: 1 } })))
      const doc = (await coll.findOne({ _id: 1 }))!
      expect(doc.n).toBe(100)
      expect(doc.arr).toHaveLength(50)
      expect(cas.filter((r) => r.modifiedCount === 1)).toHaveLength(1)
      await coll.drop()
    } finally {
      await client.close()
    }
  })

  it('runs a bulk write of 300 updates while others read and write (batched ingestion sends such commands)', async () => {
    const client = new MongoClient(inject('mongoUri'), { maxPoolSize: 50, serverSelectionTimeoutMS: 5000 })
    try {
      const coll = client.db(`bulk_${Date.now()}`).collection<{ _id: string; n: number }>('docs')
      const ids = Array.from({ length: 300 }, (_, i) => `d${i}`)
      await coll.insertMany(ids.map((_id) => ({ _id, n: 0 })))
      const bulk = coll.bulkWrite(
        ids.map((_id) => ({ updateOne: { filter: { _id, n: 0 }, update: { $inc: { n: 1 } } } })),
        { ordered: false },
      )
      const others = Promise.all(Array.from({ length: 20 }, (_, i) => coll.updateOne({ _id: ids[i]! }, { $inc: { n: 10 } }).then(() => coll.find({ _id: { $in: ids.slice(0, 50) } }).toArray())))
      const [result] = await Promise.all([bulk, others])
      // each of the first 20 went up by 10 either before (so the bulk's guard missed it) or after the bulk's update
      const docs = await coll.find({ _id: { $in: ids } }).toArray()
      expect(docs).toHaveLength(300)
      expect(docs.reduce((sum, d) => sum + d.n, 0)).toBe(result.modifiedCount + 200)
      expect(result.modifiedCount).toBeGreaterThanOrEqual(280)
      await coll.drop()
    } finally {
      await client.close()
    }
  })
})
