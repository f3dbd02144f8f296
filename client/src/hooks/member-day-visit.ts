import { useEffect, useState } from 'react'
import { visitMemberDay } from '../services/member-day'
import { useSession } from './session'

// the visit counts once per member per Shanghai day and app launch (the server dedupes anyway)
let visited: string | null = null

/**
 * "I opened the mini-program" on a member day: counts the visit and issues the day's coupons when the program issues
 * on open; says so when coupons arrived. Quiet on failure — the card must not depend on it.
 */
export function useMemberDayVisit(): { issued: number } {
  const { status, session } = useSession()
  const [issued, setIssued] = useState(0)
  useEffect(() => {
    if (status !== 'ready' || !session) return
    const key = `${session.memberId}:${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)}`
    if (visited === key) return
    visited = key
    visitMemberDay()
      .then((result) => setIssued(result.issued.length))
      .catch(() => {
        visited = null
      })
  }, [status, session])
  return { issued }
}
