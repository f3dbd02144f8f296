import { Button, Text, View } from '@tarojs/components'
import type { PropsWithChildren } from 'react'
import { useSession } from '../../hooks/session'
import DemoLogin from '../demo-login'

/** Shows its children once logged in; otherwise the way to log in for this platform. */
export default function LoginGate({ children }: PropsWithChildren) {
  const { status, error, retry } = useSession()
  if (status === 'ready') return <>{children}</>
  if (status === 'starting' || status === 'logging-in') {
    return (
      <View className='section'>
        <Text className='muted'>正在登录…</Text>
      </View>
    )
  }
  if (process.env.TARO_ENV === 'h5') return <DemoLogin />
  return (
    <View className='section'>
      <Text>登录失败：{error ?? '请重试'}</Text>
      <Button className='button-primary' onClick={() => retry()}>
        重新登录
      </Button>
    </View>
  )
}
