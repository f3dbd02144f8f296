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
