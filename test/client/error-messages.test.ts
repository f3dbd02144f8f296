import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { ERROR_MESSAGES, messageFor } from '../../client/src/services/error-messages.js'

const CHINESE_SENTENCE = /^[\u4e00-\u9fff].*[\u4e00-\u9fff，；、]+.*。$/

describe('the sentences members read when a request fails', () => {
  it('has a Chinese sentence for every code the API can refuse with, and for the network', () => {
    for (const code of [...Object.values(ErrorCodes), 'NETWORK', 'UNKNOWN']) {
      expect(ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES], code).toMatch(CHINESE_SENTENCE)
    }
  })

  it('says what the code means, not what the server told the developer', () => {
    expect(messageFor('SERVICE_UNAVAILABLE', 503)).toBe('服务暂时不可用，请稍后再试。')
    expect(messageFor('RATE_LIMITED', 429)).toBe(ERROR_MESSAGES.RATE_LIMITED)
  })

  it('falls back on the HTTP status for a code this build does not know yet', () => {
    expect(messageFor('SOMETHING_NEW', 503)).toBe(ERROR_MESSAGES.SERVICE_UNAVAILABLE)
    expect(messageFor('SOMETHING_NEW', 401)).toBe(ERROR_MESSAGES.UNAUTHORIZED)
    expect(messageFor('SOMETHING_NEW', 409)).toBe(ERROR_MESSAGES.CONFLICT)
    expect(messageFor('SOMETHING_NEW', 422)).toBe(ERROR_MESSAGES.VALIDATION_FAILED)
    expect(messageFor('UNKNOWN', 0)).toBe(ERROR_MESSAGES.UNKNOWN)
  })
})
