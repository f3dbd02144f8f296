import Taro, { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import SubscribePrompt from '../../../components/subscribe-prompt'
import { useApi } from '../../../hooks/use-api'
import { messageFor } from '../../../services/error-messages'
import { getCard } from '../../../services/member'
import { getMyRedemption, type Redemption } from '../../../services/mall'
import { backToMall, points, shanghaiDay } from '../format'
import './index.scss'

/** The headline for each outcome: done, still being completed, or not completed (everything given back). */
function headline(r: Redemption): { mark: string; title: string; note: string | null } {
  if (r.status === 'processing') return { mark: '…', title: '兑换处理中', note: '稍后可在「兑换记录」中查看结果；如未成功，积分会自动退回。' }
  if (r.status === 'failed') return { mark: '!', title: '兑换未成功', note: `${r.failure ? messageFor(r.failure.code, 409) : ''}积分已全部退回。` }
  if (r.status === 'cancelled') return { mark: '!', title: '兑换已取消', note: '积分已退回你的账户。' }
  return { mark: '✓', title: '兑换成功', note: null }
}

function Result({ redemption, available }: { redemption: Redemption; available: number }) {
  const done = redemption.status === 'done'
  const gift = done ? redemption.giftOrder : null
  const coupon = done ? redemption.coupon : null
  const head = headline(redemption)
  return (
    <View className='result'>
      <View className='section result__head' data-testid='redeem-result' data-status={redemption.status}>
        <Text className={`result__mark${done ? '' : ' result__mark--other'}`} aria-hidden='true'>
          {head.mark}
        </Text>
        <Text className='result__title'>{head.title}</Text>
        <Text className='result__name' data-testid='result-item-name'>
          {redemption.itemName}
        </Text>
        <Text className='muted' data-testid='result-points'>
          {done ? `使用 ${points(redemption.pointsPrice)} 积分 · ` : ''}当前可用 {points(available)} 积分
        </Text>
        {head.note && <Text className='result__text'>{head.note}</Text>}
      </View>

      {coupon && (
        <View className='section result__detail'>
          <Text className='result__heading'>优惠券已放入「我的优惠券」</Text>
          <Text className='result__text' data-testid='result-coupon-rules'>
            {coupon.rulesText}
          </Text>
          <Text className='muted'>有效期至 {shanghaiDay(new Date(Date.parse(coupon.validUntil) - 1).toISOString())}。线上下单时选用，或到店出示券码由顾问核销。</Text>
        </View>
      )}

      {gift && (
        <View className='section result__detail'>
          <Text className='result__heading'>礼品将寄往</Text>
          <Text className='result__text'>
            {gift.address.name} {gift.address.phone}
          </Text>
          <Text className='result__text'>
            {gift.address.region} {gift.address.detail}
          </Text>
          <Text className='muted'>发货前可在「兑换记录」中取消，积分将退回账户。</Text>
        </View>
      )}

      {gift && (
        <SubscribePrompt
          kinds={['shipped', 'points_expiring']}
          label='开启发货提醒'
          description='礼品发出、积分即将过期时，通过微信提醒你。'
          testId='subscribe-redemption'
        />
      )}
      {coupon && (
        <SubscribePrompt
          kinds={['coupon_expiring', 'points_expiring']}
          label='开启到期提醒'
          description='优惠券或积分即将过期时，通过微信提醒你。'
          testId='subscribe-redemption'
        />
      )}

      <View className='section result__actions'>
        {coupon ? (
          <Button variant='primary' data-testid='to-wallet' onClick={() => Taro.navigateTo({ url: '/packages/coupons/wallet/index' })}>
            查看我的优惠券
          </Button>
        ) : (
          <Button variant='primary' data-testid='to-redemptions' onClick={() => Taro.navigateTo({ url: '/packages/mall/history/index' })}>
            查看兑换记录
          </Button>
        )}
        <Button data-testid='back-to-mall' onClick={backToMall}>
          继续逛逛
        </Button>
      </View>
    </View>
  )
}

function ResultView({ id }: { id: string }) {
  const { data, error, loading, reload } = useApi(async () => {
    const [redemption, card] = await Promise.all([getMyRedemption(id), getCard()])
    return { redemption, available: card.points.available }
  })
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {({ redemption, available }) => <Result redemption={redemption} available={available} />}
    </PageState>
  )
}

export default function MallResultPage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      {params.id ? (
        <ResultView id={params.id} />
      ) : (
        <View className='section page-state' data-testid='page-empty'>
          <Text className='page-state__text'>没有找到这笔兑换，可在「兑换记录」中查看。</Text>
        </View>
      )}
    </LoginGate>
  )
}
