import Taro, { useRouter } from '@tarojs/taro'
import { Text, Textarea, View } from '@tarojs/components'
import { useRef, useState } from 'react'
import Button from '../../../components/button'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { getReviewables, submitReview, type Review, type ReviewableLine, type ReviewPhotoUpload } from '../../../services/reviews'
import PhotoPicker from '../components/photo-picker'
import { offerSentence, RATING_WORDS, requirementsSentence, shanghaiDay, shortDate, textLength, yuan } from '../format'
import './index.scss'

/** The most photos and characters a review takes (shared MAX_REVIEW_PHOTOS, MAX_REVIEW_TEXT). */
const MAX_PHOTOS = 9
const MAX_TEXT = 1000

/** aria-pressed for a toggle button: ButtonProps does not list it; H5 passes it through, weapp ignores it. */
const pressed = (on: boolean) => ({ 'aria-pressed': on ? 'true' : 'false' }) as Record<string, unknown>

const toMine = () => Taro.redirectTo({ url: '/packages/reviews/index/index?tab=mine' })

/** Stars 1–5 as five buttons, each saying its number and meaning. */
function RatingInput({ rating, onRate }: { rating: number; onRate: (n: number) => void }) {
  return (
    <View className='write__rating'>
      <View className='write__stars' role='group' aria-label='评分'>
        {[1, 2, 3, 4, 5].map((n) => (
          <Button
            key={n}
            className={`write__star${n <= rating ? ' write__star--on' : ''}`}
            aria-label={`${n} 星，${RATING_WORDS[n]}`}
            data-testid={`rate-${n}`}
            {...pressed(n === rating)}
            onClick={() => onRate(n)}
          >
            {n <= rating ? '★' : '☆'}
          </Button>
        ))}
      </View>
      <Text className={rating ? 'write__rating-word' : 'muted'} data-testid='rating-word'>
        {rating ? `${rating} 星 · ${RATING_WORDS[rating]}` : '请选择评分'}
      </Text>
    </View>
  )
}

