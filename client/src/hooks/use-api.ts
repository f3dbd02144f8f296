import { useDidShow } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../services/http'
import { useSession } from './session'

export interface ApiState<T> {
  data: T | null
  error: ApiError | null
  loading: boolean
  reload: () => Promise<void>
}

/** Any failure as an ApiError (its message is already a sentence for the member). */
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'UNKNOWN', '请求没有成功，请稍后再试。')
}

/**
 * Loads server data and reloads it when the page shows again. By default for the logged-in member (waits for the
 * session, reloads when it changes); `{ public: true }` for data anyone may read.
 */
export function useApi<T>(load: () => Promise<T>, options: { public?: boolean } = {}): ApiState<T> {
  const { status, session } = useSession()
  const ready = options.public || status === 'ready'
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [loading, setLoading] = useState(false)
  const loadRef = useRef(load)
  loadRef.current = load

  const reload = useCallback(async () => {
    if (!ready) return
    setLoading(true)
    try {
      setData(await loadRef.current())
      setError(null)
    } catch (e) {
      setError(toApiError(e))
    } finally {
      setLoading(false)
    }
  }, [ready])

  useEffect(() => {
    if (ready) void reload()
    else setData(null)
  }, [ready, session?.memberId, reload])
  useDidShow(() => void reload())

  return { data, error, loading, reload }
}
