import { Text, View } from '@tarojs/components'
import type { PropsWithChildren } from 'react'
import { useSession } from '../../hooks/session'
import DemoLogin from '../demo-login'
import { PageError } from '../page-state'

/** Shows its children once logged in; otherwise the way to log in for this platform. */
export default function LoginGate({ children }: PropsWithChildren) {
  const { status, error, retry } = useSession()
  if (status === 'ready') return <>{children}</>
  if (status === 'starting' || status === 'logging-in') {
    return (
      <View className='section page-state' data-testid='page-loading'>
        <Text className='page-state__text'>正在登录…</Text>
      </View>
    )
  }
  if (process.env.TARO_ENV === 'h5') return <DemoLogin />
  return <PageError title='登录失败' error={error} onRetry={() => void retry()} retryText='重新登录' />
}
