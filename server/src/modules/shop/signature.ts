import { createHmac, timingSafeEqual } from 'node:crypto'

/** The shop webhook signature: hex HMAC-SHA256 with the shared secret over `timestamp + "." + rawBody`. */
export function shopSignature(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

export type SignatureProblem = 'missing' | 'stale' | 'mismatch'

/** Checks a request's signature and that its timestamp is within `toleranceSeconds` of now. */
export function checkShopSignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: string,
  now: Date,
  toleranceSeconds = 300,
): SignatureProblem | null {
  const { signature, timestamp } = headers
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return 'missing'
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return 'stale'
  const expected = Buffer.from(shopSignature(secret, timestamp, rawBody))
  const given = Buffer.from(signature.toLowerCase())
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'mismatch'
}
