import { createHash, randomInt } from 'node:crypto'
import qrcode from 'qrcode-generator'

/** How long an invitation can be redeemed. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000

/** Without look-alikes (no 0/O, 1/I/L), like coupon codes: people type it when a scan is not at hand. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
/** 15 characters from 31: about 74 bits of randomness (crypto.randomInt), shown in three groups of five. */
const GROUPS = 3
const GROUP_LENGTH = 5

/** A new invitation code, e.g. `K7QMX-3PA9T-WDHRE`. */
export function newInvitationCode(): string {
  const groups: string[] = []
  for (let g = 0; g < GROUPS; g++) {
    let group = ''
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)]
    groups.push(group)
  }
  return groups.join('-')
}

/** A code as typed or scanned: upper-cased, spaces and dashes dropped. */
export function normalizeInvitationCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '')
}

/** What is stored (and looked up) in the code's place: the sha256 of its normalized form, hex. */
export function invitationHash(code: string): string {
  return createHash('sha256').update(`staff-invitation:${normalizeInvitationCode(code)}`).digest('hex')
}

function qrOf(code: string) {
  // alphanumeric mode holds upper-case letters, digits and dashes; M: readable with a quarter of it smudged
  const qr = qrcode(0, 'M')
  qr.addData(code, 'Alphanumeric')
  qr.make()
  return qr
}

/** An SVG image of a QR code of the code (what the admin's screen shows and the activation page scans). */
export function invitationQrSvg(code: string): string {
  return qrOf(code).createSvgTag({ cellSize: 6, margin: 4, scalable: true })
}

/** The same QR code as text, for a terminal (`npm run admin`). */
export function invitationQrText(code: string): string {
  return qrOf(code).createASCII(1, 2)
}
