import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getMyCustomers } from '../../../services/staff-counter'
import { monthDay, shanghaiDay } from '../format'
import './index.scss'

/** The members whose dedicated advisor I am: a tap opens the member at a glance. */
function Customers() {
  const { data, error, loading, reload } = useApi(getMyCustomers)
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='还没有由你担任专属顾问的会员。'>
      {(d) => (
        <View className='section'>
          {d.items.map((c) => (
            <View key={c.memberId} className='customers__row' data-testid='customer' onClick={() => Taro.navigateTo({ url: `/packages/staff/member/index?memberId=${c.memberId}` })}>
              <View className='customers__text'>
                <Text className='customers__name'>
                  {c.nickname} · {c.tier.name}
                </Text>
                <Text className='muted'>
                  {c.lastPurchaseAt ? `最近消费 ${shanghaiDay(c.lastPurchaseAt)}` : '还没有消费'}
                  {c.birthday ? ` · 生日 ${monthDay(c.birthday)}` : ''}
                </Text>
              </View>
              <Text className='muted' aria-hidden='true'>
                ›
              </Text>
            </View>
          ))}
        </View>
      )}
    </PageState>
  )
}

export default function StaffCustomersPage() {
  return (
    <LoginGate>
      <Customers />
    </LoginGate>
  )
}
