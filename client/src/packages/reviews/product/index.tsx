import { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../../components/button'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { getProductReviews, type PublicReview } from '../../../services/reviews'
import PhotoStrip from '../components/photo-strip'
import Stars from '../components/stars'
import { shanghaiDay } from '../format'
import './index.scss'

function ReviewItem({ review }: { review: PublicReview }) {
  return (
    <View className='product-review' data-testid='public-review'>
      <View className='product-review__head'>
        <Text className='product-review__nickname' data-testid='public-review-nickname'>
          {review.nickname}
        </Text>
        <Text className='muted'>{shanghaiDay(review.createdAt)}</Text>
      </View>
      <Stars rating={review.rating} />
      {review.text ? <Text className='product-review__text'>{review.text}</Text> : null}
      <PhotoStrip photos={review.photos} label={`${review.nickname}的评价`} />
      {review.reply && (
        <View className='product-review__reply' data-testid='public-review-reply'>
          <Text className='product-review__reply-title'>品牌回复</Text>
          <Text>{review.reply.text}</Text>
        </View>
      )}
    </View>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('商品评价')

/** A product's published reviews (anyone may read them): the average, the count, then the reviews, newest first. */
function ProductReviewsView({ sku, name }: { sku: string; name: string | null }) {
  const [more, setMore] = useState<PublicReview[]>([])
  const [before, setBefore] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [moreError, setMoreError] = useState<string | null>(null)
  const first = useApi(
    async () => {
      const page = await getProductReviews(sku)
      setMore([])
      setBefore(page.nextBefore)
      return page
    },
    { public: true },
  )
  const loadMore = async () => {
    if (!before) return
    setBusy(true)
    setMoreError(null)
    try {
      const page = await getProductReviews(sku, before)
      setMore((list) => [...list, ...page.items])
      setBefore(page.nextBefore)
    } catch (e) {
      setMoreError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='product' {...KEYBOARD_SCROLLABLE}>
      <PageState data={first.data} error={first.error} loading={first.loading} onRetry={first.reload}>
        {(page) => (
          <>
            <View className='section product__summary' data-testid='product-summary'>
              {name ? <Text className='product__name'>{name}</Text> : null}
              {page.count > 0 && page.averageRating !== null ? (
                <View className='product__average'>
                  <Text className='product__score' data-testid='product-average'>
                    {page.averageRating.toFixed(1)}
                  </Text>
                  <View className='product__score-side'>
                    <Stars rating={Math.round(page.averageRating)} size='large' />
                    <Text className='muted' data-testid='product-count'>
                      共 {page.count} 条评价
                    </Text>
                  </View>
                </View>
              ) : (
                <Text className='muted' data-testid='product-count'>
                  这件商品还没有公开的评价。
                </Text>
              )}
            </View>
            {page.items.length > 0 && (
              <View className='section product__list'>
                {[...page.items, ...more].map((review) => (
                  <ReviewItem key={review.id} review={review} />
                ))}
                {moreError && <Text className='product__error'>{moreError}</Text>}
                {before && (
                  <Button disabled={busy} onClick={() => void loadMore()}>
                    {busy ? '加载中…' : '加载更多'}
                  </Button>
                )}
              </View>
            )}
            <View className='product__footer'>
              <Text className='muted'>评价来自购买过这件商品的会员，经内容检测和审核后展示，昵称已隐去部分文字。</Text>
            </View>
          </>
        )}
      </PageState>
    </View>
  )
}

export default function ProductReviewsPage() {
  const { params } = useRouter()
  const sku = params.sku ? decoded(params.sku) : null
  if (!sku) {
    return (
      <View className='section page-state' data-testid='page-empty'>
        <Text className='page-state__text'>没有指定商品，请从评价晒单进入。</Text>
      </View>
    )
  }
  return <ProductReviewsView sku={sku} name={params.name ? decoded(params.name) : null} />
}

/** A query value, decoded once if the platform left it encoded. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
