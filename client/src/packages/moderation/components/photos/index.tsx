import Taro from '@tarojs/taro'
import { Image, View } from '@tarojs/components'
import { photoSrc } from '../../../../services/moderation'
import './index.scss'

interface Photo {
  id: string
  url: string
  thumbUrl: string
}

/** A review's photos as thumbnails; a tap opens them full size to look closely before deciding. */
export default function Photos({ photos, label }: { photos: Photo[]; label: string }) {
  if (photos.length === 0) return null
  const urls = photos.map((p) => photoSrc(p.url))
  return (
    <View className='mod-photos' data-testid='mod-photos'>
      {photos.map((photo, i) => (
        <View
          key={photo.id}
          className='mod-photos__item'
          role='button'
          aria-label={`查看${label}第 ${i + 1} 张照片大图`}
          data-testid='mod-photo'
          onClick={() => void Taro.previewImage({ current: urls[i]!, urls })}
        >
          <Image className='mod-photos__image' src={photoSrc(photo.thumbUrl)} mode='aspectFill' nativeProps={{ alt: `${label}第 ${i + 1} 张照片` }} />
        </View>
      ))}
    </View>
  )
}
