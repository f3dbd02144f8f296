import mongoose from 'mongoose'
import type { Readable } from 'node:stream'

/** A stored file: its size, and its bytes as a stream opened on demand (a 304 opens none). */
export interface StoredFile {
  length: number
  stream(): Readable
}

/**
 * Where photo files live. GridFS by default (nothing more to run); an S3-compatible store implements the same three
 * calls (PutObject, GetObject, DeleteObject) with the key as the object name.
 */
export interface PhotoStorage {
  /** stores the bytes and answers the key to read or delete them by */
  put(bytes: Buffer, info: { name: string; contentType: string; photoId: string }): Promise<string>
  /** the file, or null when there is none under the key */
  get(key: string): Promise<StoredFile | null>
  /** deletes the file; a key with no file is not an error (deletes are repeated after a crash) */
  delete(key: string): Promise<void>
}

/**
 * GridFS on the app's connection (the driver's GridFSBucket: a files and a chunks collection, with the indexes the
 * driver creates on the first upload). Keys are the files' ObjectIds in hex.
 */
export class GridFsPhotoStorage implements PhotoStorage {
  private readonly bucket: mongoose.mongo.GridFSBucket

  constructor(db: mongoose.mongo.Db, bucketName = 'review_photo_files') {
    this.bucket = new mongoose.mongo.GridFSBucket(db, { bucketName })
  }

  async put(bytes: Buffer, info: { name: string; contentType: string; photoId: string }): Promise<string> {
    const upload = this.bucket.openUploadStream(info.name, { metadata: { contentType: info.contentType, photoId: info.photoId } })
    await new Promise<void>((resolve, reject) => {
      upload.once('error', reject)
      upload.once('finish', () => resolve())
      upload.end(bytes)
    })
    return upload.id.toString()
  }

  async get(key: string): Promise<StoredFile | null> {
    const id = objectId(key)
    if (!id) return null
    const file = await this.bucket.find({ _id: id }, { limit: 1 }).next()
    if (!file) return null
    return { length: file.length, stream: () => this.bucket.openDownloadStream(id) }
  }

  async delete(key: string): Promise<void> {
    const id = objectId(key)
    if (!id) return
    try {
      await this.bucket.delete(id)
    } catch (error) {
      // gone already (a repeated delete after a crash): what was asked is true
      if ((error as { name?: string }).name !== 'MongoRuntimeError' || !/File not found/i.test(String((error as Error).message))) throw error
    }
  }
}

function objectId(key: string): mongoose.mongo.ObjectId | null {
  return /^[0-9a-f]{24}$/.test(key) ? new mongoose.mongo.ObjectId(key) : null
}
