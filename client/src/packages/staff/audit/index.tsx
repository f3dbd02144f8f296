import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { type AuditItem, getAuditLog } from '../../../services/staff-counter'
import './index.scss'

/** The actions a person reads, by their audit names (others show as recorded). */
const ACTIONS: Record<string, string> = {
  'staff.lookup': '查询会员',
  'staff.login': '登录',
  'coupon.use-in-store': '核销优惠券',
  'staff.purchase': '登记门店消费',
  'staff.note': '添加备注',
  'staff.clienteling': '更新会员资料',
  'staff.advisor-assign': '指定专属顾问',
  'staff.task-done': '完成任务',
  'staff.task-undone': '撤销完成',
  'message.staff-care': '发送门店关怀',
  'birthday.correct': '更正生日',
  'appointment.confirm': '确认预约',
  'appointment.reschedule': '预约改期',
  'appointment.cancel': '取消预约',
  'appointment.complete': '预约已到店',
  'appointment.no-show': '预约未到店',
}

function time(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(5, 16).replace('T', ' ')
}

/** My store's audit log (managers; admins every store): who did what, to whom, when — newest first. */
function Audit() {
  const [more, setMore] = useState<AuditItem[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const first = useApi(async () => {
    const page = await getAuditLog()
    setMore([])
    setCursor(page.nextCursor)
    return page
  })
  const loadMore = async () => {
    if (!cursor) return
    try {
      const page = await getAuditLog(cursor)
      setMore([...more, ...page.items])
      setCursor(page.nextCursor)
    } catch (e) {
      setError(toApiError(e).message)
    }
  }
  return (
    <PageState data={first.data} error={first.error} loading={first.loading} onRetry={first.reload} isEmpty={(d) => d.items.length === 0} emptyText='还没有操作记录。'>
      {(d) => (
        <View className='section'>
          {[...d.items, ...more].map((e) => (
            <View key={e.id} className='audit__row' data-testid='audit-entry' data-action={e.action}>
              <Text className='audit__what'>{ACTIONS[e.action] ?? e.action}</Text>
              <Text className='muted'>
                {time(e.at)} · {e.actorName ?? e.actor}
                {e.store ? ` · ${e.store}` : ''}
                {e.memberId ? ` · 会员 ${e.memberId.slice(-6)}` : ''}
              </Text>
            </View>
          ))}
          {error && <Text className='audit__error'>{error}</Text>}
          {cursor && <Button onClick={() => void loadMore()}>加载更多</Button>}
        </View>
      )}
    </PageState>
  )
}

export default function StaffAuditPage() {
  return (
    <LoginGate>
      <Audit />
    </LoginGate>
  )
}
