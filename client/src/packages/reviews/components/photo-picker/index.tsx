import Taro from '@tarojs/taro'
import { Image, Text, View } from '@tarojs/components'
import { useEffect, useRef, useState, type ChangeEvent } from 'react'
import Button from '../../../../components/button'
import { toApiError } from '../../../../hooks/use-api'
import { ERROR_MESSAGES } from '../../../../services/error-messages'
import { photoSrc, uploadReviewPhoto, type ReviewPhotoUpload, type UploadSource } from '../../../../services/reviews'
import './index.scss'

/** The largest photo the server takes (shared MAX_PHOTO_BYTES, 10 MiB): checked here first, so a refusal costs no upload. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024

interface Chosen {
  source: UploadSource
  size: number
}

interface Uploading {
  key: number
  /** percent sent, where the platform tells it (WeChat); null in H5 */
  progress: number | null
}

/**
 * The review's photos: each uploaded as soon as it is chosen (WeChat: chooseMedia, compressed; H5: a real file input),
 * shown as its thumbnail with a remove button, a tile per upload under way, and the server's refusal in a sentence.
 */
export default function PhotoPicker({ max, onChange }: { max: number; onChange: (photos: ReviewPhotoUpload[], uploading: number) => void }) {
  const [photos, setPhotos] = useState<ReviewPhotoUpload[]>([])
  const [uploading, setUploading] = useState<Uploading[]>([])
  const [error, setError] = useState<string | null>(null)
  const nextKey = useRef(0)
  const onChangeRef = useRef(onChange)
  onChangeRef.current = onChange
  useEffect(() => onChangeRef.current(photos, uploading.length), [photos, uploading.length])

  const room = max - photos.length - uploading.length

  /** one after the other, in the order chosen; the first refusal is said, the rest still go */
  const uploadAll = async (chosen: Chosen[]) => {
    setError(null)
    const taken = chosen.slice(0, Math.max(0, room))
    const problems: string[] = []
    if (chosen.length > taken.length) problems.push(`最多 ${max} 张照片，多选的 ${chosen.length - taken.length} 张没有添加。`)
    for (const { source, size } of taken) {
      if (size > MAX_PHOTO_BYTES) {
        problems.push(ERROR_MESSAGES.PHOTO_TOO_LARGE)
        continue
      }
      const key = nextKey.current++
      setUploading((list) => [...list, { key, progress: null }])
      try {
        const photo = await uploadReviewPhoto(source, (progress) => setUploading((list) => list.map((u) => (u.key === key ? { ...u, progress } : u))))
        setPhotos((list) => [...list, photo])
      } catch (e) {
        problems.push(toApiError(e).message)
      } finally {
        setUploading((list) => list.filter((u) => u.key !== key))
      }
    }
    if (problems.length > 0) setError([...new Set(problems)].join(''))
  }

  /** WeChat: the album or the camera, compressed by WeChat (it declares the photos in the privacy guide). */
  const choose = async () => {
    if (room <= 0) return
    try {
      const { tempFiles } = await Taro.chooseMedia({ count: room, mediaType: ['image'], sizeType: ['compressed'], sourceType: ['album', 'camera'] })
      await uploadAll(tempFiles.map((f) => ({ source: { filePath: f.tempFilePath }, size: f.size })))
    } catch (e) {
      const message = (e as { errMsg?: string }).errMsg ?? ''
      if (!message.includes('cancel')) setError('无法打开相册或相机，请检查微信的相册和相机权限后再试。')
    }
  }

  /** H5: the files the input gave; the input is emptied so the same file can be chosen again after a removal. */
  const picked = (event: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(event.target.files ?? [])
    event.target.value = ''
    void uploadAll(files.map((file) => ({ source: { file, fileName: file.name || 'photo.jpg' }, size: file.size })))
  }

  return (
    <View className='photo-picker'>
      <View className='photo-picker__grid'>
        {photos.map((photo, i) => (
          <View key={photo.id} className='photo-picker__tile' data-testid='photo-thumb'>
            <Image className='photo-picker__image' src={photoSrc(photo.thumbUrl)} mode='aspectFill' nativeProps={{ alt: `已添加的第 ${i + 1} 张照片` }} />
            <Button className='photo-picker__remove' aria-label={`删除第 ${i + 1} 张照片`} data-testid='photo-remove' onClick={() => setPhotos((list) => list.filter((p) => p.id !== photo.id))}>
              ×
            </Button>
          </View>
        ))}
        {uploading.map((u) => (
          <View key={u.key} className='photo-picker__tile photo-picker__tile--busy' aria-busy='true' data-testid='photo-uploading'>
            <Text className='photo-picker__busy'>{u.progress === null ? '上传中…' : `上传中 ${u.progress}%`}</Text>
          </View>
        ))}
        {room > 0 &&
          (process.env.TARO_ENV === 'h5' ? (
            <label className='photo-picker__tile photo-picker__add'>
              <input className='photo-picker__input' type='file' accept='image/*' multiple aria-label='添加照片' data-testid='photo-input' onChange={picked} />
              <Text className='photo-picker__plus' aria-hidden='true'>
                +
              </Text>
              <Text className='photo-picker__add-text'>添加照片</Text>
            </label>
          ) : (
            <View className='photo-picker__tile photo-picker__add' role='button' aria-label='添加照片' data-testid='photo-add' onClick={() => void choose()}>
              <Text className='photo-picker__plus' aria-hidden='true'>
                +
              </Text>
              <Text className='photo-picker__add-text'>添加照片</Text>
            </View>
          ))}
      </View>
      <Text className='muted' data-testid='photo-count'>
        已添加 {photos.length}/{max} 张{uploading.length > 0 ? `，${uploading.length} 张上传中` : ''}。照片会去除拍摄地点等信息后保存。
      </Text>
      {error && (
        <Text className='photo-picker__error' data-testid='photo-error' aria-live='polite'>
          {error}
        </Text>
      )}
    </View>
  )
}
