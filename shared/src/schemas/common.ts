import { Type, type Static } from '@sinclair/typebox'

export const ErrorSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'stable error code, see shared/src/errors.ts' }),
    error: Type.String(),
    message: Type.String(),
  },
  { $id: 'Error', title: 'Error' },
)
export type ErrorBody = Static<typeof ErrorSchema>

/** A 24-hex-character MongoDB ObjectId. */
export const ObjectIdString = Type.String({ pattern: '^[0-9a-f]{24}$', minLength: 24, maxLength: 24 })

/** at most 1,000,000,000 yuan per line (and per refund line): points and growth stay exact integers */
export const MAX_FEN = 100_000_000_000
