import { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { Coupon } from '@member-center/shared'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { ApiError } from '../../../services/http'
import { getMyCoupons, type WalletState } from '../../../services/coupons'
import CouponCard from '../components/coupon-card'
import CouponCodes from '../components/coupon-codes'
import { validityText } from '../format'
import './index.scss'

/** The coupon, from the wallet's list of its state. */
async function findCoupon(id: string, state: WalletState): Promise<Coupon> {
  const { items } = await getMyCoupons(state)
  const found = items.find((c) => c.id === id)
  if (!found) throw new ApiError(404, 'NOT_FOUND', '没有找到这张优惠券，它可能已被使用或已过期。')
  return found
}

function Detail({ coupon }: { coupon: Coupon }) {
  const usable = coupon.state === 'usable'
  return (
    <View className='coupon-detail'>
      <CouponCard coupon={coupon} />
      {usable ? (
        <View className='section coupon-detail__codes' data-testid='coupon-in-store'>
          <Text className='coupon-detail__heading'>到店使用</Text>
          <Text className='muted'>请向顾问出示，扫描二维码或条形码即可核销</Text>
          <CouponCodes code={coupon.code} />
        </View>
      ) : (
        <View className='section'>
          <Text className='coupon-detail__text'>这张优惠券{coupon.state === 'used' ? '已使用' : '已失效'}，不能再出示核销。</Text>
        </View>
      )}
      <View className='section coupon-detail__rules'>
        <Text className='coupon-detail__heading'>使用规则</Text>
        <Text className='coupon-detail__text'>{coupon.rulesText}</Text>
        <Text className='coupon-detail__text'>有效期 {validityText(coupon)}。线上下单时选用，或到店出示券码由顾问核销；每张券仅可使用一次。</Text>
        {coupon.notes ? <Text className='coupon-detail__text'>{coupon.notes}</Text> : null}
      </View>
    </View>
  )
}

function DetailView({ id, state }: { id: string; state: WalletState }) {
  const { data, error, loading, reload } = useApi(() => findCoupon(id, state))
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(coupon) => <Detail coupon={coupon} />}
    </PageState>
  )
}

export default function CouponDetailPage() {
  const { params } = useRouter()
  const state: WalletState = params.state === 'used' || params.state === 'expired' ? params.state : 'usable'
  return (
    <LoginGate>
      {params.id ? (
        <DetailView id={params.id} state={state} />
      ) : (
        <View className='section page-state' data-testid='page-empty'>
          <Text className='page-state__text'>没有找到这张优惠券，请返回「我的优惠券」重新选择。</Text>
        </View>
      )}
    </LoginGate>
  )
}
