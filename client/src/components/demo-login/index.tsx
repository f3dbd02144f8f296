import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import { DEMO_USERS } from '../../services/auth'
import { useSession } from '../../hooks/session'
import Button from '../button'
import './index.scss'

/**
 * H5 demo only: choose who "WeChat" says you are. The sandbox hands out a login code for that user and the app logs
 * in with it through /api/auth/wechat, the same path as wx.login in WeChat.
 */
export default function DemoLogin() {
  const { loginAs, status, error } = useSession()
  const [name, setName] = useState('')
  const busy = status === 'logging-in'
  return (
    <View className='demo-login section'>
      <Text className='demo-login__title'>选择演示用户登录</Text>
      <Text className='muted'>浏览器演示中由微信沙箱扮演 wx.login</Text>
      <View className='demo-login__users'>
        {DEMO_USERS.map((u) => (
          <Button key={u.user} className='demo-login__user' data-user={u.user} disabled={busy} onClick={() => loginAs(u.user)}>
            {u.label}
          </Button>
        ))}
      </View>
      <View className='demo-login__custom'>
        <Input
          className='text-input'
          placeholder='或输入任意用户名'
          value={name}
          onInput={(e) => setName(e.detail.value)}
          nativeProps={{ 'aria-label': '演示用户名' }}
        />
        <Button variant='primary' disabled={busy || !name.trim()} onClick={() => loginAs(name.trim())}>
          登录
        </Button>
      </View>
      {error && (
        <Text className='demo-login__error' data-testid='login-error'>
          {error}
        </Text>
      )}
    </View>
  )
}
