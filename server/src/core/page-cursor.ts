import { ValidationFailed } from './errors.js'

/** The greatest time a Date holds, in ms either side of 1970. */
const MAX_TIME = 8.64e15

/**
 * Cursors of pages sorted newest first by a time field, then by _id: a cursor names the last item of a page (its
 * time and id, base64url JSON), and the next page starts after it. A cursor this server did not give out is a 400,
 * checked before it reaches a query.
 */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.getTime(), id])).toString('base64url')
}

/**
 * The query filter of the page after `cursor` on `field` (time) and _id; `id` checks and converts the id (null: not
 * a valid id of this collection).
 */
export function afterCursor<Id>(cursor: string, field: string, id: (raw: string) => Id | null): Record<string, unknown> {
  const after = decodeCursor(cursor, id)
  if (!after) throw new ValidationFailed('querystring.cursor: not a cursor from a previous page; start again without one')
  return { $or: [{ [field]: { $lt: after.at } }, { [field]: after.at, _id: { $lt: after.id } }] }
}

function decodeCursor<Id>(cursor: string, id: (raw: string) => Id | null): { at: Date; id: Id } | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null
  const [at, raw] = parsed as unknown[]
  if (!Number.isSafeInteger(at) || Math.abs(at as number) > MAX_TIME) return null
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 1024) return null
  const checked = id(raw)
  return checked === null ? null : { at: new Date(at as number), id: checked }
}
