import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { MemberCard } from '@member-center/shared'
import { useEffect, useState } from 'react'
import LoginGate from '../../components/login-gate'
import MemberQr from '../../components/member-qr'
import PageState from '../../components/page-state'
import { useApi } from '../../hooks/use-api'
import { getCard } from '../../services/member'
import './index.scss'

function CardView() {
  const { data, error, loading, reload } = useApi(getCard)
  const secondsLeft = useSecondsUntil(data?.memberCode.expiresAt)

  // the member code rotates every minute: fetch a fresh one when it expires (not again and again after a failure)
  useEffect(() => {
    if (data && secondsLeft === 0 && !error) void reload()
  }, [data, secondsLeft, error, reload])

  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(card) => <Card card={card} secondsLeft={secondsLeft} />}
    </PageState>
  )
}

function Card({ card, secondsLeft }: { card: MemberCard; secondsLeft: number }) {
  const percent = Math.round(card.growth.progress * 100)
  return (
    <View className='card-page'>
      <View className={`member-card member-card--level-${card.tier.level}`} data-testid='member-card'>
        <Text className='member-card__brand'>MEMBER CENTER</Text>
        <Text className='member-card__tier' data-testid='tier-name'>{card.tier.name}</Text>
        <Text className='member-card__level'>LV.{card.tier.level}</Text>
        <View className='member-card__growth'>
          <View className='progress' aria-hidden='true'>
            <View className='progress__bar' style={{ width: `${percent}%` }} />
          </View>
          <Text className='member-card__growth-text' data-testid='growth'>
            成长值 {card.growth.value.toLocaleString()}
            {card.growth.nextTier
              ? ` · 再获得 ${card.growth.toNext.toLocaleString()} 升级为${card.growth.nextTier.name}`
              : ' · 已是最高等级'}
          </Text>
        </View>
      </View>

      <View className='section points'>
        <View className='points__cell'>
          <Text className='points__value' data-testid='points-available'>{card.points.available.toLocaleString()}</Text>
          <Text className='muted'>可用积分</Text>
        </View>
        <View className='points__cell'>
          <Text className='points__value' data-testid='points-pending'>{card.points.pending.toLocaleString()}</Text>
          <Text className='muted'>待生效积分</Text>
        </View>
      </View>

      <View className='section links'>
        <View className='links__item' data-testid='link-history' onClick={() => Taro.navigateTo({ url: '/packages/points/history/index' })}>
          <Text>积分明细</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
        <View className='links__item' data-testid='link-tiers' onClick={() => Taro.navigateTo({ url: '/packages/points/tiers/index' })}>
          <Text>会员等级与权益</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
      </View>

      {card.points.debt > 0 && (
        <View className='section'>
          <Text className='muted' data-testid='points-debt'>
            因退款需扣回的 {card.points.debt.toLocaleString()} 积分已先行使用，将从之后获得的积分中抵扣。
          </Text>
        </View>
      )}

      <View className='section'>
        <MemberQr code={card.memberCode.code} secondsLeft={secondsLeft} />
      </View>
    </View>
  )
}

/** Whole seconds until the given instant, ticking every second. */
function useSecondsUntil(iso: string | undefined): number {
  const compute = () => (iso ? Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 1000)) : 0)
  const [seconds, setSeconds] = useState(compute)
  useEffect(() => {
    setSeconds(compute())
    const timer = setInterval(() => setSeconds(compute()), 1000)
    return () => clearInterval(timer)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [iso])
  return seconds
}

export default function CardPage() {
  return (
    <LoginGate>
      <CardView />
    </LoginGate>
  )
}