/** After submitting: what happens next, and the way back to the list. */
function Submitted({ review }: { review: Review }) {
  const reward = review.reward
  return (
    <View className='section write__done' data-testid='review-submitted'>
      <Text className='write__done-mark' aria-hidden='true'>
        ✓
      </Text>
      <Text className='write__done-title'>评价已提交</Text>
      <Text className='write__done-text'>
        {reward && !reward.note
          ? `内容检测和品牌审核通过后公开展示，并发放晒单奖励 ${reward.text}。`
          : '内容检测和品牌审核通过后公开展示。'}
      </Text>
      {reward?.note ? <Text className='write__done-note'>{reward.note}。</Text> : null}
      <Button variant='primary' data-testid='review-to-mine' onClick={() => void toMine()}>
        查看我的评价
      </Button>
    </View>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('写评价')

function WriteForm({ line }: { line: ReviewableLine }) {
  const [rating, setRating] = useState(0)
  const [text, setText] = useState('')
  const [photos, setPhotos] = useState<ReviewPhotoUpload[]>([])
  const [uploading, setUploading] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<Review | null>(null)
  const c = line.campaign
  const length = textLength(text)

  if (done) return <Submitted review={done} />

  // what the campaign's reward still asks for (the review is taken without it, and the member is told so first)
  const short: string[] = []
  if (c && c.rewardsLeft) {
    if (photos.length < c.minPhotos) short.push(`还需 ${c.minPhotos - photos.length} 张照片`)
    if (length < c.minTextLength) short.push(`还需 ${c.minTextLength - length} 字`)
  }

  const submit = async () => {
    if (short.length > 0) {
      const { confirm } = await Taro.showModal({
        title: '还不满足奖励要求',
        content: `${short.join('，')}才能获得晒单奖励。现在发表，评价仍会审核展示，但不获得奖励。`,
        confirmText: '仍然发表',
        cancelText: '继续填写',
      })
      if (!confirm) return
    }
    setBusy(true)
    setError(null)
    try {
      setDone(await submitReview({ orderId: line.orderId, lineId: line.lineId, rating, text: text.trim(), photoIds: photos.map((p) => p.id) }))
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }

  const countText = c && c.minTextLength > 0 ? `已写 ${length} 字${length < c.minTextLength ? `，奖励要求至少 ${c.minTextLength} 字` : '，已满足字数要求'}` : `${length}/${MAX_TEXT}`

  return (
    <View className='write' {...KEYBOARD_SCROLLABLE}>
      <View className='section write__product'>
        <Text className='write__name' data-testid='write-product'>
          {line.name}
        </Text>
        <Text className='muted'>
          {yuan(line.paidFen)} · {shanghaiDay(line.receivedAt)} 收货
        </Text>
        {c && (
          <View className={`write__offer${c.rewardsLeft ? '' : ' write__offer--spent'}`} data-testid='write-offer'>
            <Text className='write__offer-title'>{c.name}</Text>
            <Text className='write__offer-reward'>
              {c.rewardsLeft ? `${offerSentence(c)}。` : '本次活动的奖励名额已经发完，这条评价不再获得奖励；仍然欢迎你分享真实感受。'}
            </Text>
            {c.rewardsLeft && (
              <Text className='write__offer-terms'>
                {requirementsSentence(c)}，{shortDate(c.endsAt)}前发表。
              </Text>
            )}
          </View>
        )}
      </View>

      <View className='section write__block'>
        <Text className='write__label'>评分</Text>
        <RatingInput rating={rating} onRate={setRating} />
      </View>

      <View className='section write__block'>
        <Text className='write__label'>评价内容</Text>
        <Textarea
          className='write__text'
          nativeProps={{ 'aria-label': '评价内容' }}
          placeholder='说说佩戴感受、做工、尺寸是否合适……'
          value={text}
          maxlength={MAX_TEXT}
          onInput={(e) => setText(e.detail.value)}
          data-testid='review-text'
        />
        <Text className={`write__count${c && length < c.minTextLength ? '' : ' write__count--ok'}`} data-testid='review-count' aria-live='polite'>
          {countText}
        </Text>
      </View>

      <View className='section write__block'>
        <Text className='write__label'>
          照片{c && c.minPhotos > 0 ? `（奖励要求至少 ${c.minPhotos} 张）` : '（选填）'}
        </Text>
        <PhotoPicker
          max={MAX_PHOTOS}
          onChange={(list, busyCount) => {
            setPhotos(list)
            setUploading(busyCount)
          }}
        />
      </View>

      <View className='section write__block'>
        <Text className='write__note' data-testid='write-note'>
          晒单奖励与评分无关：无论几星，内容真实、符合要求的评价审核通过后都可获得。只有在本小程序发表的评价参与奖励，在天猫、京东等其他平台的评价不参与。
        </Text>
        {error && (
          <Text className='write__error' data-testid='write-error' aria-live='polite'>
            {error}
          </Text>
        )}
        <Button variant='primary' data-testid='review-submit' disabled={busy || rating === 0 || uploading > 0} onClick={() => void submit()}>
          {busy ? '正在提交…' : uploading > 0 ? '照片上传中…' : rating === 0 ? '请先选择评分' : '发表评价'}
        </Button>
      </View>
    </View>
  )
}

function Write({ orderId, lineId }: { orderId: string; lineId: string }) {
  const { data, error, loading, reload } = useApi(async () => {
    const { items } = await getReviewables()
    return { line: items.find((l) => l.orderId === orderId && l.lineId === lineId) ?? null }
  })
  // the line as first loaded: reloads when the page shows again (back from the album) or after submitting must not
  // replace the form, or the success screen, with "already reviewed"
  const first = useRef<typeof data>(null)
  if (data && !first.current) first.current = data
  return (
    <PageState data={first.current ?? data} error={error} loading={loading} onRetry={reload}>
      {({ line }) => {
        if (!line) return <Missing text='没有在你收到的订单中找到这件商品，请返回评价晒单重新选择。' />
        if (line.review) return <Missing text='这件商品已经评价过了，可以在「我的评价」中查看。' mine />
        return <WriteForm line={line} />
      }}
    </PageState>
  )
}

function Missing({ text, mine = false }: { text: string; mine?: boolean }) {
  return (
    <View className='section page-state' data-testid='page-empty'>
      <Text className='page-state__text'>{text}</Text>
      {mine && <Button onClick={() => void toMine()}>查看我的评价</Button>}
    </View>
  )
}

/** A query value, decoded once if the platform left it encoded. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

export default function WriteReviewPage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      {params.orderId && params.lineId ? (
        <Write orderId={decoded(params.orderId)} lineId={decoded(params.lineId)} />
      ) : (
        <Missing text='没有指定要评价的商品，请从评价晒单进入。' />
      )}
    </LoginGate>
  )
}
