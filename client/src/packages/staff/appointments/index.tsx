import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { StaffAppointment } from '@member-center/shared'
import { APPOINTMENT_PURPOSE_LABELS } from '@member-center/shared/appointments'
import { useCallback, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { actOnAppointment, getStoreAppointments } from '../../../services/staff-counter'
import './index.scss'

const STATUS_TEXT: Record<StaffAppointment['status'], string> = { requested: '待确认', confirmed: '已确认', cancelled: '已取消', completed: '已到店', no_show: '未到店' }
const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']
const dateAfter = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10)
const clock = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(11, 16)
const dayText = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`)
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()} 周${WEEKDAYS[d.getUTCDay()]}`
}

function Item({ a, onChanged }: { a: StaffAppointment; onChanged: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const act = async (action: 'confirm' | 'complete' | 'no-show' | 'cancel') => {
    let reason: string | undefined
    if (action === 'cancel') {
      const { confirm } = await Taro.showModal({ title: '取消预约', content: '将通知会员：门店因故取消了这次预约。', confirmText: '取消预约', cancelText: '保留' })
      if (!confirm) return
      reason = '门店因故取消，欢迎改约其他时间'
    }
    setBusy(true)
    setError(null)
    try {
      await actOnAppointment(a.id, action, reason)
      onChanged()
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  const open = a.status === 'requested' || a.status === 'confirmed'
  return (
    <View className='section appts__item' data-testid='staff-appointment' data-status={a.status}>
      <View className='appts__top'>
        <Text className='appts__time'>
          {clock(a.start)}–{clock(a.end)}
        </Text>
        <Text className='appts__status'>{STATUS_TEXT[a.status]}</Text>
      </View>
      <Text>
        {a.member.nickname}（{a.member.tier.name}）· {APPOINTMENT_PURPOSE_LABELS[a.purpose]}
      </Text>
      {a.member.phone && <Text className='muted'>{a.member.phone}</Text>}
      {a.note && <Text className='muted'>备注：{a.note}</Text>}
      {error && <Text className='appts__error'>{error}</Text>}
      {open && (
        <View className='appts__actions'>
          {a.status === 'requested' && (
            <Button variant='primary' className='button-inline' disabled={busy} onClick={() => void act('confirm')} data-testid='staff-appointment-confirm'>
              确认
            </Button>
          )}
          {a.status === 'confirmed' && (
            <Button variant='primary' className='button-inline' disabled={busy} onClick={() => void act('complete')}>
              已到店
            </Button>
          )}
          <Button className='button-inline' disabled={busy} onClick={() => void act('cancel')}>
            取消
          </Button>
        </View>
      )}
    </View>
  )
}

/** My store's appointments, a day at a time (today and the next six): confirm, mark the visit, or cancel. */
function Appointments() {
  const [date, setDate] = useState(dateAfter(0))
  const load = useCallback(() => getStoreAppointments(date), [date])
  const { data, error, loading, reload } = useApi(load)
  return (
    <View className='appts'>
      <View className='section appts__days' role='radiogroup' aria-label='日期'>
        {Array.from({ length: 7 }, (_, i) => dateAfter(i)).map((d) => (
          <View key={d} role='radio' aria-checked={d === date} className={`appts__day${d === date ? ' appts__day--on' : ''}`} onClick={() => setDate(d)}>
            <Text>{dayText(d)}</Text>
          </View>
        ))}
      </View>
      <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='这一天没有预约。'>
        {(d) => (
          <View>
            {d.items.map((a) => (
              <Item key={a.id} a={a} onChanged={() => void reload()} />
            ))}
          </View>
        )}
      </PageState>
    </View>
  )
}

export default function StaffAppointmentsPage() {
  return (
    <LoginGate>
      <Appointments />
    </LoginGate>
  )
}
