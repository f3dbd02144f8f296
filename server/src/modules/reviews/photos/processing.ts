import { MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, PHOTO_THUMB_SIZE } from '@member-center/shared'
import sharp from 'sharp'
import { PhotoNotImage, PhotoTooLarge, PhotoTooManyPixels, PhotoUnsupported } from '../../../core/errors.js'

export type PhotoFormat = 'jpeg' | 'png' | 'webp'

/**
 * The stored photo's longest side: enough for any phone screen, and it keeps what the mini-program and WeChat's
 * media check download small (a 20-megapixel photo is re-encoded at most 2560 px wide or high).
 */
export const MAX_STORED_SIDE = 2560
/** A decode that takes longer than this is abandoned (an image crafted to cost CPU rather than memory). */
const DECODE_TIMEOUT_SECONDS = 20

/** What the bytes are, from their first bytes only (the file name and declared type are the client's word, not ours). */
export function sniff(bytes: Buffer): { format: PhotoFormat } | { unsupported: string } | null {
  const ascii = (from: number, to: number) => bytes.subarray(from, to).toString('latin1')
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { format: 'jpeg' }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return { format: 'png' }
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { format: 'webp' }
  // ISO base media files: HEIC/HEIF (iPhone photos) and AVIF. Prebuilt sharp decodes no HEIC (its HEVC codec is
  // patent-encumbered), so these are refused with a code the client can explain rather than failing in the decoder
  if (bytes.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12)
    if (HEIF_BRANDS.has(brand)) return { unsupported: 'HEIC/HEIF' }
    if (brand === 'avif' || brand === 'avis') return { unsupported: 'AVIF' }
    return null
  }
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return { unsupported: 'GIF' }
  if (bytes.length >= 4 && (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*')) return { unsupported: 'TIFF' }
  if (bytes.length >= 18 && ascii(0, 2) === 'BM' && BMP_HEADER_SIZES.has(bytes.readUInt32LE(14))) return { unsupported: 'BMP' }
  return null
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1'])
const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 108, 124])

export interface ProcessedPhoto {
  sourceFormat: PhotoFormat
  /** the photo upright, re-encoded as JPEG with no metadata at all (no EXIF, GPS, XMP, IPTC or ICC profile) */
  full: { data: Buffer; width: number; height: number }
  /** the same, PHOTO_THUMB_SIZE px on the long side at most */
  thumb: { data: Buffer; width: number; height: number }
}

/**
 * Checks an upload and makes the two files stored: the type from the bytes (JPEG, PNG or WebP), at most
 * MAX_PHOTO_BYTES and MAX_PHOTO_PIXELS (read from the header, before any pixel is decoded, and enforced again by
 * the decoder), then decoded once — turned upright by its EXIF orientation — and re-encoded without metadata.
 */
export async function processPhoto(bytes: Buffer): Promise<ProcessedPhoto> {
  if (bytes.length > MAX_PHOTO_BYTES) throw new PhotoTooLarge(`the photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`)
  const sniffed = sniff(bytes)
  if (sniffed === null) throw new PhotoNotImage('the file is not an image: send a JPEG, PNG or WebP photo')
  if ('unsupported' in sniffed) {
    throw new PhotoUnsupported(`${sniffed.unsupported} images are not taken: send a JPEG, PNG or WebP photo (on an iPhone, Settings › Camera › Formats › Most Compatible)`)
  }
  // only the first page of an animated WebP; the decoder refuses anything over the pixel limit by itself
  const input = () => sharp(bytes, { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error', pages: 1 })
  const header = await input()
    .metadata()
    .catch((error: unknown) => decodeFailure(error))
  // the decoder must agree with the bytes' signature (a PNG signature on something else is not a PNG)
  if (header.format !== sniffed.format || !header.width || !header.height) throw new PhotoNotImage('the file is not a readable image')
  if (header.width * header.height > MAX_PHOTO_PIXELS) throw tooManyPixels()

  const full = await input()
    .autoOrient()
    .resize({ width: MAX_STORED_SIDE, height: MAX_STORED_SIDE, fit: 'inside', withoutEnlargement: true })
    // JPEG has no transparency: a PNG's or WebP's transparent parts become white rather than black
    .flatten({ background: '#ffffff' })
    // no withMetadata/keepExif: sharp writes no metadata unless asked (the EXIF orientation was applied above)
    .jpeg({ quality: 85, progressive: true })
    .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => decodeFailure(error))
  const thumb = await sharp(full.data)
    .resize({ width: PHOTO_THUMB_SIZE, height: PHOTO_THUMB_SIZE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 75, progressive: true })
    .toBuffer({ resolveWithObject: true })
  return {
    sourceFormat: sniffed.format,
    full: { data: full.data, width: full.info.width, height: full.info.height },
    thumb: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
  }
}

function tooManyPixels() {
  return new PhotoTooManyPixels(`the photo has more than ${MAX_PHOTO_PIXELS / 1_000_000} megapixels`)
}

/** The decoder's refusal as the member's error: too many pixels, or not a readable image (truncated, corrupt). */
function decodeFailure(error: unknown): never {
  if (/pixel limit/i.test(String((error as Error)?.message))) throw tooManyPixels()
  throw new PhotoNotImage('the file is not a readable image (damaged or incomplete): take or choose the photo again')
}
