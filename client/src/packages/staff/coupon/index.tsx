import Taro, { useRouter } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import type { Coupon } from '@member-center/shared'
import { useEffect, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import { toApiError } from '../../../hooks/use-api'
import { checkCoupon, useCoupon } from '../../../services/staff-counter'
import { COUPON_REASONS, shanghaiDay } from '../format'
import './index.scss'

type Checked = { coupon: Coupon; memberId: string; usable: boolean; reason: string | null }

/** The coupon as the counter sees it: whose, its rules, its validity, and whether it can be used now. */
function CouponFacts({ checked }: { checked: Checked }) {
  const c = checked.coupon
  return (
    <View className='section verify__facts' data-testid='coupon-check' data-usable={checked.usable}>
      <Text className='verify__name'>{c.name}</Text>
      <Text>{c.rulesText}</Text>
      <Text className='muted'>
        有效期 {shanghaiDay(c.validFrom)} 至 {shanghaiDay(new Date(Date.parse(c.validUntil) - 1).toISOString())}
      </Text>
      <Text className='muted'>券码 {c.code}</Text>
      {!checked.usable && (
        <Text className='verify__refused' data-testid='coupon-check-reason'>
          {COUPON_REASONS[checked.reason ?? ''] ?? '这张券现在不能使用。'}
        </Text>
      )}
    </View>
  )
}

/**
 * Verify and consume a coupon at the counter: the code (from the member's wallet, or the member page), what it is and
 * whether it can be used, then one tap to use it for its member — and a result screen that says so plainly.
 */
function Verify({ initialCode, memberId }: { initialCode: string; memberId: string | null }) {
  const [code, setCode] = useState(initialCode)
  const [checked, setChecked] = useState<Checked | null>(null)
  const [used, setUsed] = useState<Coupon | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const check = async (value: string) => {
    setBusy(true)
    setError(null)
    setChecked(null)
    try {
      const result = await checkCoupon(value)
      // from a member's page: the coupon must be that member's
      if (memberId && result.memberId !== memberId) setError('这张券不属于当前会员，请核对。')
      else setChecked(result)
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    if (initialCode) void check(initialCode)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const use = async () => {
    if (!checked) return
    setBusy(true)
    setError(null)
    try {
      setUsed(await useCoupon(checked.coupon.code, checked.memberId))
    } catch (e) {
      setError(toApiError(e).message)
      await check(checked.coupon.code)
    } finally {
      setBusy(false)
    }
  }

  if (used) {
    return (
      <View className='verify'>
        <View className='section verify__done' data-testid='coupon-used'>
          <Text className='verify__mark' aria-hidden='true'>
            ✓
          </Text>
          <Text className='verify__title'>核销成功</Text>
          <Text className='verify__name'>{used.name}</Text>
          <Text className='muted'>
            {used.usedAt ? `${shanghaiDay(used.usedAt)} ` : ''}已为会员使用，此券不能再次使用。
          </Text>
        </View>
        <View className='section'>
          <Button variant='primary' onClick={() => Taro.navigateBack()} data-testid='coupon-back'>
            返回
          </Button>
        </View>
      </View>
    )
  }

  return (
    <View className='verify'>
      <View className='section verify__form'>
        <Text className='verify__heading'>核销优惠券</Text>
        <Input className='verify__input text-input' nativeProps={{ 'aria-label': '券码' }} placeholder='输入券码（12 位）' value={code} onInput={(e) => setCode(e.detail.value)} data-testid='coupon-code-input' />
        <Button disabled={busy || code.replace(/[\s-]/g, '').length < 6} onClick={() => void check(code)} data-testid='coupon-code-check'>
          查询
        </Button>
      </View>
      {error && (
        <View className='section'>
          <Text className='verify__refused' data-testid='coupon-error'>
            {error}
          </Text>
        </View>
      )}
      {checked && <CouponFacts checked={checked} />}
      {checked?.usable && (
        <View className='section'>
          <Button variant='primary' disabled={busy} onClick={() => void use()} data-testid='coupon-use-confirm'>
            {busy ? '正在核销…' : '确认核销'}
          </Button>
        </View>
      )}
    </View>
  )
}

export default function StaffCouponPage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      <Verify initialCode={params.code ?? ''} memberId={params.memberId ?? null} />
    </LoginGate>
  )
}
