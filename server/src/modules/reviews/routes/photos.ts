import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MAX_UNATTACHED_PHOTOS_PER_DAY, PHOTO_THUMB_SIZE, ReviewPhotoParamsSchema, ReviewPhotoQuerySchema, ReviewPhotoUploadSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { NotFound, PhotoTooLarge, UnsupportedMediaType, ValidationFailed } from '../../../core/errors.js'
import { errorResponses } from '../../../core/responses.js'
import type { PhotoViewer, ReviewPhotos } from '../photos/index.js'

/**
 * /api/reviews/photos — a member uploads a photo for a review (multipart, one file), and anyone allowed reads one:
 * its author and staff before the review is published (by header or by a signed link), anyone after.
 */
const photos: FastifyPluginAsyncTypebox<{ photos: ReviewPhotos }> = async (app, opts) => {
  // this plugin's routes take multipart and nothing else (the app's other routes keep JSON only): a photo arrives as
  // a form file, and any other body is refused before it is read
  app.removeAllContentTypeParsers()
  await app.register(multipart, {
    limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 4, fieldSize: 1024, fieldNameSize: 100, parts: 5, headerPairs: 20 },
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(notMultipart(), undefined))

  app.post(
    '/photos',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['reviews'],
        summary: 'Upload one photo for a review (multipart/form-data, one file field)',
        description:
          `The type is read from the bytes, never the name or the declared type: JPEG, PNG or WebP (HEIC/HEIF, AVIF, GIF, TIFF, BMP: 415 PHOTO_UNSUPPORTED; ` +
          `anything else or a damaged image: 415 PHOTO_NOT_IMAGE). At most ${MAX_PHOTO_BYTES / 1024 / 1024} MB (413 PHOTO_TOO_LARGE) and ` +
          `${MAX_PHOTO_PIXELS / 1_000_000} megapixels (400 PHOTO_TOO_MANY_PIXELS). The photo is turned upright, re-encoded as JPEG without any ` +
          `metadata (no EXIF, no GPS) and kept with a ${PHOTO_THUMB_SIZE} px thumbnail. At most ${MAX_UNATTACHED_PHOTOS_PER_DAY} photos not yet ` +
          'in a review per 24 hours (429 RATE_LIMITED); unused photos are deleted after a day. The links answered are signed for an hour. ' +
          'A body that is not multipart: 415 UNSUPPORTED_MEDIA_TYPE; a form without a file, or with two: 400.',
        consumes: ['multipart/form-data'],
        security: [{ bearer: [] }],
        response: { 201: ReviewPhotoUploadSchema, ...errorResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await opts.photos.upload(request.user.sub, { bytes: await readUpload(request) })),
  )

  app.get(
    '/photos/:id',
    {
      schema: {
        tags: ['reviews'],
        summary: 'A review photo (JPEG): the full photo or its thumbnail',
        description:
          'Published photos (an approved review’s): anyone, no signature. Before that: its author and staff, with their Authorization header, ' +
          'or anyone with a signed link (url / thumbUrl as the API answers them: exp and sig, good for an hour) — <Image src> sends no header. ' +
          'Anything else is a 404, as for a photo that does not exist. ETag and If-None-Match (304) are supported.',
        params: ReviewPhotoParamsSchema,
        querystring: ReviewPhotoQuerySchema,
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'the JPEG' }),
          304: Type.Null({ description: 'Not modified (If-None-Match)' }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const { size = 'full', exp, sig } = request.query
      const photo = await opts.photos.read(id, size, { exp, sig, identify: () => viewerOf(app, request, reply) })
      if (!photo) throw new NotFound('no such photo')
      reply
        .header('etag', photo.etag)
        // private ones were allowed for this link or this caller only: no shared cache may keep them
        .header('cache-control', photo.published ? 'public, max-age=600' : 'private, max-age=600')
        .header('vary', 'authorization')
      if (matchesEtag(request.headers['if-none-match'], photo.etag)) return reply.code(304).send(null)
      return reply.type(photo.contentType).header('content-length', photo.length).header('x-content-type-options', 'nosniff').send(photo.stream())
    },
  )
}
export default photos

/** The one file of the form, read whole (at most MAX_PHOTO_BYTES); the multipart parser's refusals as ours. */
async function readUpload(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart()) throw notMultipart()
  let bytes: Buffer | undefined
  try {
    // a second file ends the loop with the parser's files limit (1); fields are read and ignored
    for await (const part of request.parts()) {
      if (part.type === 'file') bytes = await part.toBuffer()
    }
  } catch (error) {
    throw uploadError(error)
  }
  if (!bytes) throw new ValidationFailed('the form has no file: send the photo as a file field')
  return bytes
}

function uploadError(error: unknown): Error {
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PhotoTooLarge(`the photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`)
    case 'FST_FILES_LIMIT':
      return new ValidationFailed('one photo per upload: the form has more than one file')
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ValidationFailed('the form has too many fields: send one file')
    default:
      // the parser's own (a broken boundary, a part cut short, a field named __proto__): the body is malformed
      if (error instanceof Error && !('statusCode' in error && Number(error.statusCode) >= 500)) {
        return new ValidationFailed(`the multipart body is malformed: ${error.message.slice(0, 100)}`)
      }
      return error as Error
  }
}

function notMultipart() {
  return new UnsupportedMediaType('send the photo as multipart/form-data with one file field')
}

/** Who the Authorization header says is asking: the author's member token, or a staff token (checked against its record). */
async function viewerOf(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<PhotoViewer | null> {
  if (!request.headers.authorization) return null
  if (await app.authenticateMember(request, reply).then(() => true, () => false)) return { memberId: request.user.sub }
  if (await app.authenticateStaff(request, reply).then(() => true, () => false)) return { staff: true }
  return null
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === etag
  })
}
