import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { BirthdayGiftStatus, MemberDayView } from '@member-center/shared'
import { useEffect, useState } from 'react'
import { useMemberDayVisit } from '../../hooks/member-day-visit'
import { getBirthdayGift } from '../../services/birthday'
import { getMemberDay } from '../../services/member-day'

/** Days from one Shanghai date (YYYY-MM-DD) to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** 12月18日 */
export function monthDay(date: string): string {
  return `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`
}

/** The member-day line of the card: today, or the next one when it is a week away or less. */
function memberDayText(view: MemberDayView, issued: number): { title: string; note: string } | null {
  const next = view.next
  if (!next) return null
  const multiplier = next.multiplier > 1 ? `购物积分 ×${next.multiplier}` : null
  if (view.isToday) {
    const coupons = issued > 0 ? `${issued} 张会员日礼券已放入「我的优惠券」` : null
    return { title: next.theme?.title ? `今天是会员日 · ${next.theme.title}` : '今天是会员日', note: [multiplier, coupons].filter(Boolean).join(' · ') || '查看今日会员专享' }
  }
  const days = daysBetween(view.today, next.date)
  if (days > 7) return null
  return { title: `${monthDay(next.date)} 会员日 · ${days === 1 ? '明天' : `还有 ${days} 天`}`, note: multiplier ? `当天${multiplier}，会员专享券等你领` : '会员专享券等你领' }
}

/** The birthday line of the card, in the birthday week only. */
function birthdayText(gift: BirthdayGiftStatus): { title: string; note: string } | null {
  if (!gift.birthdayWeek || !gift.celebratedOn) return null
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
  const title = gift.celebratedOn === today ? '生日快乐！' : `${monthDay(gift.celebratedOn)} 是你的生日`
  if (gift.status === 'issued') return { title, note: '生日礼遇已送达，点击查看' }
  if (gift.status === 'upcoming') return { title, note: gift.issueOn ? `生日礼遇将于 ${monthDay(gift.issueOn)} 送达` : '生日礼遇即将送达' }
  return { title, note: '祝你生日快乐' }
}

function Banner({ testId, title, note, url, tone }: { testId: string; title: string; note: string; url: string; tone: 'birthday' | 'member-day' }) {
  return (
    <View className={`program-banner program-banner--${tone}`} data-testid={testId} onClick={() => Taro.navigateTo({ url })}>
      <View className='program-banner__text'>
        <Text className='program-banner__title'>{title}</Text>
        <Text className='program-banner__note'>{note}</Text>
      </View>
      <Text className='program-banner__chevron' aria-hidden='true'>
        ›
      </Text>
    </View>
  )
}

/**
 * The programs the card points to while they matter: the birthday week's banner and the member day (on the day and
 * the week before). Loaded apart from the card, so the card shows even when these cannot be read.
 */
export default function ProgramBanners() {
  const { issued } = useMemberDayVisit()
  const [gift, setGift] = useState<BirthdayGiftStatus | null>(null)
  const [memberDay, setMemberDay] = useState<MemberDayView | null>(null)
  useEffect(() => {
    let live = true
    getBirthdayGift().then((g) => live && setGift(g), () => undefined)
    getMemberDay().then((m) => live && setMemberDay(m), () => undefined)
    return () => {
      live = false
    }
  }, [issued])
  const birthday = gift ? birthdayText(gift) : null
  const day = memberDay ? memberDayText(memberDay, issued) : null
  if (!birthday && !day) return null
  return (
    <View className='programs'>
      {birthday && <Banner testId='birthday-banner' tone='birthday' url='/packages/programs/birthday/index' {...birthday} />}
      {day && <Banner testId='member-day-banner' tone='member-day' url='/packages/programs/member-day/index' {...day} />}
    </View>
  )
}
