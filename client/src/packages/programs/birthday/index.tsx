import Taro from '@tarojs/taro'
import { Picker, Text, View } from '@tarojs/components'
import type { BirthdayGiftStatus } from '@member-center/shared'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { getBirthdayGift, setBirthday } from '../../../services/birthday'
import CouponLine from '../components/coupon-line'
import { lastDay, monthDay } from '../format'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

const MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1} 月`)
/** the days a month can have (29 February included: celebrated on the 28th in common years) */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const THIS_YEAR = new Date().getFullYear()
const YEARS = ['不填写', ...Array.from({ length: 100 }, (_, i) => `${THIS_YEAR - i} 年`)]

const pad = (n: number) => String(n).padStart(2, '0')
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** The one-time form: month and day (and the year if the member wants), confirmed before it is saved. */
function SetBirthday({ onSaved }: { onSaved: () => void }) {
  const [month, setMonth] = useState<number | null>(null)
  const [day, setDay] = useState<number | null>(null)
  const [yearIndex, setYearIndex] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const days = month === null ? [] : Array.from({ length: DAYS_IN_MONTH[month]! }, (_, i) => `${i + 1} 日`)
  const year = yearIndex > 0 ? THIS_YEAR - (yearIndex - 1) : undefined
  const invalidYear = year !== undefined && month === 1 && day === 28 && !isLeap(year)

  const save = async () => {
    if (month === null || day === null) return
    const birthday = `${pad(month + 1)}-${pad(day + 1)}`
    const { confirm } = await Taro.showModal({
      title: '确认生日',
      content: `生日设置为 ${monthDay(birthday)}${year ? `（${year} 年）` : ''}。设置后不能自行修改，如需更正请联系门店顾问。`,
      confirmText: '确认',
      cancelText: '再看看',
    })
    if (!confirm) return
    setBusy(true)
    setError(null)
    try {
      await setBirthday(birthday, year)
      onSaved()
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='section birthday__form' data-testid='birthday-form'>
      <Text className='birthday__heading'>设置生日，领取生日礼遇</Text>
      <Text className='muted'>生日前几天，生日礼遇会自动放入「我的优惠券」。生日只能设置一次。</Text>
      <Picker mode='selector' range={MONTHS} value={month ?? 0} onChange={(e) => { setMonth(Number(e.detail.value)); setDay(null) }}>
        <View className='birthday__picker' data-testid='birthday-month'>
          <Text>月份</Text>
          <Text className={month === null ? 'muted' : ''}>{month === null ? '请选择' : MONTHS[month]}</Text>
        </View>
      </Picker>
      <Picker mode='selector' range={days} value={day ?? 0} disabled={month === null} onChange={(e) => setDay(Number(e.detail.value))}>
        <View className='birthday__picker' data-testid='birthday-day'>
          <Text>日期</Text>
          <Text className={day === null ? 'muted' : ''}>{day === null ? (month === null ? '先选择月份' : '请选择') : days[day]}</Text>
        </View>
      </Picker>
      <Picker mode='selector' range={YEARS} value={yearIndex} onChange={(e) => setYearIndex(Number(e.detail.value))}>
        <View className='birthday__picker' data-testid='birthday-year'>
          <Text>出生年份（选填）</Text>
          <Text className={yearIndex === 0 ? 'muted' : ''}>{YEARS[yearIndex]}</Text>
        </View>
      </Picker>
      {invalidYear && <Text className='birthday__error'>{year} 年没有 2 月 29 日，请检查年份。</Text>}
      {error && (
        <Text className='birthday__error' data-testid='birthday-error'>
          {error}
        </Text>
      )}
      <Button variant='primary' data-testid='birthday-save' disabled={month === null || day === null || invalidYear || busy} onClick={save}>
        {busy ? '保存中…' : '保存生日'}
      </Button>
    </View>
  )
}

/** The headline of this year's gift. */
function headline(gift: BirthdayGiftStatus): { title: string; text: string | null } {
  const on = gift.celebratedOn ? monthDay(gift.celebratedOn) : ''
  if (gift.status === 'issued') return { title: '生日礼遇已送达', text: `祝你 ${on} 生日快乐！礼遇已放入你的账户。` }
  if (gift.status === 'upcoming') return { title: `${on} 生日`, text: gift.issueOn ? `生日礼遇将于 ${monthDay(gift.issueOn)} 自动送达「我的优惠券」。` : '生日礼遇将在生日前自动送达。' }
  if (gift.status === 'not_eligible') return { title: `${on} 生日`, text: gift.reason }
  return { title: '生日礼遇', text: null }
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('生日礼遇')

function Gift({ gift, reload }: { gift: BirthdayGiftStatus; reload: () => Promise<void> }) {
  if (gift.status === 'unset') return <SetBirthday onSaved={() => void reload()} />
  const head = headline(gift)
  const issued = gift.status === 'issued' ? gift.gift : null
  return (
    <View className='birthday' {...KEYBOARD_SCROLLABLE}>
      <View className='section birthday__head' data-testid='birthday-gift' data-status={gift.status}>
        <Text className='birthday__mark' aria-hidden='true'>
          礼
        </Text>
        <Text className='birthday__title'>{head.title}</Text>
        {head.text && (
          <Text className='birthday__text' data-testid='birthday-status-text'>
            {head.text}
          </Text>
        )}
      </View>

      {issued && (
        <View className='section birthday__gift'>
          <Text className='birthday__heading'>你的生日礼遇</Text>
          {issued.coupons.map((c) => (
            <CouponLine key={c.id} name={c.name} rulesText={c.rulesText} until={lastDay(c.validUntil)} testId='birthday-coupon' />
          ))}
          {issued.points > 0 && (
            <Text className='birthday__points' data-testid='birthday-points'>
              生日积分 +{issued.points.toLocaleString()}
            </Text>
          )}
          {issued.coupons.length > 0 && (
            <Button variant='primary' data-testid='birthday-to-wallet' onClick={() => Taro.navigateTo({ url: '/packages/coupons/wallet/index' })}>
              查看我的优惠券
            </Button>
          )}
        </View>
      )}

      <View className='section birthday__facts'>
        {gift.multiplier && gift.multiplier > 1 && (
          <Text className='birthday__text' data-testid='birthday-multiplier'>
            生日当月购物，积分 ×{gift.multiplier}。
          </Text>
        )}
        <Text className='muted' data-testid='birthday-date'>
          你的生日：{gift.birthday ? monthDay(gift.birthday) : '未设置'}。如需更正，请联系门店顾问。
        </Text>
      </View>
    </View>
  )
}

function BirthdayView() {
  const { data, error, loading, reload } = useApi(getBirthdayGift)
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(gift) => <Gift gift={gift} reload={reload} />}
    </PageState>
  )
}

export default function BirthdayPage() {
  return (
    <LoginGate>
      <BirthdayView />
    </LoginGate>
  )
}
