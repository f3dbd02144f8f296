import Taro from '@tarojs/taro'
import { Input, Picker, Text, Textarea, View } from '@tarojs/components'
import type { ReviewRejectionReason, ReviewState } from '@member-center/shared/reviews'
import { useState } from 'react'
import Button from '../../../components/button'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import StaffGate, { ManagerOnly } from '../components/staff-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { approveReview, getStaffReviews, rejectReview, removeReview, replyToReview, type StaffReview } from '../../../services/moderation'
import Photos from '../components/photos'
import Stars from '../components/stars'
import { REVIEW_REJECTION_LABELS, REVIEW_REJECTION_REASONS, REVIEW_STATE_LABELS, shanghaiTime, verdictText } from '../format'
import './index.scss'

type Tab = 'queue' | 'approved' | 'rejected'

const TABS: { tab: Tab; label: string; state?: ReviewState; empty: string }[] = [
  { tab: 'queue', label: '待审核', empty: '没有待审核的评价。' },
  { tab: 'approved', label: '已通过', state: 'approved', empty: '还没有通过的评价。' },
  { tab: 'rejected', label: '已拒绝', state: 'rejected', empty: '没有被拒绝的评价。' },
]

const REASON_LABELS = REVIEW_REJECTION_REASONS.map((r) => REVIEW_REJECTION_LABELS[r])

/** aria-pressed for a toggle button: ButtonProps does not list it; H5 passes it through, weapp ignores it. */
const pressed = (on: boolean) => ({ 'aria-pressed': on ? 'true' : 'false' }) as Record<string, unknown>

type Panel = null | 'reject' | 'remove' | 'reply'

/** Reject or remove: a reason from the fixed list (about the content, never the rating) and a note for the member. */
function ReasonPanel({ kind, busy, onSubmit, onCancel }: { kind: 'reject' | 'remove'; busy: boolean; onSubmit: (reason: ReviewRejectionReason, note?: string) => void; onCancel: () => void }) {
  const [index, setIndex] = useState<number | null>(null)
  const [note, setNote] = useState('')
  const verb = kind === 'reject' ? '拒绝' : '删除'
  return (
    <View className='mod-panel' data-testid={`mod-${kind}-panel`}>
      {kind === 'remove' && <Text className='muted'>删除后评价下架、照片删除，已发放的晒单奖励将收回。</Text>}
      <Picker mode='selector' range={REASON_LABELS} value={index ?? 0} onChange={(e) => setIndex(Number(e.detail.value))}>
        <View className='mod-panel__picker' data-testid='mod-reason'>
          <Text>{verb}原因</Text>
          <Text className={index === null ? 'muted' : ''}>{index === null ? '请选择 ›' : REASON_LABELS[index]}</Text>
        </View>
      </Picker>
      <Input
        className='text-input'
        placeholder='给会员的说明（选填）'
        value={note}
        maxlength={200}
        onInput={(e) => setNote(e.detail.value)}
        nativeProps={{ 'aria-label': `${verb}说明（会员可见，选填）` }}
      />
      <Text className='muted'>原因只能关于内容，不能因为评分低而{verb}。会员会看到原因和说明。</Text>
      <View className='mod-panel__actions'>
        <Button className='button-inline' onClick={onCancel}>
          取消
        </Button>
        <Button
          className='button-inline'
          variant='primary'
          disabled={busy || index === null}
          data-testid={`mod-${kind}-confirm`}
          onClick={() => index !== null && onSubmit(REVIEW_REJECTION_REASONS[index]!, note.trim() || undefined)}
        >
          确认{verb}
        </Button>
      </View>
    </View>
  )
}

