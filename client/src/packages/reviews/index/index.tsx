import Taro, { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../../components/button'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { deleteMyReview, getMyReviews, getReviewables, type Review, type ReviewableLine } from '../../../services/reviews'
import PhotoStrip from '../components/photo-strip'
import Stars from '../components/stars'
import { offerSentence, requirementsSentence, rewardSentence, shanghaiDay, shortDate, stateLabel, yuan } from '../format'
import './index.scss'

type Tab = 'todo' | 'mine'

const TABS: { tab: Tab; label: string }[] = [
  { tab: 'todo', label: '待评价' },
  { tab: 'mine', label: '我的评价' },
]

/** aria-pressed for a toggle button: ButtonProps does not list it; H5 passes it through, weapp ignores it. */
const pressed = (on: boolean) => ({ 'aria-pressed': on ? 'true' : 'false' }) as Record<string, unknown>

const write = (line: ReviewableLine) =>
  Taro.navigateTo({ url: `/packages/reviews/write/index?orderId=${encodeURIComponent(line.orderId)}&lineId=${encodeURIComponent(line.lineId)}` })

const productPage = (sku: string, name: string) =>
  Taro.navigateTo({ url: `/packages/reviews/product/index?sku=${encodeURIComponent(sku)}&name=${encodeURIComponent(name)}` })

/** One received line: the product, and — under a campaign — the reward, what it asks, and whether rewards are left. */
function LineCard({ line, onMine }: { line: ReviewableLine; onMine: () => void }) {
  const c = line.campaign
  return (
    <View className='section reviews-line' data-testid='reviewable' data-sku={line.sku}>
      <View className='reviews-line__head'>
        <Text className='reviews-line__name' data-testid='reviewable-name'>
          {line.name}
        </Text>
        <Text className='muted'>{yuan(line.paidFen)}</Text>
      </View>
      <Text className='muted'>
        {shanghaiDay(line.receivedAt)} 收货 · 订单 {line.orderId}
      </Text>
      {c && !line.review && (
        <View className={`reviews-offer${c.rewardsLeft ? '' : ' reviews-offer--spent'}`} data-testid='reviewable-offer'>
          <Text className='reviews-offer__title'>{c.name}</Text>
          {c.rewardsLeft ? (
            <Text className='reviews-offer__reward' data-testid='reviewable-reward'>
              {offerSentence(c)}
            </Text>
          ) : (
            <Text className='reviews-offer__reward' data-testid='reviewable-reward'>
              本次活动的奖励名额已经发完，现在发表的评价不再获得奖励；仍然欢迎你分享真实感受。
            </Text>
          )}
          <Text className='reviews-offer__terms'>
            {requirementsSentence(c)}，{shortDate(c.endsAt)}前发表。
          </Text>
        </View>
      )}
      <View className='reviews-line__actions'>
        <Button className='button-inline reviews-line__link' onClick={() => productPage(line.sku, line.name)}>
          看看评价
        </Button>
        {line.review ? (
          <Button className='button-inline' onClick={onMine} data-testid='reviewable-reviewed'>
            已评价 · {stateLabel(line.review.state)}
          </Button>
        ) : (
          <Button className='button-inline' variant='primary' onClick={() => write(line)} data-testid='reviewable-write'>
            写评价
          </Button>
        )}
      </View>
    </View>
  )
}

function Reviewables({ onMine }: { onMine: () => void }) {
  const { data, error, loading, reload } = useApi(getReviewables)
  return (
    <PageState
      data={data}
      error={error}
      loading={loading}
      onRetry={reload}
      isEmpty={(d) => d.items.length === 0}
      emptyText='暂时没有可以评价的商品。收到商品后，可以在这里写评价、晒照片。'
    >
      {({ items }) => (
        <View data-testid='reviewables'>
          {items.map((line) => (
            <LineCard key={`${line.orderId}/${line.lineId}`} line={line} onMine={onMine} />
          ))}
        </View>
      )}
    </PageState>
  )
}

/** One of my reviews: its state, what was said, the rejection reason, the brand's reply, the reward, and delete. */
function MyReview({ review, onDeleted }: { review: Review; onDeleted: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const reward = rewardSentence(review)
  const remove = async () => {
    const granted = review.reward?.state === 'granted'
    const { confirm } = await Taro.showModal({
      title: '删除评价',
      content: `删除后评价和照片将不再展示，也不能重新评价这件商品${granted ? `；已获得的晒单奖励（${review.reward!.text}）将被收回` : ''}。确定删除？`,
      confirmText: '删除',
      cancelText: '保留',
    })
    if (!confirm) return
    setBusy(true)
    setError(null)
    try {
      await deleteMyReview(review.id)
      onDeleted()
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='section my-review' data-testid='my-review' data-state={review.state}>
      <View className='my-review__head'>
        <Text className='my-review__name'>{review.productName}</Text>
        <Text className={`my-review__state my-review__state--${review.state}`} data-testid='my-review-state'>
          {stateLabel(review.state)}
        </Text>
      </View>
      <View className='my-review__meta'>
        <Stars rating={review.rating} />
        <Text className='muted'>{shanghaiDay(review.createdAt)}</Text>
      </View>
      {review.text ? <Text className='my-review__text'>{review.text}</Text> : null}
      <PhotoStrip photos={review.photos} label='我的评价' />
      {review.state === 'checking' && <Text className='muted'>正在进行内容安全检测，通过后由品牌审核。</Text>}
      {(review.state === 'pending' || review.state === 'held') && <Text className='muted'>等待品牌审核，审核通过后公开展示。</Text>}
      {review.rejection && (
        <Text className='my-review__rejection' data-testid='my-review-rejection'>
          {review.state === 'removed' ? '删除原因' : '未通过原因'}：{review.rejection.label}
          {review.rejection.note ? `（${review.rejection.note}）` : ''}
        </Text>
      )}
      {review.reply && (
        <View className='my-review__reply' data-testid='my-review-reply'>
          <Text className='my-review__reply-title'>品牌回复</Text>
          <Text>{review.reply.text}</Text>
        </View>
      )}
      {reward && (
        <Text className={`my-review__reward my-review__reward--${reward.tone}`} data-testid='my-review-reward' data-reward={review.reward?.state}>
          {reward.text}
        </Text>
      )}
      {error && <Text className='my-review__error'>{error}</Text>}
      {review.state !== 'removed' && (
        <View className='my-review__actions'>
          <Button className='button-inline' disabled={busy} onClick={() => void remove()} data-testid='my-review-delete'>
            {busy ? '正在删除…' : '删除'}
          </Button>
        </View>
      )}
    </View>
  )
}

function MyReviews() {
  const { data, error, loading, reload } = useApi(getMyReviews)
  return (
    <PageState
      data={data}
      error={error}
      loading={loading}
      onRetry={reload}
      isEmpty={(d) => d.items.length === 0}
      emptyText='还没有写过评价。在「待评价」中选择收到的商品，写下真实感受。'
    >
      {({ items }) => (
        <View data-testid='my-reviews'>
          {items.map((review) => (
            <MyReview key={review.id} review={review} onDeleted={() => void reload()} />
          ))}
        </View>
      )}
    </PageState>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('评价晒单')

function ReviewsHome() {
  const { params } = useRouter()
  const [tab, setTab] = useState<Tab>(params.tab === 'mine' ? 'mine' : 'todo')
  return (
    <View className='reviews' {...KEYBOARD_SCROLLABLE}>
      <View className='reviews__tabs'>
        {TABS.map((t) => (
          <Button
            key={t.tab}
            className='reviews__tab'
            variant={t.tab === tab ? 'primary' : 'secondary'}
            data-testid={`reviews-tab-${t.tab}`}
            {...pressed(t.tab === tab)}
            onClick={() => setTab(t.tab)}
          >
            {t.label}
          </Button>
        ))}
      </View>
      {tab === 'todo' ? <Reviewables onMine={() => setTab('mine')} /> : <MyReviews />}
      <View className='reviews__footer'>
        <Text className='muted'>晒单奖励只看内容是否真实、是否有商品照片，与评分高低无关。只有在本小程序发表的评价参与奖励，天猫、京东等其他平台的评价不参与。</Text>
      </View>
    </View>
  )
}

export default function ReviewsPage() {
  return (
    <LoginGate>
      <ReviewsHome />
    </LoginGate>
  )
}
