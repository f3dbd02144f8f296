import { Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'
import Button from '../button'
import './index.scss'

interface Props<T> {
  /** what has loaded so far; null until the first load succeeds */
  data: T | null
  /** the last failure (its message is a sentence for the member, services/error-messages.ts) */
  error: Error | null
  /** a load is under way */
  loading?: boolean
  /** what to try again when the load failed */
  onRetry: () => void
  /** when the data is there but has nothing to show */
  isEmpty?: (data: T) => boolean
  /** what the empty page says */
  emptyText?: string
  /** the page itself, once there is data */
  children: (data: T) => ReactNode
}

/**
 * Every page's loading, empty and error states, the same everywhere: until data arrives a loading line; a failure
 * with nothing to show a whole-page error with a retry button; a failure over data already shown (a refresh) a
 * banner with a retry button above it; data with nothing in it the page's empty sentence.
 */
export default function PageState<T>({ data, error, loading, onRetry, isEmpty, emptyText = '这里还没有内容', children }: Props<T>) {
  if (data === null) {
    if (error && !loading) return <PageError error={error} onRetry={onRetry} />
    return (
      <View className='section page-state' data-testid='page-loading' aria-busy='true'>
        <Text className='page-state__text'>加载中…</Text>
      </View>
    )
  }
  return (
    <>
      {error && !loading && <PageError error={error} onRetry={onRetry} banner />}
      {isEmpty?.(data) ? (
        <View className='section page-state' data-testid='page-empty'>
          <Text className='page-state__text'>{emptyText}</Text>
        </View>
      ) : (
        children(data)
      )}
    </>
  )
}

/** A failure and a way to try again; also used on its own (the WeChat login screen). */
export function PageError({ error, onRetry, banner = false, title = '加载失败', retryText = '重试' }: {
  error: Error | string | null
  onRetry: () => void
  banner?: boolean
  title?: string
  retryText?: string
}) {
  const message = typeof error === 'string' ? error : error?.message
  return (
    <View className={`section page-state${banner ? ' page-state--banner' : ''}`} data-testid='page-error' aria-live='polite'>
      {!banner && <Text className='page-state__title'>{title}</Text>}
      <Text className='page-state__text' data-testid='page-error-message'>{message || '请求没有成功，请稍后再试。'}</Text>
      <Button className='page-state__retry' variant={banner ? 'secondary' : 'primary'} data-testid='retry' onClick={onRetry}>
        {retryText}
      </Button>
    </View>
  )
}
