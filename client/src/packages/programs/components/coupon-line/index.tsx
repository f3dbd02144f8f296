import { Text, View } from '@tarojs/components'
import './index.scss'

interface Props {
  name: string
  rulesText: string
  /** the last day it can be used (an issued coupon), or nothing (an offer not issued yet) */
  until?: string | null
  testId?: string
}

/** A coupon of a program, in one line: its name, its rules in words and, once issued, until when it can be used. */
export default function CouponLine({ name, rulesText, until, testId = 'program-coupon' }: Props) {
  return (
    <View className='coupon-line' data-testid={testId}>
      <Text className='coupon-line__name'>{name}</Text>
      <Text className='coupon-line__rules'>{rulesText}</Text>
      {until && <Text className='coupon-line__until'>有效期至 {until}</Text>}
    </View>
  )
}
