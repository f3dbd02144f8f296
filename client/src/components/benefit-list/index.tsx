import { Text, View } from '@tarojs/components'
import './index.scss'

export interface BenefitItem {
  title: string
  description: string
  icon: string | null
}

// The icon keys an operator may give a benefit (PUT /api/admin/tiers), each drawn as one character in a badge: no
// image to load, and it reads the same in weapp and H5. A key not listed here (or none) shows the title's first one.
const GLYPHS: Record<string, string> = {
  cleaning: '洁',
  engraving: '刻',
  resizing: '圈',
  'trade-in': '换',
  advisor: '顾',
  priority: '约',
  custom: '定',
  price: '惠',
  birthday: '寿',
  gift: '礼',
  events: '宴',
}

export function benefitGlyph(benefit: BenefitItem): string {
  return GLYPHS[benefit.icon ?? ''] ?? Array.from(benefit.title)[0] ?? '·'
}

/** A tier's benefits (会员权益): a badge, the title and its short description each. */
export default function BenefitList({ benefits, testId }: { benefits: BenefitItem[]; testId?: string }) {
  return (
    <View className='benefit-list'>
      {benefits.map((benefit) => (
        <View key={`${benefit.title}:${benefit.description}`} className='benefit-list__item' data-testid={testId}>
          <Text className='benefit-list__glyph' aria-hidden='true'>
            {benefitGlyph(benefit)}
          </Text>
          <View className='benefit-list__text'>
            <Text className='benefit-list__title'>{benefit.title}</Text>
            {benefit.description ? <Text className='benefit-list__description'>{benefit.description}</Text> : null}
          </View>
        </View>
      ))}
    </View>
  )
}
