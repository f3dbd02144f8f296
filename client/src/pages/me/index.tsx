import { Button, Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import LoginGate from '../../components/login-gate'
import { useSession } from '../../hooks/session'
import { useApi } from '../../hooks/use-api'
import { bindPhone, getProfile } from '../../services/member'
import './index.scss'

/**
 * Binding a phone number is optional (never required to join). In WeChat: the getPhoneNumber button. In the H5 demo
 * the sandbox accepts the code `phone-<11 digits>`, which stands in for the button.
 */
function BindPhone({ onBound }: { onBound: () => void }) {
  const [demoNumber, setDemoNumber] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const bind = async (code: string | undefined) => {
    if (!code) return setMessage('未授权手机号')
    try {
      await bindPhone(code)
      setMessage(null)
      onBound()
    } catch (e) {
      setMessage((e as Error).message)
    }
  }
  return (
    <View className='section'>
      {process.env.TARO_ENV === 'weapp' ? (
        <Button className='button-primary' openType='getPhoneNumber' onGetPhoneNumber={(e) => bind((e.detail as { code?: string }).code)}>
          绑定手机号，同步门店消费积分
        </Button>
      ) : (
        <View className='me-page__bind'>
          <Input className='me-page__input' type='number' maxlength={11} placeholder='演示：输入手机号' value={demoNumber} onInput={(e) => setDemoNumber(e.detail.value)} />
          <Button className='button-primary' data-testid='bind-phone' disabled={demoNumber.length !== 11} onClick={() => bind(`phone-${demoNumber}`)}>
            绑定
          </Button>
        </View>
      )}
      {message && <Text className='muted'>{message}</Text>}
    </View>
  )
}

function ProfileView() {
  const { data: profile, error, reload } = useApi(getProfile)
  const { logout } = useSession()
  if (error) return <View className='section'><Text>加载失败：{error.message}</Text></View>
  if (!profile) return <View className='section'><Text className='muted'>加载中…</Text></View>
  const rows: [string, string][] = [
    ['会员号', profile.id],
    ['手机号', profile.phone ?? '未绑定'],
    ['生日', profile.birthday ?? '未设置'],
    ['入会时间', profile.joinedAt.slice(0, 10)],
  ]
  return (
    <View className='me-page'>
      <View className='section me-page__header'>
        <View className='me-page__avatar'>{profile.nickname.slice(0, 1)}</View>
        <Text className='me-page__nickname' data-testid='nickname'>{profile.nickname}</Text>
      </View>
      <View className='section'>
        {rows.map(([label, value]) => (
          <View className='me-page__row' key={label}>
            <Text className='muted'>{label}</Text>
            <Text>{value}</Text>
          </View>
        ))}
      </View>
      {!profile.phone && <BindPhone onBound={() => void reload()} />}
      {process.env.TARO_ENV === 'h5' && (
        <View className='section'>
          <Button onClick={logout}>切换演示用户</Button>
        </View>
      )}
    </View>
  )
}

export default function MePage() {
  return (
    <LoginGate>
      <ProfileView />
    </LoginGate>
  )
}
