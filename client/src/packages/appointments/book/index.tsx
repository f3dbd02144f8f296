import Taro from '@tarojs/taro'
import { Text, Textarea, View } from '@tarojs/components'
import type { AppointmentPurpose, Slot, Store } from '@member-center/shared'
import { useEffect, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { bookAppointment, getSlots, getStores } from '../../../services/appointments'
import { clock, dayLabel, purposeLabel, shanghaiDate } from '../format'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

const KEYBOARD_SCROLLABLE = keyboardScrollable('预约到店')

/** One choice among a few: chips that read as buttons, the chosen one marked. */
function Chips<T extends string>({ options, value, onChange, label, testId }: { options: { value: T; text: string; disabled?: boolean }[]; value: T | null; onChange: (v: T) => void; label: string; testId: string }) {
  return (
    <View className='book__chips' role='radiogroup' aria-label={label}>
      {options.map((o) => (
        <View
          key={o.value}
          role='radio'
          aria-checked={o.value === value}
          aria-disabled={o.disabled ? 'true' : undefined}
          className={`book__chip${o.value === value ? ' book__chip--on' : ''}${o.disabled ? ' book__chip--off' : ''}`}
          data-testid={testId}
          data-value={o.value}
          onClick={() => !o.disabled && onChange(o.value)}
        >
          <Text>{o.text}</Text>
        </View>
      ))}
    </View>
  )
}

function slotText(slot: Slot): string {
  if (slot.full) return `${clock(slot.start)} 已满`
  return `${clock(slot.start)}${slot.priority ? ' 优先' : ''}`
}

/** A store, a day, a free slot, what for: then booked, once however often the button is tapped. */
function Booking({ stores }: { stores: Store[] }) {
  const [store, setStore] = useState<string | null>(stores[0]?.code ?? null)
  const [date, setDate] = useState(shanghaiDate(1))
  const [slots, setSlots] = useState<{ slots: Slot[]; priorityMember: boolean } | null>(null)
  const [start, setStart] = useState<string | null>(null)
  const [purpose, setPurpose] = useState<AppointmentPurpose | null>(null)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [key] = useState(() => `book-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`)
  const chosen = stores.find((s) => s.code === store)

  useEffect(() => {
    if (!store) return
    let live = true
    setSlots(null)
    setStart(null)
    getSlots(store, date).then(
      (s) => live && setSlots(s),
      (e) => live && setError(toApiError(e).message),
    )
    return () => {
      live = false
    }
  }, [store, date])

  const submit = async () => {
    if (!store || !start || !purpose) return
    setBusy(true)
    setError(null)
    try {
      const appointment = await bookAppointment({ store, start, purpose, note: note.trim() || null, idempotencyKey: key })
      await Taro.redirectTo({ url: `/packages/appointments/mine/index?booked=${appointment.id}` })
    } catch (e) {
      setError(toApiError(e).message)
      if (store) getSlots(store, date).then(setSlots, () => undefined)
    } finally {
      setBusy(false)
    }
  }

  const days = Array.from({ length: 7 }, (_, i) => shanghaiDate(i + 1))
  return (
    <View className='book' {...KEYBOARD_SCROLLABLE}>
      <View className='section book__block'>
        <Text className='book__heading'>门店</Text>
        <Chips label='门店' testId='book-store' value={store} onChange={setStore} options={stores.map((s) => ({ value: s.code, text: s.name }))} />
        {chosen && (
          <Text className='muted'>
            {chosen.address} · 营业 {chosen.hours.open}–{chosen.hours.close}
          </Text>
        )}
      </View>
      <View className='section book__block'>
        <Text className='book__heading'>日期</Text>
        <Chips label='日期' testId='book-date' value={date} onChange={setDate} options={days.map((d) => ({ value: d, text: dayLabel(d) }))} />
      </View>
      <View className='section book__block'>
        <Text className='book__heading'>时段</Text>
        {!slots && <Text className='muted'>加载中…</Text>}
        {slots && slots.slots.length === 0 && <Text className='muted'>这一天没有可预约的时段。</Text>}
        {slots && slots.slots.length > 0 && (
          <Chips label='时段' testId='book-slot' value={start} onChange={setStart} options={slots.slots.map((s) => ({ value: s.start, text: slotText(s), disabled: s.full }))} />
        )}
        {slots?.priorityMember && <Text className='muted'>你的会员等级可预约「优先」时段，并可提前更多天预约。</Text>}
      </View>
      <View className='section book__block'>
        <Text className='book__heading'>到店做什么</Text>
        <Chips label='到店目的' testId='book-purpose' value={purpose} onChange={setPurpose} options={(chosen?.purposes ?? []).map((p) => ({ value: p, text: purposeLabel(p) }))} />
        <Textarea className='book__note' nativeProps={{ 'aria-label': '备注' }} placeholder='备注（选填），例如要带来的首饰' value={note} maxlength={200} onInput={(e) => setNote(e.detail.value)} />
      </View>
      {error && (
        <View className='section'>
          <Text className='book__error' data-testid='book-error'>
            {error}
          </Text>
        </View>
      )}
      <View className='section'>
        <Button variant='primary' disabled={busy || !store || !start || !purpose} onClick={() => void submit()} data-testid='book-submit'>
          {busy ? '正在预约…' : '预约到店'}
        </Button>
      </View>
    </View>
  )
}

function BookView() {
  const { data, error, loading, reload } = useApi(getStores)
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='暂时没有可预约的门店。'>
      {(d) => <Booking stores={d.items} />}
    </PageState>
  )
}

export default function BookPage() {
  return (
    <LoginGate>
      <BookView />
    </LoginGate>
  )
}
