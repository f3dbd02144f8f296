import { Text, View } from '@tarojs/components'
import './index.scss'

/** A rating shown as five stars, filled ★ and empty ☆ (told apart by shape, not colour alone), read as "N 星". */
export default function Stars({ rating, size = 'small' }: { rating: number; size?: 'small' | 'large' }) {
  const full = Math.max(0, Math.min(5, Math.round(rating)))
  return (
    <View className={`stars stars--${size}`} role='img' aria-label={`${rating} 星`} data-testid='stars' data-rating={rating}>
      <Text className='stars__on'>{'★'.repeat(full)}</Text>
      <Text className='stars__off'>{'☆'.repeat(5 - full)}</Text>
    </View>
  )
}
