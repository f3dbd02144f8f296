import Taro from '@tarojs/taro'
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type PropsWithChildren } from 'react'
import { loginWithCode, sandboxLoginCode, wechatLoginCode } from '../services/auth'
import { setAuth } from '../services/http'

const STORAGE_KEY = 'member-center.session'

interface StoredSession {
  token: string
  memberId: string
  /** epoch ms */
  expiresAt: number
  /** H5 demo only: the sandbox user "WeChat" says this is (the subscribe dialog records taps for them) */
  sandboxUser?: string
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
  logout: () => void
}

const SessionContext = createContext<SessionValue | null>(null)

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
    setSession(null)
    setStatus(process.env.TARO_ENV === 'weapp' ? 'failed' : 'needs-login')
  }, [])

  const complete = useCallback(
    async (code: Promise<string>, sandboxUser?: string) => {
      setStatus('logging-in')
      setError(null)
      try {
        const result = await loginWithCode(await code)
        const stored: StoredSession = { token: result.token, memberId: result.member.id, expiresAt: Date.now() + result.expiresIn * 1000, sandboxUser }
        Taro.setStorageSync(STORAGE_KEY, stored)
        setAuth(stored.token, clear)
        setSession(stored)
        setStatus('ready')
      } catch (e) {
        setError((e as Error).message)
        setStatus(process.env.TARO_ENV === 'weapp' ? 'failed' : 'needs-login')
      }
    },
    [clear],
  )

  const retry = useCallback(() => complete(wechatLoginCode()), [complete])
  const loginAs = useCallback((user: string) => complete(sandboxLoginCode(user), user), [complete])

  useEffect(() => {
    const stored = readStored()
    if (stored) {
      setAuth(stored.token, clear)
      setSession(stored)
      setStatus('ready')
    } else if (process.env.TARO_ENV === 'weapp') {
      void retry()
    } else {
      setStatus('needs-login')
    }
  }, [clear, retry])

  const value = useMemo(() => ({ status, session, error, loginAs, retry, logout: clear }), [status, session, error, loginAs, retry, clear])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside SessionProvider')
  return value
}
