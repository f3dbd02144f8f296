import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The rotating member code shown as a QR code on the card: the member id and an HMAC of it with the current
 * 60-second window. Staff scan it; a screenshot stops working after the window (plus one window of grace).
 * Format: `MC1.<memberId>.<window>.<signature>`.
 */
export const MEMBER_CODE_WINDOW_MS = 60_000

export interface MemberCode {
  code: string
  expiresAt: Date
}

export function memberCodeFor(secret: string, memberId: string, now: Date): MemberCode {
  const window = Math.floor(now.getTime() / MEMBER_CODE_WINDOW_MS)
  return {
    code: `MC1.${memberId}.${window}.${sign(secret, memberId, window)}`,
    expiresAt: new Date((window + 1) * MEMBER_CODE_WINDOW_MS),
  }
}

/** The member id in a valid code from this window or the one before; null for anything else. */
export function verifyMemberCode(secret: string, code: string, now: Date): string | null {
  const match = /^MC1\.([0-9a-f]{24})\.(\d+)\.([\w-]{22})$/.exec(code)
  if (!match) return null
  const [, memberId, windowText, signature] = match as unknown as [string, string, string, string]
  const window = Number(windowText)
  const current = Math.floor(now.getTime() / MEMBER_CODE_WINDOW_MS)
  if (window !== current && window !== current - 1) return null
  const expected = Buffer.from(sign(secret, memberId, window))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given) ? memberId : null
}

function sign(secret: string, memberId: string, window: number): string {
  return createHmac('sha256', secret).update(`${memberId}.${window}`).digest('base64url').slice(0, 22)
}