function ReplyPanel({ initial, busy, onSubmit, onCancel }: { initial: string; busy: boolean; onSubmit: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial)
  return (
    <View className='mod-panel' data-testid='mod-reply-panel'>
      <Textarea
        className='mod-panel__text'
        nativeProps={{ 'aria-label': '品牌回复' }}
        placeholder='以品牌身份回复这条评价，公开展示在评价下方。'
        value={text}
        maxlength={500}
        onInput={(e) => setText(e.detail.value)}
      />
      <View className='mod-panel__actions'>
        <Button className='button-inline' onClick={onCancel}>
          取消
        </Button>
        <Button className='button-inline' variant='primary' disabled={busy || !text.trim()} data-testid='mod-reply-confirm' onClick={() => onSubmit(text.trim())}>
          发送回复
        </Button>
      </View>
    </View>
  )
}

/** One review as a manager decides on it: what was written and shown, WeChat's verdicts in words, and the actions. */
function ReviewCard({ review, onDone }: { review: StaffReview; onDone: (message: string) => void }) {
  const [panel, setPanel] = useState<Panel>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const open = review.state === 'checking' || review.state === 'pending' || review.state === 'held'

  const act = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true)
    setError(null)
    try {
      await action()
      setPanel(null)
      onDone(message)
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }

  const approve = async () => {
    if (review.state === 'held') {
      const { confirm } = await Taro.showModal({
        title: '确认通过',
        content: '内容检测提示有风险，确认已人工查看并通过？',
        confirmText: '确认通过',
        cancelText: '再看看',
      })
      if (!confirm) return
    }
    await act(() => approveReview(review.id, review.state === 'held'), `已通过：${review.productName}（${review.nickname || '会员'}）`)
  }

  return (
    <View className='section mod-card' data-testid='mod-review' data-state={review.state} data-id={review.id}>
      <View className='mod-card__head'>
        <Text className='mod-card__product'>{review.productName}</Text>
        <Text className={`mod-card__state mod-card__state--${review.state}`} data-testid='mod-review-state'>
          {REVIEW_STATE_LABELS[review.state]}
        </Text>
      </View>
      <Text className='muted'>
        {review.nickname || '会员'}
        {review.store ? ` · ${review.store}` : ''} · {shanghaiTime(review.createdAt)} · 订单 {review.orderId}
      </Text>
      <Stars rating={review.rating} />
      {review.text ? <Text className='mod-card__text'>{review.text}</Text> : <Text className='muted'>（没有文字）</Text>}
      <Photos photos={review.photos} label={`${review.nickname || '会员'}的评价`} />
      <View className='mod-card__checks' data-testid='mod-checks'>
        <Text className={`mod-card__check mod-card__check--${review.checks.text.suggest ?? 'waiting'}`} data-testid='mod-check-text'>
          文字检测：{verdictText(review.checks.text)}
        </Text>
        {review.checks.photos.map((p, i) => (
          <Text key={p.photoId} className={`mod-card__check mod-card__check--${p.suggest ?? 'waiting'}`} data-testid='mod-check-photo'>
            {review.checks.photos.length > 1 ? `照片 ${i + 1} 检测：` : '照片检测：'}
            {verdictText(p)}
          </Text>
        ))}
      </View>
      {review.reward && (
        <Text className='mod-card__reward'>
          晒单奖励：{review.reward.text || '无'}
          {review.reward.state === 'granted' ? '（已发放）' : review.reward.note ? `（${review.reward.note}）` : open ? '（通过后发放，与评分无关）' : ''}
        </Text>
      )}
      {review.rejection && (
        <Text className='mod-card__rejection'>
          {review.state === 'removed' ? '删除原因' : '拒绝原因'}：{review.rejection.label}
          {review.rejection.note ? `（${review.rejection.note}）` : ''}
        </Text>
      )}
      {review.reply && (
        <View className='mod-card__reply'>
          <Text className='mod-card__reply-title'>品牌回复</Text>
          <Text>{review.reply.text}</Text>
        </View>
      )}
      {review.moderatedBy && review.moderatedAt && (
        <Text className='muted'>
          {review.moderatedBy} 于 {shanghaiTime(review.moderatedAt)} 处理
        </Text>
      )}
      {error && (
        <Text className='mod-card__error' data-testid='mod-error' aria-live='polite'>
          {error}
        </Text>
      )}
      {panel === 'reject' || panel === 'remove' ? (
        <ReasonPanel
          kind={panel}
          busy={busy}
          onCancel={() => setPanel(null)}
          onSubmit={(reason, note) =>
            void act(
              () => (panel === 'reject' ? rejectReview(review.id, reason, note) : removeReview(review.id, reason, note)),
              `${panel === 'reject' ? '已拒绝' : '已删除'}：${review.productName}（${REVIEW_REJECTION_LABELS[reason]}）`,
            )
          }
        />
      ) : panel === 'reply' ? (
        <ReplyPanel
          initial={review.reply?.text ?? ''}
          busy={busy}
          onCancel={() => setPanel(null)}
          onSubmit={(text) => void act(() => replyToReview(review.id, text), `已回复：${review.productName}`)}
        />
      ) : open ? (
        <View className='mod-card__actions'>
          <Button className='button-inline' disabled={busy} data-testid='mod-reject' onClick={() => setPanel('reject')}>
            拒绝
          </Button>
          <Button className='button-inline' variant='primary' disabled={busy || review.state === 'checking'} data-testid='mod-approve' onClick={() => void approve()}>
            {review.state === 'checking' ? '等待检测结果' : busy ? '正在通过…' : '通过'}
          </Button>
        </View>
      ) : review.state === 'approved' ? (
        <View className='mod-card__actions'>
          <Button className='button-inline' disabled={busy} data-testid='mod-remove' onClick={() => setPanel('remove')}>
            删除
          </Button>
          <Button className='button-inline' variant='primary' disabled={busy} data-testid='mod-reply' onClick={() => setPanel('reply')}>
            {review.reply ? '修改回复' : '回复'}
          </Button>
        </View>
      ) : null}
    </View>
  )
}

