import { createHmac, timingSafeEqual } from 'node:crypto'

export type PhotoSize = 'thumb' | 'full'

/**
 * Signed photo links. WeChat's <Image src> sends no Authorization header, so a private photo is read through a
 * link carrying its expiry and an HMAC-SHA256 over the photo id, the size and that expiry: one link opens one size
 * of one photo until it expires, and nothing in it can be changed.
 */

/**
 * Expiries are rounded up to this step, so a photo shown twice within it gets the same link (the client's cache
 * serves it again) — a link asked for an hour is good for an hour to an hour and ten minutes.
 */
const EXPIRY_STEP_SECONDS = 600

export function expiryFor(now: Date, ttlSeconds: number): number {
  const at = Math.floor(now.getTime() / 1000) + ttlSeconds
  return Math.ceil(at / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS
}

export function photoSignature(key: Buffer, photoId: string, size: PhotoSize, exp: number): string {
  return createHmac('sha256', key).update(`review-photo.v1.${photoId}.${size}.${exp}`).digest('base64url')
}

/** True when the signature is this link's and the link has not expired. */
export function verifyPhotoSignature(key: Buffer, photoId: string, size: PhotoSize, exp: number, sig: string, now: Date): boolean {
  if (!Number.isSafeInteger(exp) || exp * 1000 <= now.getTime()) return false
  const expected = Buffer.from(photoSignature(key, photoId, size, exp))
  const given = Buffer.from(sig)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
