import Taro, { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { Appointment } from '@member-center/shared'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import SubscribePrompt from '../../../components/subscribe-prompt'
import { toApiError, useApi } from '../../../hooks/use-api'
import { cancelMyAppointment, getMyAppointments } from '../../../services/appointments'
import { purposeLabel, STATUS_TEXT, when } from '../format'
import './index.scss'

const upcoming = (a: Appointment) => (a.status === 'requested' || a.status === 'confirmed') && Date.parse(a.end) > Date.now()

function Item({ appointment, onChanged, justBooked }: { appointment: Appointment; onChanged: () => void; justBooked: boolean }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const cancel = async () => {
    const { confirm } = await Taro.showModal({ title: '取消预约', content: `取消 ${when(appointment.start)} 的预约？`, confirmText: '取消预约', cancelText: '保留' })
    if (!confirm) return
    setBusy(true)
    try {
      await cancelMyAppointment(appointment.id)
      onChanged()
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className={`section mine__item${justBooked ? ' mine__item--new' : ''}`} data-testid='appointment' data-status={appointment.status}>
      <View className='mine__top'>
        <Text className='mine__when'>{when(appointment.start)}</Text>
        <Text className={`mine__status mine__status--${appointment.status}`}>{STATUS_TEXT[appointment.status]}</Text>
      </View>
      <Text>
        {appointment.storeName} · {purposeLabel(appointment.purpose)}
      </Text>
      {appointment.note && <Text className='muted'>备注：{appointment.note}</Text>}
      {appointment.reason && <Text className='muted'>原因：{appointment.reason}</Text>}
      {error && <Text className='mine__error'>{error}</Text>}
      {upcoming(appointment) && (
        <Button disabled={busy} onClick={() => void cancel()} data-testid='appointment-cancel'>
          取消预约
        </Button>
      )}
    </View>
  )
}

function MineView({ booked }: { booked: string | null }) {
  const { data, error, loading, reload } = useApi(getMyAppointments)
  return (
    <View className='mine'>
      {booked && (
        <View className='section mine__booked' data-testid='appointment-booked'>
          <Text className='mine__heading'>预约已提交</Text>
          <Text className='muted'>门店确认后会通知你；到店前可随时取消。</Text>
        </View>
      )}
      {booked && <SubscribePrompt kinds={['appointment']} label='开启预约提醒' description='门店确认、改期或取消时，通过微信通知你。' testId='subscribe-appointment' />}
      <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='还没有预约。到店清洗保养、改圈或看款，都可以先预约。'>
        {(d) => (
          <View>
            {d.items.map((a) => (
              <Item key={a.id} appointment={a} justBooked={a.id === booked} onChanged={() => void reload()} />
            ))}
          </View>
        )}
      </PageState>
      <View className='section'>
        <Button variant='primary' onClick={() => Taro.navigateTo({ url: '/packages/appointments/book/index' })} data-testid='appointment-new'>
          预约到店
        </Button>
      </View>
    </View>
  )
}

export default function MyAppointmentsPage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      <MineView booked={params.booked ?? null} />
    </LoginGate>
  )
}