/** One tab's reviews: mounted afresh for each tab, so a tab never shows another's list while it loads. */
function ReviewList({ tab, onDone }: { tab: Tab; onDone: (message: string) => void }) {
  const config = TABS.find((t) => t.tab === tab)!
  const { data, error, loading, reload } = useApi(() => getStaffReviews(config.state))
  if (error?.statusCode === 403) return <ManagerOnly />
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText={config.empty}>
      {({ items }) => (
        <View data-testid={`mod-list-${tab}`}>
          {items.map((review) => (
            <ReviewCard
              key={review.id}
              review={review}
              onDone={(message) => {
                onDone(message)
                void reload()
              }}
            />
          ))}
        </View>
      )}
    </PageState>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('评价审核')

function Queue() {
  const [tab, setTab] = useState<Tab>('queue')
  const [notice, setNotice] = useState<string | null>(null)
  return (
    <View className='mod' {...KEYBOARD_SCROLLABLE}>
      <View className='mod__tabs'>
        {TABS.map((t) => (
          <Button
            key={t.tab}
            className='mod__tab'
            variant={t.tab === tab ? 'primary' : 'secondary'}
            data-testid={`mod-tab-${t.tab}`}
            {...pressed(t.tab === tab)}
            onClick={() => {
              setTab(t.tab)
              setNotice(null)
            }}
          >
            {t.label}
          </Button>
        ))}
      </View>
      <View className='mod__links'>
        <Button className='button-inline mod__link' onClick={() => void Taro.navigateTo({ url: '/packages/moderation/follow-ups/index' })}>
          差评跟进 ›
        </Button>
      </View>
      {notice && (
        <View className='section mod__notice' data-testid='mod-notice' aria-live='polite'>
          <Text>{notice}</Text>
        </View>
      )}
      <ReviewList key={tab} tab={tab} onDone={setNotice} />
      <View className='mod__footer'>
        <Text className='muted'>晒单奖励在通过时发放，与评分无关；不能因为评分低而拒绝。内容检测有风险的评价需人工查看后确认通过。</Text>
      </View>
    </View>
  )
}

export default function ModerationQueuePage() {
  return (
    <StaffGate managerOnly>
      <Queue />
    </StaffGate>
  )
}
