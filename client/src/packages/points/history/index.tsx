import { Text, View } from '@tarojs/components'
import type { PointsEntry } from '@member-center/shared'
import { useCallback, useEffect, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import SubscribePrompt from '../../../components/subscribe-prompt'
import { useSession } from '../../../hooks/session'
import { toApiError } from '../../../hooks/use-api'
import type { ApiError } from '../../../services/http'
import { getPointsHistory } from '../../../services/points'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

const REASONS: Record<string, string> = {
  purchase: '购物获得',
  confirm: '积分生效',
  refund: '退款扣回',
  expire: '积分过期',
  adjust: '人工调整',
  spend: '积分使用',
  'opening balance': '期初余额',
  migration: '原会员系统结转',
  redeem: '积分兑换',
  'redeem-return': '兑换退回',
  review: '晒单评价奖励',
  birthday: '生日礼遇',
  campaign: '活动奖励',
  goodwill: '门店心意积分',
  'annual review': '年度复核',
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
        {entry.note ? <Text className='history__note'>{entry.note}</Text> : null}
      </View>
      <View className={`history__delta ${entry.available + entry.pending < 0 ? 'history__delta--minus' : ''}`}>
        {(parts.length > 0 ? parts : ['0']).map((part) => (
          <Text key={part} className='history__part'>
            {part}
          </Text>
        ))}
      </View>
    </View>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('积分明细', { region: false })

function HistoryView() {
  const { status } = useSession()
  const [items, setItems] = useState<PointsEntry[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  /** the first page (from = null) or the one after `from` */
  const load = useCallback(async (from: string | null) => {
    setLoading(true)
    try {
      const page = await getPointsHistory(from)
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

  return (
    <PageState
      data={items}
      error={error}
      loading={loading}
      onRetry={() => void load(items ? cursor : null)}
      isEmpty={(list) => list.length === 0}
      emptyText='还没有积分记录。购物后积分会出现在这里，退货期结束后生效。'
    >
      {(list) => (
        <View className='history section' {...KEYBOARD_SCROLLABLE}>
          {list.map((entry) => (
            <Entry key={entry.id} entry={entry} />
          ))}
          {cursor && !error && (
            <Button className='history__more' disabled={loading} onClick={() => void load(cursor)}>
              {loading ? '加载中…' : '加载更多'}
            </Button>
          )}
        </View>
      )}
    </PageState>
  )
}

export default function PointsHistoryPage() {
  return (
    <LoginGate>
      <SubscribePrompt
        kinds={['points_confirmed', 'points_expiring']}
        label='开启到账提醒'
        description='积分到账、积分即将过期时，通过微信提醒你。'
        testId='subscribe-points'
      />
      <HistoryView />
    </LoginGate>
  )
}
