import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useCallback, useEffect, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useSession } from '../../../hooks/session'
import { toApiError } from '../../../hooks/use-api'
import { messageFor } from '../../../services/error-messages'
import type { ApiError } from '../../../services/http'
import { cancelRedemption, getMyRedemptions, type Redemption } from '../../../services/mall'
import { points, shanghaiTime } from '../format'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

type GiftState = NonNullable<Redemption['giftOrder']>['state']

const GIFT_STATE: Record<GiftState, string> = { pending: '待发货', shipped: '已发货', delivered: '已签收', cancelled: '已取消' }
const STATUS: Record<Redemption['status'], string> = { processing: '处理中', done: '已完成', failed: '未成功', cancelled: '已取消' }

/** What a member reads for the state of a redemption and, for a gift, of its shipping. */
function statusText(r: Redemption): string {
  if (r.status === 'done' && r.giftOrder) return GIFT_STATE[r.giftOrder.state]
  return STATUS[r.status] ?? r.status
}

/** A gift can be cancelled until it ships. */
const cancellable = (r: Redemption) => r.status === 'done' && r.giftOrder?.state === 'pending'

/** Points given back: a cancelled gift, or a redemption that could not be completed. */
const givenBack = (r: Redemption) => r.status === 'cancelled' || r.status === 'failed'

const KEYBOARD_SCROLLABLE = keyboardScrollable('兑换记录', { region: false })

function Entry({ redemption, onChanged }: { redemption: Redemption; onChanged: (next: Redemption) => void }) {
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<string | null>(null)
  const gift = redemption.giftOrder

  const cancel = async () => {
    const { confirm } = await Taro.showModal({
      title: '取消兑换',
      content: `取消后 ${points(redemption.pointsPrice)} 积分将退回你的账户。确定取消吗？`,
      confirmText: '确定取消',
      cancelText: '再想想',
    })
    if (!confirm) return
    setBusy(true)
    try {
      onChanged(await cancelRedemption(redemption.id))
      setMessage(null)
    } catch (e) {
      setMessage(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='redemption' data-testid='redemption' data-status={redemption.status}>
      <View className='redemption__top'>
        <Text className='redemption__name'>{redemption.itemName}</Text>
        <Text className={`redemption__status${givenBack(redemption) ? ' redemption__status--off' : ''}`} data-testid='redemption-status'>
          {statusText(redemption)}
        </Text>
      </View>
      <View className='redemption__line'>
        <Text className='muted'>{shanghaiTime(redemption.createdAt)}</Text>
        <Text className='redemption__points'>{givenBack(redemption) ? `${points(redemption.pointsPrice)} 积分已退回` : `−${points(redemption.pointsPrice)} 积分`}</Text>
      </View>
      {redemption.status === 'failed' && redemption.failure && <Text className='muted'>{messageFor(redemption.failure.code, 409)}</Text>}
      {redemption.coupon && redemption.status === 'done' && (
        <View className='redemption__link' onClick={() => Taro.navigateTo({ url: '/packages/coupons/wallet/index' })}>
          <Text>券码 {redemption.coupon.code}</Text>
          <Text className='redemption__chevron'>查看优惠券 ›</Text>
        </View>
      )}
      {gift && (
        <View className='redemption__gift'>
          <Text className='muted'>
            {gift.address.name} {gift.address.phone} · {gift.address.region} {gift.address.detail}
          </Text>
          {gift.trackingNo && (
            <Text className='muted'>
              {gift.carrier ?? '快递'} {gift.trackingNo}
            </Text>
          )}
        </View>
      )}
      {cancellable(redemption) && (
        <Button className='redemption__cancel' data-testid='cancel-redemption' disabled={busy} onClick={() => void cancel()}>
          {busy ? '正在取消…' : '取消兑换'}
        </Button>
      )}
      {message && (
        <Text className='redemption__message' aria-live='polite'>
          {message}
        </Text>
      )}
    </View>
  )
}

function HistoryView() {
  const { status } = useSession()
  const [items, setItems] = useState<Redemption[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  /** the first page (from = null) or the one after `from` */
  const load = useCallback(async (from: string | null) => {
    setLoading(true)
    try {
      const page = await getMyRedemptions(from)
      setItems((current) => (from && current ? [...current, ...page.items] : page.items))
      setCursor(page.nextCursor)
      setError(null)
    } catch (e) {
      setError(toApiError(e))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    if (status === 'ready') void load(null)
  }, [status, load])

  const replace = (next: Redemption) => setItems((current) => current && current.map((r) => (r.id === next.id ? next : r)))

  return (
    <PageState
      data={items}
      error={error}
      loading={loading}
      onRetry={() => void load(items ? cursor : null)}
      isEmpty={(list) => list.length === 0}
      emptyText='还没有兑换记录。积分可在积分商城兑换优惠券与臻选礼品。'
    >
      {(list) => (
        <View className='section' {...KEYBOARD_SCROLLABLE}>
          {list.map((r) => (
            <Entry key={r.id} redemption={r} onChanged={replace} />
          ))}
          {cursor && !error && (
            <Button className='redemption__more' disabled={loading} onClick={() => void load(cursor)}>
              {loading ? '加载中…' : '加载更多'}
            </Button>
          )}
        </View>
      )}
    </PageState>
  )
}

export default function RedemptionHistoryPage() {
  return (
    <LoginGate>
      <HistoryView />
    </LoginGate>
  )
}
