import { Text, View } from '@tarojs/components'
import type { Coupon } from '@member-center/shared'
import { faceValue, groupedCode, shanghaiDay, thresholdText, validityText } from '../../format'
import './index.scss'

/** Under the validity: when a used or expired coupon stopped being usable. */
function stateLine(coupon: Coupon): string | null {
  if (coupon.state === 'used') return coupon.usedAt ? `${shanghaiDay(coupon.usedAt)} 已使用` : '已使用'
  if (coupon.state === 'expired') return '已过期'
  if (coupon.state === 'void') return '已作废'
  return null
}

/**
 * One coupon as the wallet shows it: its face (amount or discount, and the threshold) on a stub, then its name, its
 * rules in words, its validity and its code. A usable coupon is gold; a used or expired one is grey, still readable.
 */
export default function CouponCard({ coupon, onOpen }: { coupon: Coupon; onOpen?: () => void }) {
  const face = faceValue(coupon)
  const usable = coupon.state === 'usable'
  const state = stateLine(coupon)
  return (
    <View className={`coupon${usable ? '' : ' coupon--inactive'}`} data-testid='coupon' data-code={coupon.code} data-state={coupon.state} onClick={onOpen}>
      <View className='coupon__face'>
        <Text className='coupon__value'>
          {face.value}
          {face.unit && <Text className='coupon__unit'>{face.unit}</Text>}
        </Text>
        <Text className='coupon__threshold'>{thresholdText(coupon)}</Text>
      </View>
      <View className='coupon__body'>
        <Text className='coupon__name' data-testid='coupon-name'>
          {coupon.name}
        </Text>
        <Text className='coupon__rules' data-testid='coupon-rules'>
          {coupon.rulesText}
        </Text>
        <Text className='coupon__meta'>有效期 {validityText(coupon)}</Text>
        <Text className='coupon__meta' data-testid='coupon-code'>
          券码 {groupedCode(coupon.code)}
        </Text>
        {state && <Text className='coupon__state'>{state}</Text>}
        {usable && onOpen && <Text className='coupon__open'>出示券码 ›</Text>}
      </View>
    </View>
  )
}
