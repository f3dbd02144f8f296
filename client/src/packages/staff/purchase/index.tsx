import Taro, { useRouter } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import type { PurchaseRecorded } from '@member-center/shared'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import { toApiError } from '../../../hooks/use-api'
import { recordPurchase } from '../../../services/staff-counter'
import './index.scss'

interface Line {
  name: string
  yuan: string
}

/** Yuan as typed (2 decimals at most) to fen, or null. */
function toFen(text: string): number | null {
  const t = text.trim()
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null
  return Math.round(Number(t) * 100)
}

/**
 * An in-store sale for the member: the receipt number (the same receipt is recorded once), the pieces and what each
 * paid. It goes the way a shop's events go, so points, tier, member-day multipliers and care all apply.
 */
function PurchaseForm({ memberId }: { memberId: string }) {
  const [receiptNo, setReceiptNo] = useState('')
  const [lines, setLines] = useState<Line[]>([{ name: '', yuan: '' }])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<PurchaseRecorded | null>(null)
  const valid = /^[A-Za-z0-9-]{1,32}$/.test(receiptNo.trim()) && lines.every((l) => l.name.trim() && toFen(l.yuan) !== null)
  const setLine = (i: number, change: Partial<Line>) => setLines(lines.map((l, k) => (k === i ? { ...l, ...change } : l)))

  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      setDone(
        await recordPurchase({
          memberId,
          receiptNo: receiptNo.trim(),
          lines: lines.map((l, i) => ({ sku: `COUNTER-${i + 1}`, name: l.name.trim(), quantity: 1, paidFen: toFen(l.yuan)! })),
        }),
      )
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }

  if (done) {
    return (
      <View className='purchase'>
        <View className='section purchase__done' data-testid='purchase-done' data-created={done.created}>
          <Text className='purchase__title'>{done.created ? '消费已登记' : '这张小票已登记过'}</Text>
          <Text data-testid='purchase-points'>
            {done.points.available > 0 ? `积分 +${done.points.available.toLocaleString()}（已到账）` : done.points.pending > 0 ? `积分 +${done.points.pending.toLocaleString()}（待生效）` : '本笔消费没有积分'}
          </Text>
          <Text className='muted'>订单号 {done.orderId}</Text>
        </View>
        <View className='section'>
          <Button variant='primary' onClick={() => Taro.navigateBack()} data-testid='purchase-back'>
            返回会员信息
          </Button>
        </View>
      </View>
    )
  }
  return (
    <View className='purchase'>
      <View className='section purchase__form'>
        <Text className='purchase__heading'>登记门店消费</Text>
        <Input className='purchase__input text-input' nativeProps={{ 'aria-label': '小票号' }} placeholder='小票号（同一小票只登记一次）' value={receiptNo} onInput={(e) => setReceiptNo(e.detail.value)} data-testid='purchase-receipt' />
        {lines.map((line, i) => (
          <View key={i} className='purchase__line'>
            <Input className='purchase__input purchase__name text-input' nativeProps={{ 'aria-label': `商品 ${i + 1}` }} placeholder='商品名称' value={line.name} onInput={(e) => setLine(i, { name: e.detail.value })} data-testid='purchase-line-name' />
            <Input className='purchase__input purchase__amount text-input' type='digit' nativeProps={{ 'aria-label': `商品 ${i + 1} 实付金额（元）` }} placeholder='实付（元）' value={line.yuan} onInput={(e) => setLine(i, { yuan: e.detail.value })} data-testid='purchase-line-amount' />
          </View>
        ))}
        {lines.length < 20 && (
          <Button onClick={() => setLines([...lines, { name: '', yuan: '' }])} data-testid='purchase-add-line'>
            添加一件商品
          </Button>
        )}
        {error && (
          <Text className='purchase__error' data-testid='purchase-error'>
            {error}
          </Text>
        )}
        <Button variant='primary' disabled={busy || !valid} onClick={() => void submit()} data-testid='purchase-submit'>
          {busy ? '正在登记…' : '登记消费'}
        </Button>
      </View>
    </View>
  )
}

export default function StaffPurchasePage() {
  const { params } = useRouter()
  return <LoginGate>{params.memberId ? <PurchaseForm memberId={params.memberId} /> : <View className='section page-state'><Text className='page-state__text'>请先查找会员。</Text></View>}</LoginGate>
}
