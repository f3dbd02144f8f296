import { ErrorCodes, MAX_UNATTACHED_PHOTOS_PER_DAY } from '@member-center/shared'
import type { LightMyRequestResponse } from 'fastify'
import { Types } from 'mongoose'
import { randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'

/**
 * Review photos through HTTP with real tokens: the type from the bytes, the limits, photos re-encoded with no
 * metadata, who may read them (author, staff, signed links, everyone once published), attaching to reviews, WeChat's
 * check link and the sweep of unused photos with their GridFS files.
 */

const PUBLIC_BASE_URL = 'https://api.brand.test'
const t = useTestApp({ PUBLIC_BASE_URL })

// ---- images made here with sharp ----

const solid = (width: number, height: number, background = '#b85c38') => sharp({ create: { width, height, channels: 3, background } })

/** An 800×600 JPEG whose EXIF says: rotate 90° (orientation 6), taken at 31°14′N 121°28′E, with a camera make. */
async function jpegWithGps(): Promise<Buffer> {
  return solid(800, 600)
    .jpeg()
    .withExif({ IFD0: { Make: 'TestCam', Model: 'GPS-1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '31/1 14/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '121/1 28/1 0/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer()
}

/** The EXIF tags of IFD0 and of the GPS IFD, read from the raw EXIF block sharp's metadata gives. */
function exifTags(exif: Buffer): { ifd0: Set<number>; gps: Set<number> } {
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0)
  const le = tiff.toString('latin1', 0, 2) === 'II'
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at))
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at))
  const ifd = (at: number) => {
    const tags = new Map<number, number>()
    for (let i = 0; i < u16(at); i++) tags.set(u16(at + 2 + i * 12), u32(at + 2 + i * 12 + 8))
    return tags
  }
  const ifd0 = ifd(u32(4))
  const gps = ifd0.has(0x8825) ? ifd(ifd0.get(0x8825)!) : new Map()
  return { ifd0: new Set(ifd0.keys()), gps: new Set(gps.keys()) }
}

// ---- HTTP ----

function form(bytes: Buffer, { filename = 'photo.jpg', contentType = 'image/jpeg', extra = '' } = {}) {
  const boundary = `----photo-test-${randomBytes(6).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(`${extra.replaceAll('BOUNDARY', boundary)}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

const auth = (token: string | undefined) => (token ? { authorization: `Bearer ${token}` } : {})

function upload(token: string, bytes: Buffer, options: Parameters<typeof form>[1] = {}) {
  const { payload, headers } = form(bytes, options)
  return t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload, headers: { ...headers, ...auth(token) } })
}

async function uploaded(token: string, bytes: Buffer, options: Parameters<typeof form>[1] = {}) {
  const response = await upload(token, bytes, options)
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { id: string; url: string; thumbUrl: string; width: number; height: number }
}

const get = (url: string, token?: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { ...auth(token), ...headers } })

function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.json()).toMatchObject({ statusCode: status, code })
}

/** The stored state: photo records and GridFS files (both its collections). */
async function stored() {
  const db = t.app.db.connection.db!
  const [records, files, chunks] = await Promise.all([
    t.app.db.connection.model('ReviewPhoto').countDocuments(),
    db.collection('review_photo_files.files').countDocuments(),
    db.collection('review_photo_files.chunks').countDocuments(),
  ])
  return { records, files, chunks }
}

const plain = (id: string, size: 'full' | 'thumb' = 'full') => `/api/reviews/photos/${id}?size=${size}`
const reviewId = () => new Types.ObjectId().toString()

