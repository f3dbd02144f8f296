import { Image, Text, View } from '@tarojs/components'
import type { MemberMallItem } from '../../../../services/mall'
import './index.scss'

/**
 * An item's first image, or — when the operator gave none — a quiet badge with one character for its kind. The image's
 * alternative text is the item's name (nativeProps reach the H5 <img>; WeChat's screen reader reads the name beside it).
 */
export default function ItemVisual({ item, size = 'small' }: { item: Pick<MemberMallItem, 'kind' | 'name' | 'images'>; size?: 'small' | 'large' }) {
  const src = item.images?.[0]
  if (src) {
    return <Image className={`item-visual item-visual--${size}`} src={src} mode='aspectFill' nativeProps={{ alt: item.name }} />
  }
  return (
    <View className={`item-visual item-visual--${size} item-visual--${item.kind}`} aria-hidden='true'>
      <Text className='item-visual__glyph'>{item.kind === 'coupon' ? '券' : '礼'}</Text>
    </View>
  )
}
