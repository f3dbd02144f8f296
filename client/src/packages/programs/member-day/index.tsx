import Taro from '@tarojs/taro'
import { Image, Text, View } from '@tarojs/components'
import type { MemberDayView } from '@member-center/shared'
import { useEffect, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import SubscribePrompt from '../../../components/subscribe-prompt'
import { useMemberDayVisit } from '../../../hooks/member-day-visit'
import { useApi } from '../../../hooks/use-api'
import { getMemberDay } from '../../../services/member-day'
import CouponLine from '../components/coupon-line'
import { countdown, lastDay, monthDay, yuan } from '../format'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

/** Milliseconds until an instant, ticking every 30 seconds. */
function useMsUntil(iso: string | undefined): number {
  const compute = () => (iso ? Date.parse(iso) - Date.now() : 0)
  const [ms, setMs] = useState(compute)
  useEffect(() => {
    setMs(compute())
    const timer = setInterval(() => setMs(compute()), 30_000)
    return () => clearInterval(timer)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [iso])
  return ms
}

/** 每月 18 日 / 每月 8 日、18 日 */
function daysText(days: number[]): string {
  return `每月 ${days.map((d) => `${d} 日`).join('、')}`
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('会员日')

function MemberDay({ view }: { view: MemberDayView }) {
  const next = view.next
  const untilStart = useMsUntil(next?.startsAt)
  const untilEnd = useMsUntil(next?.endsAt)
  if (!next) {
    return (
      <View className='section page-state' data-testid='page-empty'>
        <Text className='page-state__text'>会员日活动暂未开放，敬请期待。</Text>
      </View>
    )
  }
  const mine = view.mine
  const today = view.isToday
  const others = view.offers.filter((o) => o.tier !== mine?.tier && o.coupons.length > 0)
  return (
    <View className='member-day' {...KEYBOARD_SCROLLABLE}>
      <View className='member-day__hero' data-testid='member-day-hero'>
        {next.theme?.banner && <Image className='member-day__banner' src={next.theme.banner} mode='aspectFill' aria-label={next.theme.title} />}
        <Text className='member-day__eyebrow'>{daysText(view.days)} · 会员日</Text>
        <Text className='member-day__title' data-testid='member-day-title'>
          {next.theme?.title ?? '会员日'}
        </Text>
        <Text className='member-day__when' data-testid='member-day-countdown'>
          {today ? `今天是会员日 · 距结束 ${countdown(untilEnd)}` : `${monthDay(next.date)} · 距开始 ${countdown(untilStart)}`}
        </Text>
        {next.theme?.description && <Text className='member-day__description'>{next.theme.description}</Text>}
      </View>

      {next.multiplier > 1 && (
        <View className='section member-day__multiplier' data-testid='member-day-multiplier'>
          <Text className='member-day__big'>积分 ×{next.multiplier}</Text>
          <Text className='member-day__text'>{today ? '今天' : monthDay(next.date)}支付的订单，积分按 {next.multiplier} 倍计算（与等级倍率合计不超过上限）。</Text>
        </View>
      )}

      {mine && (
        <View className='section member-day__offers' data-testid='member-day-mine'>
          <Text className='member-day__heading'>{mine.tierName}专享</Text>
          {mine.issued.length > 0 ? (
            <>
              {mine.issued.map((c) => (
                <CouponLine key={c.id} name={c.name} rulesText={c.rulesText} until={lastDay(c.validUntil)} testId='member-day-issued' />
              ))}
              <Text className='member-day__text'>会员日礼券已放入「我的优惠券」。</Text>
              <Button variant='primary' data-testid='member-day-to-wallet' onClick={() => Taro.navigateTo({ url: '/packages/coupons/wallet/index' })}>
                查看我的优惠券
              </Button>
            </>
          ) : mine.coupons.length > 0 ? (
            <>
              {mine.coupons.map((c) => (
                <CouponLine key={c.templateId} name={c.name} rulesText={c.rulesText} testId='member-day-offer' />
              ))}
              <Text className='muted'>{today ? '打开小程序即可领取，放入「我的优惠券」。' : '会员日当天打开小程序，礼券自动放入「我的优惠券」。'}</Text>
            </>
          ) : (
            <Text className='muted'>本期没有{mine.tierName}专享礼券，会员日购物仍享积分加倍。</Text>
          )}
        </View>
      )}

      {next.memberPrices.length > 0 && (
        <View className='section member-day__prices' data-testid='member-day-prices'>
          <Text className='member-day__heading'>会员价</Text>
          {next.memberPrices.map((p) => (
            <View key={p.sku} className='member-day__price' data-testid='member-day-price'>
              <Text className='member-day__product'>{p.name}</Text>
              <View className='member-day__figures'>
                <Text className='member-day__member-price'>{yuan(p.memberPriceFen)}</Text>
                <Text className='member-day__list-price'>
                  原价 <Text className='member-day__struck'>{yuan(p.priceFen)}</Text>
                </Text>
              </View>
            </View>
          ))}
          <Text className='muted'>会员价仅限会员日当天，在线上商城与门店结算时享受。</Text>
        </View>
      )}

      {others.length > 0 && (
        <View className='section member-day__offers' data-testid='member-day-tiers'>
          <Text className='member-day__heading'>各等级会员日礼券</Text>
          {others.map((o) => (
            <View key={o.tier} className='member-day__tier'>
              <Text className='member-day__tier-name'>{o.tierName}</Text>
              <Text className='muted'>{o.coupons.map((c) => c.name).join('、')}</Text>
            </View>
          ))}
        </View>
      )}

      {!today && (
        <SubscribePrompt kinds={['member_day']} label='提醒我' description={`会员日前一天，通过微信提醒你（${monthDay(next.date)}）。`} testId='subscribe-member-day' />
      )}
    </View>
  )
}

function MemberDayPageView() {
  const { issued } = useMemberDayVisit()
  const { data, error, loading, reload } = useApi(getMemberDay)
  // coupons the visit just issued: show them
  useEffect(() => {
    if (issued > 0) void reload()
  }, [issued, reload])
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(view) => <MemberDay view={view} />}
    </PageState>
  )
}

export default function MemberDayPage() {
  return (
    <LoginGate>
      <MemberDayPageView />
    </LoginGate>
  )
}
