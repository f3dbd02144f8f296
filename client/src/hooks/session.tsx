import Taro from '@tarojs/taro'
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type PropsWithChildren } from 'react'
import { activateStaff, loginWithCode, sandboxLoginCode, wechatLoginCode, type StaffSession } from '../services/auth'
import { setAuth, setStaffAuth } from '../services/http'
import { showStaffTab } from '../services/tab-bar'

const STORAGE_KEY = 'member-center.session'

interface StoredSession {
  token: string
  memberId: string
  /** epoch ms */
  expiresAt: number
  /** H5 demo only: the sandbox user "WeChat" says this is (the subscribe dialog records taps for them) */
  sandboxUser?: string
  /** store staff: their own token (short-lived) for the Staff tab, beside the member token */
  staff?: StoredStaff | null
}

export interface StoredStaff {
  token: string
  role: StaffSession['role']
  store: string | null
  name: string
  /** epoch ms */
  expiresAt: number
}

export type SessionStatus = 'starting' | 'logging-in' | 'ready' | 'needs-login' | 'failed'

interface SessionValue {
  status: SessionStatus
  session: StoredSession | null
  error: string | null
  /** H5 demo only: log in as a sandbox user */
  loginAs: (user: string) => Promise<void>
  /** WeChat: log in again with wx.login */
  retry: () => Promise<void>
  /** the staff part of the session while its token is good: the Staff tab shows for it */
  staff: StoredStaff | null
  /** redeem a staff invitation with this WeChat identity; throws the server's refusal */
  activateStaff: (inviteCode: string) => Promise<void>
  logout: () => void
}

const SessionContext = createContext<SessionValue | null>(null)

/** The staff part of a login or an activation, as stored. */
function storedStaff(staff: StaffSession | null | undefined): StoredStaff | null {
  return staff ? { token: staff.token, role: staff.role, store: staff.store, name: staff.name, expiresAt: Date.now() + staff.expiresIn * 1000 } : null
}

/** The staff token while it is good (a minute's margin), else none. */
function liveStaff(session: StoredSession | null): StoredStaff | null {
  return session?.staff && session.staff.expiresAt > Date.now() + 60_000 ? session.staff : null
}

function readStored(): StoredSession | null {
  const stored = Taro.getStorageSync(STORAGE_KEY) as StoredSession | ''
  return stored && stored.expiresAt > Date.now() + 60_000 ? stored : null
}

/** The only global state: who is logged in. Everything else is fetched by the page that shows it. */
export function SessionProvider({ children }: PropsWithChildren) {
  const [session, setSession] = useState<StoredSession | null>(null)
  const [status, setStatus] = useState<SessionStatus>('starting')
  const [error, setError] = useState<string | null>(null)

  const clear = useCallback(() => {
    Taro.removeStorageSync(STORAGE_KEY)
    setAuth(null)
    setStaffAuth(null)
    setSession(null)
    setStatus(process.env.TARO_ENV === 'weapp' ? 'failed' : 'needs-login')
  }, [])

  /** The staff token was refused (deactivated, role changed): the session goes on as a member's, without the tab. */
  const dropStaff = useCallback(() => {
    setStaffAuth(null)
    setSession((current) => {
      if (!current) return current
      const next = { ...current, staff: null }
      Taro.setStorageSync(STORAGE_KEY, next)
      return next
    })
  }, [])

  /** Keeps the token holders and the tab bar in step with the session. */
  const adopt = useCallback(
    (stored: StoredSession) => {
      setAuth(stored.token, clear)
      const staff = liveStaff(stored)
      setStaffAuth(staff?.token ?? null, dropStaff)
      showStaffTab(staff !== null)
      setSession(stored)
    },
    [clear, dropStaff],
  )

  const complete = useCallback(
    async (code: Promise<string>, sandboxUser?: string) => {
      setStatus('logging-in')
      setError(null)
      try {
        const result = await loginWithCode(await code)
        const stored: StoredSession = {
          token: result.token,
          memberId: result.member.id,
          expiresAt: Date.now() + result.expiresIn * 1000,
          sandboxUser,
          staff: storedStaff((result as { staff?: StaffSession | null }).staff),
        }
        Taro.setStorageSync(STORAGE_KEY, stored)
        adopt(stored)
        setStatus('ready')
      } catch (e) {
        setError((e as Error).message)
        setStatus(process.env.TARO_ENV === 'weapp' ? 'failed' : 'needs-login')
      }
    },
    [adopt],
  )

  const retry = useCallback(() => complete(wechatLoginCode()), [complete])
  const loginAs = useCallback((user: string) => complete(sandboxLoginCode(user), user), [complete])

  useEffect(() => {
    const stored = readStored()
    if (stored?.staff && !liveStaff(stored) && (process.env.TARO_ENV === 'weapp' || stored.sandboxUser)) {
      // a staff member whose short-lived staff token ran out: log in again (WeChat: wx.login; the demo: its user)
      void (process.env.TARO_ENV === 'weapp' ? retry() : loginAs(stored.sandboxUser!))
    } else if (stored) {
      adopt(stored)
      setStatus('ready')
    } else if (process.env.TARO_ENV === 'weapp') {
      void retry()
    } else {
      setStatus('needs-login')
    }
  }, [adopt, retry, loginAs])

  const activate = useCallback(
    async (inviteCode: string) => {
      const { staff } = await activateStaff(inviteCode)
      setSession((current) => {
        if (!current) return current
        const next = { ...current, staff: storedStaff(staff) }
        Taro.setStorageSync(STORAGE_KEY, next)
        adopt(next)
        return next
      })
    },
    [adopt],
  )

  const staff = liveStaff(session)
  const value = useMemo(
    () => ({ status, session, error, loginAs, retry, logout: clear, staff, activateStaff: activate }),
    [status, session, error, loginAs, retry, clear, staff, activate],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside SessionProvider')
  return value
}
