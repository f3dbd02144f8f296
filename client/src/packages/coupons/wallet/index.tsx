import Taro, { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getMyCoupons, type WalletState } from '../../../services/coupons'
import CouponCard from '../components/coupon-card'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

const TABS: { state: WalletState; label: string; empty: string }[] = [
  { state: 'usable', label: '可使用', empty: '暂时没有可使用的优惠券。可在积分商城用积分兑换。' },
  { state: 'used', label: '已使用', empty: '还没有使用过的优惠券。' },
  { state: 'expired', label: '已过期', empty: '没有过期的优惠券。' },
]

/** aria-pressed for a toggle button: ButtonProps does not list it; H5 passes it through, weapp ignores it. */
const pressed = (on: boolean) => ({ 'aria-pressed': on ? 'true' : 'false' }) as Record<string, unknown>

const KEYBOARD_SCROLLABLE = keyboardScrollable('优惠券列表', { region: false })

/** One tab's coupons: mounted afresh for each tab, so a tab never shows another's list while it loads. */
function CouponList({ state }: { state: WalletState }) {
  const { data, error, loading, reload } = useApi(() => getMyCoupons(state))
  const tab = TABS.find((t) => t.state === state)!
  const open = (id: string) => Taro.navigateTo({ url: `/packages/coupons/detail/index?id=${encodeURIComponent(id)}&state=${state}` })
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(list) => list.items.length === 0} emptyText={tab.empty}>
      {({ items }) => (
        <View className='wallet__list' data-testid={`wallet-${state}`} {...KEYBOARD_SCROLLABLE}>
          {items.map((coupon) => (
            <CouponCard key={coupon.id} coupon={coupon} onOpen={state === 'usable' ? () => open(coupon.id) : undefined} />
          ))}
        </View>
      )}
    </PageState>
  )
}

function Wallet() {
  const { params } = useRouter()
  const initial = TABS.some((t) => t.state === params.state) ? (params.state as WalletState) : 'usable'
  const [state, setState] = useState<WalletState>(initial)
  return (
    <View className='wallet'>
      <View className='wallet__tabs'>
        {TABS.map((tab) => (
          <Button
            key={tab.state}
            className='wallet__tab'
            variant={tab.state === state ? 'primary' : 'secondary'}
            data-testid={`tab-${tab.state}`}
            {...pressed(tab.state === state)}
            onClick={() => setState(tab.state)}
          >
            {tab.label}
          </Button>
        ))}
      </View>
      <CouponList key={state} state={state} />
      {state === 'usable' && (
        <View className='wallet__footer'>
          <Text className='muted'>到店消费时，打开优惠券出示券码，由顾问扫码核销。</Text>
        </View>
      )}
    </View>
  )
}

export default function WalletPage() {
  return (
    <LoginGate>
      <Wallet />
    </LoginGate>
  )
}
