import Taro from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import type { MemberProfile } from '@member-center/shared'
import { useEffect, useState } from 'react'
import Button from '../../components/button'
import LoginGate from '../../components/login-gate'
import PageState from '../../components/page-state'
import { H5TabBar } from '../../components/tab-bar'
import { useSession } from '../../hooks/session'
import { useApi } from '../../hooks/use-api'
import { bindPhone, getProfile } from '../../services/member'
import { getUnreadCount, showUnreadOnTab } from '../../services/messages'
import { keyboardScrollable } from '../../components/keyboard-scrollable'
import './index.scss'

/**
 * Binding a phone number is optional (never required to join). In WeChat: the getPhoneNumber button. In the H5 demo
 * the sandbox accepts the code `phone-<11 digits>`, which stands in for the button.
 */
function BindPhone({ onBound }: { onBound: () => void }) {
  const [demoNumber, setDemoNumber] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const bind = async (code: string | undefined) => {
    if (!code) return setMessage('没有授权手机号，可以稍后再绑定。')
    setBusy(true)
    try {
      await bindPhone(code)
      setMessage(null)
      onBound()
    } catch (e) {
      setMessage((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='section me-page__bind'>
      <Text className='me-page__bind-title'>绑定手机号，同步门店消费积分</Text>
      {process.env.TARO_ENV === 'weapp' ? (
        <Button variant='primary' openType='getPhoneNumber' disabled={busy} onGetPhoneNumber={(e) => bind((e.detail as { code?: string }).code)}>
          绑定手机号
        </Button>
      ) : (
        <>
          <Input
            className='text-input'
            type='number'
            maxlength={11}
            placeholder='演示：输入 11 位手机号'
            value={demoNumber}
            onInput={(e) => setDemoNumber(e.detail.value)}
            nativeProps={{ 'aria-label': '手机号（演示）' }}
          />
          <Button variant='primary' data-testid='bind-phone' disabled={busy || demoNumber.length !== 11} onClick={() => bind(`phone-${demoNumber}`)}>
            绑定
          </Button>
        </>
      )}
      {message && (
        <Text className='me-page__message' data-testid='bind-message'>
          {message}
        </Text>
      )}
    </View>
  )
}

/** The member's own areas in subpackages: label, page, test id. */
const ENTRIES: [string, string, string][] = [
  ['积分商城', '/packages/mall/items/index', 'me-link-mall'],
  ['我的优惠券', '/packages/coupons/wallet/index', 'me-link-coupons'],
  ['兑换记录', '/packages/mall/history/index', 'me-link-redemptions'],
  ['评价晒单', '/packages/reviews/index/index', 'me-link-reviews'],
  ['预约到店', '/packages/appointments/mine/index', 'me-link-appointments'],
]

/** The inbox with its unread count (nothing while it loads or when it cannot be had), and the message settings. */
function Messages({ unread }: { unread: number | null }) {
  return (
    <View className='section'>
      <View className='me-page__row' data-testid='me-link-inbox' onClick={() => Taro.navigateTo({ url: '/packages/messages/inbox/index' })}>
        <Text>消息中心</Text>
        <View className='me-page__row-end'>
          {unread !== null && unread > 0 && (
            <Text className='me-page__unread' data-testid='me-unread'>
              {unread > 99 ? '99+' : unread} 条未读
            </Text>
          )}
          <Text className='muted' aria-hidden='true'>
            ›
          </Text>
        </View>
      </View>
      <View className='me-page__row' data-testid='me-link-message-preferences' onClick={() => Taro.navigateTo({ url: '/packages/messages/preferences/index' })}>
        <Text>消息设置</Text>
        <Text className='muted' aria-hidden='true'>
          ›
        </Text>
      </View>
    </View>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('我的')

function Profile({ profile, unread, onChanged }: { profile: MemberProfile; unread: number | null; onChanged: () => void }) {
  const { logout } = useSession()
  const rows: [string, string][] = [
    ['会员号', profile.id],
    ['手机号', profile.phone ?? '未绑定'],
    ['生日', profile.birthday ?? '未设置'],
    ['入会时间', profile.joinedAt.slice(0, 10)],
  ]
  return (
    <View className='me-page' {...KEYBOARD_SCROLLABLE}>
      <View className='section me-page__header'>
        <View className='me-page__avatar' aria-hidden='true'>
          {profile.nickname.slice(0, 1)}
        </View>
        <Text className='me-page__nickname' data-testid='nickname'>
          {profile.nickname}
        </Text>
      </View>
      <View className='section'>
        {rows.map(([label, value]) => (
          <View className='me-page__row' key={label}>
            <Text className='muted'>{label}</Text>
            <Text className='me-page__value'>{value}</Text>
          </View>
        ))}
      </View>
      <View className='section'>
        {ENTRIES.map(([label, url, testId]) => (
          <View className='me-page__row' key={url} data-testid={testId} onClick={() => Taro.navigateTo({ url })}>
            <Text>{label}</Text>
            <Text className='muted' aria-hidden='true'>
              ›
            </Text>
          </View>
        ))}
      </View>
      <Messages unread={unread} />
      <View className='section'>
        <View className='me-page__row' data-testid='me-link-staff' onClick={() => Taro.switchTab({ url: '/pages/staff/index' })}>
          <Text>门店员工入口</Text>
          <Text className='muted' aria-hidden='true'>
            ›
          </Text>
        </View>
      </View>
      {!profile.phone && <BindPhone onBound={onChanged} />}
      {process.env.TARO_ENV === 'h5' && (
        <View className='section'>
          <Button onClick={logout}>切换演示用户</Button>
        </View>
      )}
    </View>
  )
}

/**
 * The unread count, loaded again whenever the page shows, and put on the Me tab's badge each time (the inbox may have
 * changed the badge meanwhile, while the count came back the same).
 */
async function loadUnread(): Promise<number> {
  const unread = await getUnreadCount()
  showUnreadOnTab(unread)
  return unread
}

function ProfileView() {
  const { data, error, loading, reload } = useApi(getProfile)
  const unread = useApi(loadUnread)
  // no badge before the count loads, nor once logged out
  useEffect(() => {
    if (unread.data === null) showUnreadOnTab(0)
  }, [unread.data])
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(profile) => <Profile profile={profile} unread={unread.data} onChanged={() => void reload()} />}
    </PageState>
  )
}

export default function MePage() {
  return (
    <View className='tab-page'>
      <LoginGate>
        <ProfileView />
      </LoginGate>
      <H5TabBar current='pages/me/index' />
    </View>
  )
}
