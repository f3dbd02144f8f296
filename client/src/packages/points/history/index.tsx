import { Button, Text, View } from '@tarojs/components'
import type { PointsEntry } from '@member-center/shared'
import { useCallback, useEffect, useState } from 'react'
import LoginGate from '../../../components/login-gate'
import { useSession } from '../../../hooks/session'
import { getPointsHistory } from '../../../services/member'
import './index.scss'

const REASONS: Record<string, string> = {
  purchase: '购物获得',
  confirm: '积分生效',
  refund: '退款扣回',
  expire: '积分过期',
  adjust: '人工调整',
  spend: '积分使用',
  'opening balance': '期初余额',
}

/** One ledger entry: what changed in available and pending points, why, and when (Shanghai date). */
function Entry({ entry }: { entry: PointsEntry }) {
  const parts: string[] = []
  if (entry.available) parts.push(`${entry.available > 0 ? '+' : ''}${entry.available} 可用`)
  if (entry.pending) parts.push(`${entry.pending > 0 ? '+' : ''}${entry.pending} 待生效`)
  if (entry.debt) parts.push(`${entry.debt > 0 ? '+' : ''}${entry.debt} 欠分`)
  const date = new Date(Date.parse(entry.at) + 8 * 3600_000).toISOString().slice(0, 10)
  return (
    <View className='history__entry' data-testid='history-entry'>
      <View className='history__left'>
        <Text className='history__reason'>{REASONS[entry.reason] ?? entry.reason}</Text>
        <Text className='muted'>
          {date}
          {entry.orderId ? ` · 订单 ${entry.orderId}` : ''}
        </Text>
      </View>
      <Text className={`history__delta ${entry.available + entry.pending < 0 ? 'history__delta--minus' : ''}`}>{parts.join(' / ') || '0'}</Text>
    </View>
  )
}

function HistoryView() {
  const { status } = useSession()
  const [items, setItems] = useState<PointsEntry[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [done, setDone] = useState(false)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const loadMore = useCallback(
    async (from: string | null) => {
      setLoading(true)
      try {
        const page = await getPointsHistory(from)
        setItems((current) => (from ? [...current, ...page.items] : page.items))
        setCursor(page.nextCursor)
        setDone(page.nextCursor === null)
        setError(null)
      } catch (e) {
        setError((e as Error).message)
      } finally {
        setLoading(false)
      }
    },
    [],
  )

  useEffect(() => {
    if (status === 'ready') void loadMore(null)
  }, [status, loadMore])

  return (
    <View className='history section'>
      {items.map((entry) => (
        <Entry key={entry.id} entry={entry} />
      ))}
      {items.length === 0 && !loading && !error && <Text className='muted'>还没有积分记录</Text>}
      {error && <Text>加载失败：{error}</Text>}
      {!done && items.length > 0 && (
        <Button className='history__more' disabled={loading} onClick={() => loadMore(cursor)}>
          {loading ? '加载中…' : '加载更多'}
        </Button>
      )}
    </View>
  )
}

export default function PointsHistoryPage() {
  return (
    <LoginGate>
      <HistoryView />
    </LoginGate>
  )
}
