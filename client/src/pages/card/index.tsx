import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { MemberCard } from '@member-center/shared'
import { useEffect, useState } from 'react'
import BenefitList from '../../components/benefit-list'
import LoginGate from '../../components/login-gate'
import MemberQr from '../../components/member-qr'
import PageState from '../../components/page-state'
import { H5TabBar } from '../../components/tab-bar'
import { useApi } from '../../hooks/use-api'
import { getCard } from '../../services/member'
import ProgramBanners from './programs'
import { keyboardScrollable } from '../../components/keyboard-scrollable'
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

/** YYYY-MM-DD of an instant in Shanghai (business time). */
function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

/** The growth line under the progress bar: the growth the policy counts and what the next tier needs. */
function growthText(growth: MemberCard['growth']): string {
  const label = growth.window === 'rolling' ? '近一年成长值' : '成长值'
  const next = growth.nextTier
    ? growth.toNext > 0
      ? ` · 再获得 ${growth.toNext.toLocaleString()} 升级为${growth.nextTier.name}`
      : ` · 已达${growth.nextTier.name}门槛，等级更新中`
    : ' · 已是最高等级'
  return `${label} ${growth.value.toLocaleString()}${next}`
}

/** When the held tier is reviewed and what keeps it, or nothing when it cannot be lost. */
function reviewText(review: MemberCard['growth']['review']): string | null {
  if (!review) return null
  const day = shanghaiDay(review.at)
  return review.toKeep > 0 ? `${day} 等级复核，保级还需 ${review.toKeep.toLocaleString()} 成长值` : `${day} 等级复核，已达保级标准`
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('会员卡')

function Card({ card, secondsLeft }: { card: MemberCard; secondsLeft: number }) {
  const percent = Math.round(card.growth.progress * 100)
  const review = reviewText(card.growth.review)
  const toTiers = () => Taro.navigateTo({ url: '/packages/points/tiers/index' })
  const adds = card.growth.nextTierAdds
  const nextAdds =
    card.growth.nextTier && adds.length > 0
      ? `升级${card.growth.nextTier.name}可享：${adds.slice(0, 3).map((b) => b.title).join('、')}${adds.length > 3 ? ` 等 ${adds.length} 项新增或升级的权益` : ''}`
      : null
  return (
    <View className='card-page' {...KEYBOARD_SCROLLABLE}>
      <View className={`member-card member-card--level-${Math.min(card.tier.level, 6)}`} data-testid='member-card'>
        <Text className='member-card__brand'>MEMBER CENTER</Text>
        <Text className='member-card__tier' data-testid='tier-name'>{card.tier.name}</Text>
        <Text className='member-card__level'>{card.tier.code}</Text>
        <View className='member-card__growth'>
          <View className='progress' aria-hidden='true'>
            <View className='progress__bar' style={{ width: `${percent}%` }} />
          </View>
          <Text className='member-card__growth-text' data-testid='growth'>
            {growthText(card.growth)}
          </Text>
          {review && (
            <Text className='member-card__review' data-testid='tier-review'>
              {review}
            </Text>
          )}
        </View>
      </View>

      <ProgramBanners />

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

      {card.benefits.top.length > 0 && (
        <View className='section perks' data-testid='card-benefits'>
          <Text className='perks__heading'>我的权益</Text>
          <BenefitList benefits={card.benefits.top} testId='card-benefit' />
          {card.benefits.count > card.benefits.top.length && (
            <View className='perks__more' data-testid='card-benefits-all' onClick={toTiers}>
              <Text>查看全部 {card.benefits.count} 项权益</Text>
              <Text className='links__chevron' aria-hidden='true'>›</Text>
            </View>
          )}
          {nextAdds && (
            <Text className='perks__next' data-testid='card-next-tier'>
              {nextAdds}
            </Text>
          )}
        </View>
      )}

      <View className='section links'>
        <View className='links__item' data-testid='link-history' onClick={() => Taro.navigateTo({ url: '/packages/points/history/index' })}>
          <Text>积分明细</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
        <View className='links__item' data-testid='link-tiers' onClick={toTiers}>
          <Text>会员等级与权益</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
        <View className='links__item' data-testid='link-mall' onClick={() => Taro.navigateTo({ url: '/packages/mall/items/index' })}>
          <Text>积分商城</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
        <View className='links__item' data-testid='link-coupons' onClick={() => Taro.navigateTo({ url: '/packages/coupons/wallet/index' })}>
          <Text>我的优惠券</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
        <View className='links__item' data-testid='link-member-day' onClick={() => Taro.navigateTo({ url: '/packages/programs/member-day/index' })}>
          <Text>会员日</Text>
          <Text className='links__chevron' aria-hidden='true'>›</Text>
        </View>
        <View className='links__item' data-testid='link-birthday' onClick={() => Taro.navigateTo({ url: '/packages/programs/birthday/index' })}>
          <Text>生日礼遇</Text>
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
    <View className='tab-page'>
      <LoginGate>
        <CardView />
      </LoginGate>
      <H5TabBar current='pages/card/index' />
    </View>
  )
}
