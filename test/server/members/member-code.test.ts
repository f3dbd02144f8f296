import { describe, expect, it } from 'vitest'
import { memberCodeFor, verifyMemberCode } from '../../../server/src/modules/members/member-code.js'

const secret = 'unit-test-member-code-secret-0123456789'
const memberId = '65a1b2c3d4e5f60718293a4b'

describe('member code', () => {
  const at = new Date('2026-11-23T10:00:30.000Z')

  it('verifies in its own window and expires at the window end', () => {
    const code = memberCodeFor(secret, memberId, at)
    expect(code.expiresAt.toISOString()).toBe('2026-11-23T10:01:00.000Z')
    expect(verifyMemberCode(secret, code.code, at)).toBe(memberId)
  })

  it('still verifies in the next window (grace for a scan at the boundary) but not after', () => {
    const code = memberCodeFor(secret, memberId, at).code
    expect(verifyMemberCode(secret, code, new Date('2026-11-23T10:01:59.999Z'))).toBe(memberId)
    expect(verifyMemberCode(secret, code, new Date('2026-11-23T10:02:00.000Z'))).toBeNull()
  })

  it('changes every window', () => {
    expect(memberCodeFor(secret, memberId, at).code).not.toBe(memberCodeFor(secret, memberId, new Date(at.getTime() + 60_000)).code)
  })

  it('rejects a code signed with another secret, another member id swapped in, or garbage', () => {
    const code = memberCodeFor(secret, memberId, at).code
    expect(verifyMemberCode('another-secret-0123456789abcdef0123', code, at)).toBeNull()
    expect(verifyMemberCode(secret, code.replace(memberId, '65a1b2c3d4e5f60718293a4c'), at)).toBeNull()
    expect(verifyMemberCode(secret, 'MC1.nope', at)).toBeNull()
    expect(verifyMemberCode(secret, '', at)).toBeNull()
  })

  it('rejects a code from the future', () => {
    const code = memberCodeFor(secret, memberId, new Date(at.getTime() + 120_000)).code
    expect(verifyMemberCode(secret, code, at)).toBeNull()
  })
})
