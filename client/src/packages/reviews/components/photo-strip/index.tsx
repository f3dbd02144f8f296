import Taro from '@tarojs/taro'
import { Image, View } from '@tarojs/components'
import { photoSrc } from '../../../../services/reviews'
import './index.scss'

interface Photo {
  id: string
  url: string
  thumbUrl: string
}

/** A review's photos as thumbnails; a tap opens them full size (WeChat's viewer; Taro's in H5), swipeable. */
export default function PhotoStrip({ photos, label }: { photos: Photo[]; label: string }) {
  if (photos.length === 0) return null
  const urls = photos.map((p) => photoSrc(p.url))
  return (
    <View className='photo-strip' data-testid='review-photos'>
      {photos.map((photo, i) => (
        <View
          key={photo.id}
          className='photo-strip__item'
          role='button'
          aria-label={`查看${label}第 ${i + 1} 张照片大图`}
          data-testid='review-photo'
          onClick={() => void Taro.previewImage({ current: urls[i]!, urls })}
        >
          <Image className='photo-strip__image' src={photoSrc(photo.thumbUrl)} mode='aspectFill' nativeProps={{ alt: `${label}第 ${i + 1} 张照片` }} />
        </View>
      ))}
    </View>
  )
}
