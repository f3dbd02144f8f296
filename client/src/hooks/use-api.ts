import { useDidShow } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../services/http'
import { useSession } from './session'

interface ApiState<T> {
  data: T | null
  error: ApiError | null
  loading: boolean
  reload: () => Promise<void>
}

/** Loads server data for the logged-in member; reloads when the page shows again or the session changes. */
export function useApi<T>(load: () => Promise<T>): ApiState<T> {
  const { status, session } = useSession()
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [loading, setLoading] = useState(false)
  const loadRef = useRef(load)
  loadRef.current = load

  const reload = useCallback(async () => {
    if (status !== 'ready') return
    setLoading(true)
    try {
      setData(await loadRef.current())
      setError(null)
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'UNKNOWN', (e as Error).message))
    } finally {
      setLoading(false)
    }
  }, [status])

  useEffect(() => {
    if (status === 'ready') void reload()
    else setData(null)
  }, [status, session?.memberId, reload])
  useDidShow(() => void reload())

  return { data, error, loading, reload }
}
