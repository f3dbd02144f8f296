/**
 * MongoDB's duplicate key error (11000): a unique index — usually a business key — already holds this value. Across
 * the project that means "already recorded", the basis of exactly-once.
 */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000
}

/** Rethrows anything but a duplicate key error. */
export function ignoreDuplicateKey(error: unknown): void {
  if (!isDuplicateKey(error)) throw error
}

/**
 * Runs an unordered bulk write (insertMany, bulkWrite) and answers the indexes of the writes that hit a duplicate
 * key — already recorded — while the others went through; anything else is rethrown.
 */
export async function duplicatesOf(write: () => Promise<unknown>): Promise<Set<number>> {
  try {
    await write()
    return new Set()
  } catch (error) {
    const found = (error as { writeErrors?: unknown } | null)?.writeErrors
    const writeErrors = (Array.isArray(found) ? found : found ? [found] : []) as { code?: number; index?: number; err?: { code?: number; index?: number } }[]
    const codes = writeErrors.map((e) => ({ code: e.code ?? e.err?.code, index: e.index ?? e.err?.index }))
    if (codes.length === 0 || codes.some((e) => e.code !== 11000 || e.index == null)) throw error
    return new Set(codes.map((e) => e.index!))
  }
}
