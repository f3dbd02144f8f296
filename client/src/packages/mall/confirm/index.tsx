import Taro, { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { getCard } from '../../../services/member'
import { getMallItem, redeem, type MemberMallItem, type ShippingAddress } from '../../../services/mall'
import AddressForm, { addressProblem, EMPTY_ADDRESS } from '../components/address-form'
import ItemVisual from '../components/item-visual'
import { backToMall, KIND_LABEL, points, refusalOf, refusalSentence, yuan } from '../format'
import './index.scss'

/** The refusals after which trying again cannot help: the page offers the way back instead. */
const FINAL_REFUSALS = new Set(['OUT_OF_STOCK', 'INSUFFICIENT_POINTS', 'LIMIT_REACHED', 'TIER_NOT_ELIGIBLE', 'NOT_AVAILABLE', 'NOT_FOUND', 'CONFLICT'])

/**
 * One key per confirm screen, made when it opens: a double tap, or a retry after the network dropped the answer, sends
 * the same key, and the server answers the redemption it already made instead of making a second one.
 */
function newIdempotencyKey(): string {
  const random = () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')
  return `mall-${Date.now().toString(36)}-${random()}${random()}${random()}`
}

function Confirm({ item, available }: { item: MemberMallItem; available: number }) {
  const [idempotencyKey] = useState(newIdempotencyKey)
  const [address, setAddress] = useState<ShippingAddress>(EMPTY_ADDRESS)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<string | null>(null)
  /** the server refused for good (out of stock, …): the way back replaces the button */
  const [refused, setRefused] = useState(false)
  /** the request failed on the way (network, server away): the same key is sent again */
  const [retrying, setRetrying] = useState(false)

  /** an edit answers the last form problem (a refusal or a failure on the way locks the form instead) */
  const editAddress = (next: ShippingAddress) => {
    setAddress(next)
    setMessage(null)
  }

  const after = available - item.pointsPrice
  const blocked = refusalOf(item, available)
  const gift = item.kind === 'gift'

  const submit = async () => {
    if (busy) return
    if (gift) {
      const problem = addressProblem(address)
      if (problem) return setMessage(problem)
    }
    setBusy(true)
    setMessage(null)
    try {
      const trimmed = { name: address.name.trim(), phone: address.phone.trim(), region: address.region.trim(), detail: address.detail.trim() }
      const redemption = await redeem({ itemId: item.id, idempotencyKey, ...(gift ? { address: trimmed } : {}) })
      void Taro.redirectTo({ url: `/packages/mall/result/index?id=${encodeURIComponent(redemption.id)}` })
    } catch (e) {
      const error = toApiError(e)
      setMessage(error.message)
      setRefused(FINAL_REFUSALS.has(error.code))
      setRetrying(!FINAL_REFUSALS.has(error.code))
      setBusy(false)
    }
  }

  return (
    <View className='confirm'>
      <View className='section confirm__item'>
        <ItemVisual item={item} />
        <View className='confirm__item-text'>
          <Text className='confirm__kind'>{KIND_LABEL[item.kind]}</Text>
          <Text className='confirm__name' data-testid='confirm-item-name'>
            {item.name}
          </Text>
        </View>
      </View>

      <View className='section confirm__ledger'>
        <View className='confirm__row'>
          <Text>当前可用积分</Text>
          <Text data-testid='points-before'>{points(available)}</Text>
        </View>
        <View className='confirm__row'>
          <Text>本次兑换</Text>
          <Text className='confirm__spend' data-testid='points-spend'>
            −{points(item.pointsPrice)}
          </Text>
        </View>
        <View className='confirm__row confirm__row--total'>
          <Text>兑换后剩余</Text>
          <Text className={after < 0 ? 'confirm__short' : 'confirm__after'} data-testid='points-after'>
            {after < 0 ? `还差 ${points(-after)}` : points(after)}
          </Text>
        </View>
        {item.cashFen ? (
          <Text className='muted' data-testid='cash-part'>
            另需支付 {yuan(item.cashFen)}，由品牌顾问与你联系收取。
          </Text>
        ) : null}
      </View>

      {gift && (
        <View className='section confirm__address'>
          <Text className='confirm__heading'>收货信息</Text>
          {/* after a failure on the way the form stays as it was sent: the retry must carry the same address with the same key */}
          <AddressForm value={address} onChange={editAddress} disabled={busy || refused || retrying} />
        </View>
      )}

      <View className='section confirm__action'>
        {blocked && !message ? (
          <Text className='confirm__message' data-testid='redeem-message' aria-live='polite'>
            {refusalSentence(blocked, -after)}
          </Text>
        ) : null}
        {message ? (
          <Text className='confirm__message' data-testid='redeem-message' aria-live='polite'>
            {message}
          </Text>
        ) : null}
        {refused || blocked ? (
          <Button variant='primary' data-testid='back-to-mall' onClick={backToMall}>
            返回积分商城
          </Button>
        ) : (
          <Button variant='primary' data-testid='confirm-redeem' disabled={busy} onClick={() => void submit()}>
            {busy ? '正在兑换…' : retrying ? '重新提交' : `确认兑换 · ${points(item.pointsPrice)} 积分`}
          </Button>
        )}
        {!refused && !blocked && (
          <Text className='muted confirm__note'>
            {gift ? '积分将在兑换成功时扣除；礼品发货前可在「兑换记录」中取消。' : '积分将在兑换成功时扣除，优惠券即刻放入「我的优惠券」。'}
          </Text>
        )}
      </View>
    </View>
  )
}

function ConfirmView({ id }: { id: string }) {
  const { data, error, loading, reload } = useApi(async () => {
    const [item, card] = await Promise.all([getMallItem(id), getCard()])
    return { item, available: card.points.available }
  })
  // a reload when the page shows again refreshes the figures; the form and its key live in Confirm, which stays mounted
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {({ item, available }) => <Confirm item={item} available={available} />}
    </PageState>
  )
}

export default function MallConfirmPage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      {params.id ? (
        <ConfirmView id={params.id} />
      ) : (
        <View className='section page-state' data-testid='page-empty'>
          <Text className='page-state__text'>没有找到要兑换的礼遇，请返回积分商城重新选择。</Text>
        </View>
      )}
    </LoginGate>
  )
}