describe('review photos', () => {
  let alice: { token: string; memberId: string }
  let bob: { token: string; memberId: string }
  let admin: string
  const start = new Date('2026-03-10T02:00:00.000Z')

  beforeAll(async () => {
    alice = await t.login('alice')
    bob = await t.login('bob')
    admin = t.adminToken()
  })

  describe('POST /api/reviews/photos', () => {
    it('re-encodes a JPEG carrying GPS EXIF with no EXIF at all, upright, full and thumbnail', async () => {
      const original = await jpegWithGps()
      // the fixture provably carries GPS coordinates and the orientation
      const before = await sharp(original).metadata()
      expect(before.orientation).toBe(6)
      const tags = exifTags(before.exif!)
      expect(tags.ifd0.has(0x8825), 'GPS IFD pointer').toBe(true)
      expect(tags.gps.has(2), 'GPSLatitude').toBe(true)
      expect(tags.gps.has(4), 'GPSLongitude').toBe(true)

      const photo = await uploaded(alice.token, original)
      // orientation 6 applied: the 800×600 photo stands 600×800
      expect(photo).toMatchObject({ width: 600, height: 800 })
      expect(photo.url).toMatch(new RegExp(`^/api/reviews/photos/${photo.id}\\?size=full&exp=\\d+&sig=[\\w-]{43}$`))
      expect(photo.thumbUrl).toMatch(new RegExp(`^/api/reviews/photos/${photo.id}\\?size=thumb&exp=\\d+&sig=[\\w-]{43}$`))

      for (const [url, size] of [[photo.url, [600, 800]], [photo.thumbUrl, [300, 400]]] as const) {
        const response = await get(url)
        expect(response.statusCode, response.body).toBe(200)
        expect(response.headers['content-type']).toBe('image/jpeg')
        const after = await sharp(response.rawPayload).metadata()
        expect(after.format).toBe('jpeg')
        expect([after.width, after.height]).toEqual(size)
        expect(after.exif).toBeUndefined()
        expect(after.xmp).toBeUndefined()
        expect(after.iptc).toBeUndefined()
        expect(after.icc).toBeUndefined()
        expect(after.orientation).toBeUndefined()
        // and no trace of the camera or the coordinates anywhere in the bytes
        expect(response.rawPayload.includes('TestCam')).toBe(false)
        expect(response.rawPayload.includes('Exif\0\0')).toBe(false)
      }

      const record = await t.app.db.connection.model('ReviewPhoto').findById(photo.id).lean<Record<string, unknown>>()
      expect(record).toMatchObject({ format: 'jpeg', sourceFormat: 'jpeg', width: 600, height: 800, reviewId: null, published: false })
      expect(String(record!.memberId)).toBe(alice.memberId)
      expect(record!.bytes).toBeGreaterThan(0)
      expect((record!.createdAt as Date).toISOString()).toBe(start.toISOString())
    })

    it('accepts PNG (transparency made white) and WebP, re-encoded as JPEG', async () => {
      const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer()
      const webp = await solid(320, 240).webp().toBuffer()
      for (const [bytes, format, name] of [[png, 'png', 'a.png'], [webp, 'webp', 'b.webp']] as const) {
        const photo = await uploaded(alice.token, bytes, { filename: name, contentType: `image/${format}` })
        const file = await get(photo.url)
        expect(file.statusCode).toBe(200)
        const meta = await sharp(file.rawPayload).metadata()
        expect(meta.format).toBe('jpeg')
        expect(meta.hasAlpha).toBe(false)
        expect(await t.app.db.connection.model('ReviewPhoto').findById(photo.id).lean()).toMatchObject({ sourceFormat: format, format: 'jpeg' })
        if (format === 'png') {
          const { data } = await sharp(file.rawPayload).raw().toBuffer({ resolveWithObject: true })
          expect(data[0]).toBeGreaterThan(240)
        }
      }
    })

    it('decides the type from the bytes: a JPEG named .png with a wrong declared type is taken', async () => {
      const photo = await uploaded(alice.token, await solid(100, 80).jpeg().toBuffer(), { filename: 'x.png', contentType: 'application/octet-stream' })
      expect(photo).toMatchObject({ width: 100, height: 80 })
    })

    it('refuses a file named .jpg that is not an image, and stores nothing', async () => {
      const before = await stored()
      expectError(await upload(alice.token, Buffer.from('this is a text file, not a photo\n'.repeat(20)), { filename: 'holiday.jpg' }), 415, ErrorCodes.PHOTO_NOT_IMAGE)
      // a PNG signature on garbage, and a JPEG cut short
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)])
      expectError(await upload(alice.token, png, { filename: 'a.png', contentType: 'image/png' }), 415, ErrorCodes.PHOTO_NOT_IMAGE)
      const jpeg = await solid(400, 300).jpeg().toBuffer()
      expectError(await upload(alice.token, jpeg.subarray(0, 150)), 415, ErrorCodes.PHOTO_NOT_IMAGE)
      // an SVG is never decoded (a script-carrying "image")
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>')
      expectError(await upload(alice.token, svg, { filename: 'a.svg', contentType: 'image/svg+xml' }), 415, ErrorCodes.PHOTO_NOT_IMAGE)
      expect(await stored()).toEqual(before)
    })

    it('refuses HEIC (not decoded by the prebuilt library) and GIF with PHOTO_UNSUPPORTED', async () => {
      const before = await stored()
      const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), randomBytes(2000)])
      const response = await upload(alice.token, heic, { filename: 'IMG_0001.HEIC', contentType: 'image/heic' })
      expectError(response, 415, ErrorCodes.PHOTO_UNSUPPORTED)
      expect(response.json().message).toContain('HEIC')
      expectError(await upload(alice.token, await solid(20, 20).gif().toBuffer(), { filename: 'a.gif' }), 415, ErrorCodes.PHOTO_UNSUPPORTED)
      expect(await stored()).toEqual(before)
    })

    it('refuses an 11 MB upload with 413 PHOTO_TOO_LARGE, and stores nothing', async () => {
      const before = await stored()
      const jpeg = await solid(200, 200).jpeg().toBuffer()
      const big = Buffer.concat([jpeg, randomBytes(11 * 1024 * 1024 - jpeg.length)])
      expectError(await upload(alice.token, big), 413, ErrorCodes.PHOTO_TOO_LARGE)
      expect(await stored()).toEqual(before)
    })

    it('refuses a 25-megapixel image with 400 PHOTO_TOO_MANY_PIXELS, and stores nothing', async () => {
      const before = await stored()
      const huge = await solid(5000, 5000).jpeg({ quality: 50 }).toBuffer()
      expect(huge.length).toBeLessThan(10 * 1024 * 1024)
      expectError(await upload(alice.token, huge), 400, ErrorCodes.PHOTO_TOO_MANY_PIXELS)
      // decompression bombs: a 24-megapixel PNG of a few kilobytes, and a PNG whose header claims 30000×30000
      const bomb = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer()
      expect(bomb.length).toBeLessThan(100_000)
      expectError(await upload(alice.token, bomb, { filename: 'bomb.png' }), 400, ErrorCodes.PHOTO_TOO_MANY_PIXELS)
      const forged = await solid(10, 10).png().toBuffer()
      // IHDR: length (4), "IHDR" (4), width, height… then its CRC over type and data
      forged.writeUInt32BE(30_000, 16)
      forged.writeUInt32BE(30_000, 20)
      forged.writeUInt32BE(crc32(forged.subarray(12, 29)), 29)
      expectError(await upload(alice.token, forged, { filename: 'forged.png' }), 400, ErrorCodes.PHOTO_TOO_MANY_PIXELS)
      expect(await stored()).toEqual(before)
    })

    it('takes multipart only, with exactly one file, from a member token', async () => {
      const before = await stored()
      const jpeg = await solid(50, 50).jpeg().toBuffer()
      const json = await t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload: { file: jpeg.toString('base64') }, headers: auth(alice.token) })
      expectError(json, 415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE)
      const raw = await t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload: jpeg, headers: { ...auth(alice.token), 'content-type': 'image/jpeg' } })
      expectError(raw, 415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE)
      expectError(await t.app.inject({ method: 'POST', url: '/api/reviews/photos', headers: auth(alice.token) }), 415, ErrorCodes.UNSUPPORTED_MEDIA_TYPE)
      // a form with a field and no file; a form with two files
      const boundary = 'b0undary'
      const fieldOnly = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`
      expectError(await t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload: fieldOnly, headers: { ...auth(alice.token), 'content-type': `multipart/form-data; boundary=${boundary}` } }), 400, ErrorCodes.VALIDATION_FAILED)
      const secondFile = `--BOUNDARY\r\nContent-Disposition: form-data; name="other"; filename="b.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(100)}\r\n`
      expectError(await upload(alice.token, jpeg, { extra: secondFile }), 400, ErrorCodes.VALIDATION_FAILED)
      const broken = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc`
      const cut = await t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload: broken, headers: { ...auth(alice.token), 'content-type': `multipart/form-data; boundary=${boundary}` } })
      expect(cut.statusCode, cut.body).toBeGreaterThanOrEqual(400)
      expect(cut.statusCode).toBeLessThan(500)
      // no token, a staff token (a member route)
      const { payload, headers } = form(jpeg)
      expectError(await t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload, headers }), 401, ErrorCodes.UNAUTHORIZED)
      expectError(await t.app.inject({ method: 'POST', url: '/api/reviews/photos', payload, headers: { ...headers, ...auth(admin) } }), 401, ErrorCodes.UNAUTHORIZED)
      expect(await stored()).toEqual(before)
    })

    it('keeps GridFS in its two collections with the driver’s indexes', async () => {
      const db = t.app.db.connection.db!
      const names = (await db.listCollections().toArray()).map((c) => c.name)
      expect(names).toEqual(expect.arrayContaining(['review_photo_files.files', 'review_photo_files.chunks']))
      const chunkIndexes = await db.collection('review_photo_files.chunks').indexes()
      expect(chunkIndexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ files_id: 1, n: 1 }) && i.unique)).toBe(true)
      const fileIndexes = await db.collection('review_photo_files.files').indexes()
      expect(fileIndexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ filename: 1, uploadDate: 1 }))).toBe(true)
    })
  })

  describe('GET /api/reviews/photos/:id — who may read a photo', () => {
    let photo: { id: string; url: string; thumbUrl: string }

    beforeAll(async () => {
      t.clock.set(start)
      photo = await uploaded(alice.token, await solid(640, 480, '#2a6f97').jpeg().toBuffer())
    })

    it('lets its author and staff read an unpublished photo by header, and no one else', async () => {
      for (const size of ['full', 'thumb'] as const) {
        const mine = await get(plain(photo.id, size), alice.token)
        expect(mine.statusCode, mine.body).toBe(200)
        expect(mine.headers['cache-control']).toContain('private')
        expect((await get(plain(photo.id, size), admin)).statusCode).toBe(200)
        expectError(await get(plain(photo.id, size), bob.token), 404, ErrorCodes.NOT_FOUND)
        expectError(await get(plain(photo.id, size)), 404, ErrorCodes.NOT_FOUND)
        expectError(await get(plain(photo.id, size), 'garbage'), 404, ErrorCodes.NOT_FOUND)
      }
      // the same answer as for a photo that does not exist
      const missing = await get(plain(new Types.ObjectId().toString()), alice.token)
      const theirs = await get(plain(photo.id), bob.token)
      expect(theirs.json()).toEqual(missing.json())
    })

    it('serves a signed link without a header, with its content type, a private cache and an ETag', async () => {
      const response = await get(photo.url)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('image/jpeg')
      expect(response.headers['cache-control']).toMatch(/^private/)
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length)
      const etag = response.headers.etag as string
      expect(etag).toMatch(/^"[0-9a-f]{24}"$/)
      const again = await get(photo.url, undefined, { 'if-none-match': etag })
      expect(again.statusCode).toBe(304)
      expect(again.rawPayload.length).toBe(0)
      // the thumbnail is another file with another tag
      const thumb = await get(photo.thumbUrl)
      expect(thumb.statusCode).toBe(200)
      expect(thumb.headers.etag).not.toBe(etag)
      expect(thumb.rawPayload.length).toBeLessThan(response.rawPayload.length)
    })

    it('refuses a tampered signature, another size’s or photo’s signature, and a changed expiry', async () => {
      const url = new URL(photo.url, 'http://x')
      const sig = url.searchParams.get('sig')!
      const exp = Number(url.searchParams.get('exp'))
      const tampered = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`
      const other = await uploaded(alice.token, await solid(64, 64).jpeg().toBuffer())
      const otherSig = new URL(other.url, 'http://x').searchParams.get('sig')!
      const thumbSig = new URL(photo.thumbUrl, 'http://x').searchParams.get('sig')!
      for (const bad of [
        `/api/reviews/photos/${photo.id}?size=full&exp=${exp}&sig=${tampered}`,
        `/api/reviews/photos/${photo.id}?size=full&exp=${exp + 3600}&sig=${sig}`,
        `/api/reviews/photos/${photo.id}?size=full&exp=${exp}&sig=${thumbSig}`,
        `/api/reviews/photos/${photo.id}?size=full&exp=${exp}&sig=${otherSig}`,
        `/api/reviews/photos/${photo.id}?size=full&exp=${exp}`,
        `/api/reviews/photos/${photo.id}?size=full&sig=${sig}`,
      ]) {
        expectError(await get(bad), 404, ErrorCodes.NOT_FOUND)
        // a wrong signature is not saved by another member's token either
        expectError(await get(bad, bob.token), 404, ErrorCodes.NOT_FOUND)
      }
      expectError(await get(`/api/reviews/photos/${photo.id}?size=huge`), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await get(`/api/reviews/photos/${photo.id}?size=full&sig=${'x'.repeat(65)}`), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await get('/api/reviews/photos/not-an-id'), 400, ErrorCodes.VALIDATION_FAILED)
    })

    it('a signed link works for an hour (and until its 10-minute step ends), not after', async () => {
      const exp = Number(new URL(photo.url, 'http://x').searchParams.get('exp'))
      expect(exp * 1000 - start.getTime()).toBeGreaterThanOrEqual(3600_000)
      expect(exp * 1000 - start.getTime()).toBeLessThanOrEqual(4200_000)
      t.clock.set(new Date(start.getTime() + 3599_000))
      expect((await get(photo.url)).statusCode).toBe(200)
      t.clock.set(new Date(exp * 1000 - 1))
      expect((await get(photo.url)).statusCode).toBe(200)
      t.clock.set(new Date(exp * 1000))
      expectError(await get(photo.url), 404, ErrorCodes.NOT_FOUND)
      // the author with a header still reads it; a fresh link comes from views()
      expect((await get(photo.url, alice.token)).statusCode).toBe(200)
      const [fresh] = await t.app.reviews.photos.views([photo.id])
      expect((await get(fresh!.url)).statusCode).toBe(200)
      t.clock.set(start)
    })

    it('anyone reads a photo once its review is published; it turns private again when unpublished', async () => {
      const review = reviewId()
      await t.app.reviews.photos.attach(alice.memberId, [photo.id], review)
      expectError(await get(plain(photo.id)), 404, ErrorCodes.NOT_FOUND)
      await t.app.reviews.photos.setPublished(review, true)
      for (const size of ['full', 'thumb'] as const) {
        const response = await get(plain(photo.id, size))
        expect(response.statusCode).toBe(200)
        expect(response.headers['cache-control']).toMatch(/^public/)
        expect((await get(plain(photo.id, size), bob.token)).statusCode).toBe(200)
      }
      // published views carry plain links
      const [view] = await t.app.reviews.photos.views([photo.id])
      expect(view).toMatchObject({ id: photo.id, url: plain(photo.id), thumbUrl: plain(photo.id, 'thumb'), width: 640, height: 480 })
      await t.app.reviews.photos.setPublished(review, false)
      expectError(await get(plain(photo.id)), 404, ErrorCodes.NOT_FOUND)
      expect((await get(plain(photo.id), alice.token)).statusCode).toBe(200)
    })

    it('checkUrl is absolute on the public origin, fetchable by its signature for a day', async () => {
      const url = t.app.reviews.photos.checkUrl(photo.id)
      expect(url.startsWith(`${PUBLIC_BASE_URL}/api/reviews/photos/${photo.id}?size=full&exp=`)).toBe(true)
      const path = url.slice(PUBLIC_BASE_URL.length)
      const response = await get(path)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('image/jpeg')
      t.clock.set(new Date(start.getTime() + 23 * 3600_000))
      expect((await get(path)).statusCode).toBe(200)
      t.clock.set(new Date(start.getTime() + 25 * 3600_000))
      expectError(await get(path), 404, ErrorCodes.NOT_FOUND)
      t.clock.set(start)
    })
  })

  describe('the service the reviews module calls', () => {
    it('attach refuses another member’s photo (404 PHOTO_NOT_FOUND) and one in another review (409 PHOTO_IN_USE), and is idempotent', async () => {
      t.clock.set(start)
      const mine = await uploaded(alice.token, await solid(60, 40).jpeg().toBuffer())
      const second = await uploaded(alice.token, await solid(60, 40).jpeg().toBuffer())
      const theirs = await uploaded(bob.token, await solid(60, 40).jpeg().toBuffer())
      const a = reviewId()
      const b = reviewId()
      const photos = t.app.reviews.photos
      const Photo = t.app.db.connection.model('ReviewPhoto')

      await expect(photos.attach(alice.memberId, [theirs.id], a)).rejects.toMatchObject({ statusCode: 404, code: ErrorCodes.PHOTO_NOT_FOUND })
      await expect(photos.attach(alice.memberId, [new Types.ObjectId().toString()], a)).rejects.toMatchObject({ code: ErrorCodes.PHOTO_NOT_FOUND })
      await expect(photos.attach(alice.memberId, ['nope'], a)).rejects.toMatchObject({ code: ErrorCodes.PHOTO_NOT_FOUND })
      // a list with another member's photo changes nothing, not even the member's own
      await expect(photos.attach(alice.memberId, [mine.id, theirs.id], a)).rejects.toMatchObject({ code: ErrorCodes.PHOTO_NOT_FOUND })
      expect((await Photo.findById(mine.id).lean<{ reviewId: unknown }>())!.reviewId).toBeNull()

      await photos.attach(alice.memberId, [mine.id], a)
      await photos.attach(alice.memberId, [mine.id], a)
      await photos.attach(alice.memberId, [mine.id, second.id], a)
      expect(String((await Photo.findById(mine.id).lean<{ reviewId: unknown }>())!.reviewId)).toBe(a)
      await expect(photos.attach(alice.memberId, [mine.id], b)).rejects.toMatchObject({ statusCode: 409, code: ErrorCodes.PHOTO_IN_USE })
      expect(String((await Photo.findById(mine.id).lean<{ reviewId: unknown }>())!.reviewId)).toBe(a)

      // two reviews claiming one photo at once: one wins
      const contested = await uploaded(alice.token, await solid(60, 40).jpeg().toBuffer())
      const results = await Promise.allSettled([photos.attach(alice.memberId, [contested.id], reviewId()), photos.attach(alice.memberId, [contested.id], reviewId())])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: ErrorCodes.PHOTO_IN_USE } })
    })

    it('views answers in the order asked, leaving out photos that are gone', async () => {
      const one = await uploaded(alice.token, await solid(30, 20).jpeg().toBuffer())
      const two = await uploaded(alice.token, await solid(20, 30).jpeg().toBuffer())
      const views = await t.app.reviews.photos.views([two.id, new Types.ObjectId().toString(), one.id])
      expect(views.map((v) => [v.id, v.width, v.height])).toEqual([[two.id, 20, 30], [one.id, 30, 20]])
      expect(views[0]!.url).toMatch(/&sig=/)
      expect((await get(views[0]!.thumbUrl)).statusCode).toBe(200)
    })

    it('removeFor deletes a review’s photos: records and GridFS files', async () => {
      const review = reviewId()
      const one = await uploaded(alice.token, await solid(40, 40).jpeg().toBuffer())
      const two = await uploaded(alice.token, await solid(40, 40).jpeg().toBuffer())
      await t.app.reviews.photos.attach(alice.memberId, [one.id, two.id], review)
      await t.app.reviews.photos.setPublished(review, true)
      const before = await stored()
      await t.app.reviews.photos.removeFor(review)
      await t.app.reviews.photos.removeFor(review)
      const after = await stored()
      expect(after.records).toBe(before.records - 2)
      expect(after.files).toBe(before.files - 4)
      expect(after.chunks).toBeLessThan(before.chunks)
      expectError(await get(plain(one.id)), 404, ErrorCodes.NOT_FOUND)
      expect(await t.app.reviews.photos.views([one.id, two.id])).toEqual([])
    })

    it(`caps a member at ${MAX_UNATTACHED_PHOTOS_PER_DAY} unattached photos in 24 hours (429 RATE_LIMITED)`, async () => {
      t.clock.set(start)
      const carol = await t.login('carol')
      const jpeg = await solid(16, 16).jpeg().toBuffer()
      const ids: string[] = []
      for (let i = 0; i < MAX_UNATTACHED_PHOTOS_PER_DAY; i++) ids.push((await uploaded(carol.token, jpeg)).id)
      const refused = await upload(carol.token, jpeg)
      expectError(refused, 429, ErrorCodes.RATE_LIMITED)
      expect(refused.json().message).toContain(String(MAX_UNATTACHED_PHOTOS_PER_DAY))
      // others are not affected; a photo used in a review frees its place
      await uploaded(bob.token, jpeg)
      await t.app.reviews.photos.attach(carol.memberId, [ids[0]!], reviewId())
      await uploaded(carol.token, jpeg)
      expectError(await upload(carol.token, jpeg), 429, ErrorCodes.RATE_LIMITED)
      // a day later the old ones no longer count (and the sweep deletes them)
      t.clock.set(new Date(start.getTime() + 24 * 3600_000 + 1000))
      await uploaded(carol.token, jpeg)
      t.clock.set(start)
    })

    it('sweepOrphans deletes unattached photos older than a day and their GridFS files, keeping attached ones', async () => {
      t.clock.set(start)
      const orphan = await uploaded(alice.token, await solid(50, 50).jpeg().toBuffer())
      const kept = await uploaded(alice.token, await solid(50, 50).jpeg().toBuffer())
      await t.app.reviews.photos.attach(alice.memberId, [kept.id], reviewId())
      const Photo = t.app.db.connection.model('ReviewPhoto')
      const record = await Photo.findById(orphan.id).lean<{ originalId: string; thumbId: string }>()
      const files = t.app.db.connection.db!.collection('review_photo_files.files')
      const chunks = t.app.db.connection.db!.collection('review_photo_files.chunks')
      const fileIds = [record!.originalId, record!.thumbId].map((id) => new Types.ObjectId(id))
      expect(await files.countDocuments({ _id: { $in: fileIds } })).toBe(2)

      // not yet a day old: nothing of it goes
      t.clock.set(new Date(start.getTime() + 23 * 3600_000))
      await t.app.reviews.photos.sweepOrphans()
      expect(await Photo.findById(orphan.id).lean()).not.toBeNull()

      t.clock.set(new Date(start.getTime() + 25 * 3600_000))
      const unattachedBefore = await Photo.countDocuments({ reviewId: null, createdAt: { $lt: new Date(start.getTime() + 3600_000) } })
      const swept = await t.app.reviews.photos.sweepOrphans()
      expect(swept).toBeGreaterThanOrEqual(1)
      expect(swept).toBe(unattachedBefore)
      expect(await Photo.findById(orphan.id).lean()).toBeNull()
      expect(await files.countDocuments({ _id: { $in: fileIds } })).toBe(0)
      expect(await chunks.countDocuments({ files_id: { $in: fileIds } })).toBe(0)
      expect(await Photo.findById(kept.id).lean()).not.toBeNull()
      expect((await get(plain(kept.id), alice.token)).statusCode).toBe(200)
      expect(await t.app.reviews.photos.sweepOrphans()).toBe(0)
      // an orphan cannot be attached once swept
      await expect(t.app.reviews.photos.attach(alice.memberId, [orphan.id], reviewId())).rejects.toMatchObject({ code: ErrorCodes.PHOTO_NOT_FOUND })
      t.clock.set(start)
    })
  })
})
