import { Button, Text, View } from '@tarojs/components'
import LoginGate from '../../components/login-gate'
import { useSession } from '../../hooks/session'
import { useApi } from '../../hooks/use-api'
import { getProfile } from '../../services/member'
import './index.scss'

function ProfileView() {
  const { data: profile, error } = useApi(getProfile)
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
