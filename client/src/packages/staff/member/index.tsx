import Taro, { useRouter } from '@tarojs/taro'
import { Input, Picker, Text, View } from '@tarojs/components'
import type { Anniversary, MemberGlance } from '@member-center/shared'
import { useCallback, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useSession } from '../../../hooks/session'
import { toApiError, useApi } from '../../../hooks/use-api'
import { useCall } from '../../../pages/staff/call'
import { chosenStore } from '../../../services/staff'
import { addNote, assignAdvisor, getColleagues, getMemberGlance, lookupMember, updateClienteling } from '../../../services/staff-counter'
import { monthDay, shanghaiDay, yuan } from '../format'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

const KEYBOARD_SCROLLABLE = keyboardScrollable('会员信息')

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <View className='glance__row'>
      <Text className='muted'>{label}</Text>
      <Text className='glance__value' data-testid={testId}>
        {value}
      </Text>
    </View>
  )
}

function Notes({ glance, onAdded }: { glance: MemberGlance; onAdded: () => void }) {
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async () => {
    setBusy(true)
    setError(null)
    try {
      await addNote(glance.member.id, text.trim())
      setText('')
      onAdded()
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='section glance__block'>
      <Text className='glance__heading'>服务备注</Text>
      {glance.notes.length === 0 && <Text className='muted'>还没有备注。</Text>}
      {glance.notes.map((n) => (
        <View key={n.id} className='glance__note' data-testid='glance-note'>
          <Text>{n.text}</Text>
          <Text className='muted'>
            {n.author.name} · {n.store} · {shanghaiDay(n.at)}
          </Text>
        </View>
      ))}
      <Input className='glance__input text-input' nativeProps={{ 'aria-label': '新备注' }} placeholder='写一条备注（所有门店可见）' value={text} maxlength={500} onInput={(e) => setText(e.detail.value)} data-testid='glance-note-input' />
      {error && <Text className='glance__error'>{error}</Text>}
      <Button disabled={busy || !text.trim()} onClick={() => void save()} data-testid='glance-note-save'>
        添加备注
      </Button>
    </View>
  )
}

/** Ring size and preferences, kept for every store's counter (saved together). */
function ClientelingForm({ glance, onSaved }: { glance: MemberGlance; onSaved: () => void }) {
  const [ringSize, setRingSize] = useState(glance.clienteling.ringSize ?? '')
  const [preferences, setPreferences] = useState(glance.clienteling.preferences.join('，'))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async () => {
    setBusy(true)
    setError(null)
    try {
      const list = preferences
        .split(/[,，、]/)
        .map((p) => p.trim())
        .filter(Boolean)
        .slice(0, 10)
      await updateClienteling(glance.member.id, { ringSize: ringSize.trim() || null, preferences: list })
      onSaved()
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='section glance__block' data-testid='glance-clienteling'>
      <Text className='glance__heading'>会员资料</Text>
      <Input className='glance__input text-input' nativeProps={{ 'aria-label': '戒圈' }} placeholder='戒圈，例如 12 号' value={ringSize} maxlength={40} onInput={(e) => setRingSize(e.detail.value)} />
      <Input className='glance__input text-input' nativeProps={{ 'aria-label': '偏好' }} placeholder='偏好，用逗号分隔，例如 玫瑰金，简约款' value={preferences} onInput={(e) => setPreferences(e.detail.value)} />
      {error && <Text className='glance__error'>{error}</Text>}
      <Button disabled={busy} onClick={() => void save()}>
        保存资料
      </Button>
    </View>
  )
}

const MONTHS = Array.from({ length: 12 }, (_, i) => `${i + 1} 月`)
/** the days a month can have (29 February included: some years have it) */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const pad = (n: number) => String(n).padStart(2, '0')
/** at most this many anniversaries per member (the server's bound) */
const MAX_ANNIVERSARIES = 10

/**
 * The member's anniversaries (wedding, engagement…): each a label and a month and day. Adding or removing one saves the
 * list at once (the rest of the form keeps what is typed); the glance above shows them.
 */
function Anniversaries({ glance, onSaved }: { glance: MemberGlance; onSaved: () => void }) {
  const list = glance.clienteling.anniversaries
  const [label, setLabel] = useState('')
  const [month, setMonth] = useState<number | null>(null)
  const [day, setDay] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const days = month === null ? [] : Array.from({ length: DAYS_IN_MONTH[month]! }, (_, i) => `${i + 1} 日`)
  const save = async (next: Anniversary[]) => {
    setBusy(true)
    setError(null)
    try {
      await updateClienteling(glance.member.id, { anniversaries: next })
      return true
    } catch (e) {
      setError(toApiError(e).message)
      return false
    } finally {
      setBusy(false)
    }
  }
  const add = async () => {
    if (month === null || day === null || !label.trim()) return
    if (await save([...list, { label: label.trim(), date: `${pad(month + 1)}-${pad(day + 1)}` }])) {
      setLabel('')
      setMonth(null)
      setDay(null)
      onSaved()
    }
  }
  const remove = async (index: number) => {
    if (await save(list.filter((_, i) => i !== index))) onSaved()
  }
  const full = list.length >= MAX_ANNIVERSARIES
  return (
    <View className='section glance__block' data-testid='glance-anniversaries'>
      <Text className='glance__heading'>纪念日</Text>
      {list.length === 0 && <Text className='muted'>还没有纪念日。</Text>}
      {list.map((a, i) => (
        <View key={`${a.label}-${a.date}-${i}`} className='glance__anniversary' data-testid='glance-anniversary'>
          <Text className='glance__anniversary-text'>
            {a.label} · {monthDay(a.date)}
          </Text>
          <Button className='button-inline' disabled={busy} data-testid='glance-anniversary-remove' onClick={() => void remove(i)}>
            删除
          </Button>
        </View>
      ))}
      {full ? (
        <Text className='muted'>最多记录 {MAX_ANNIVERSARIES} 个纪念日。</Text>
      ) : (
        <>
          <Input
            className='glance__input text-input'
            nativeProps={{ 'aria-label': '纪念日名称' }}
            placeholder='名称，例如 结婚纪念日'
            value={label}
            maxlength={40}
            onInput={(e) => setLabel(e.detail.value)}
            data-testid='glance-anniversary-label'
          />
          <View className='glance__pickers'>
            <Picker className='glance__picker-cell' mode='selector' range={MONTHS} value={month ?? 0} onChange={(e) => { setMonth(Number(e.detail.value)); setDay(null) }}>
              <View className='glance__picker' data-testid='glance-anniversary-month'>
                <Text className='muted'>月份</Text>
                <Text>{month === null ? '请选择' : MONTHS[month]}</Text>
              </View>
            </Picker>
            <Picker className='glance__picker-cell' mode='selector' range={days} value={day ?? 0} disabled={month === null} onChange={(e) => setDay(Number(e.detail.value))}>
              <View className='glance__picker' data-testid='glance-anniversary-day'>
                <Text className='muted'>日期</Text>
                <Text>{day === null ? (month === null ? '先选月份' : '请选择') : days[day]}</Text>
              </View>
            </Picker>
          </View>
          <Button disabled={busy || !label.trim() || month === null || day === null} data-testid='glance-anniversary-add' onClick={() => void add()}>
            {busy ? '正在保存…' : '添加纪念日'}
          </Button>
        </>
      )}
      {error && <Text className='glance__error'>{error}</Text>}
    </View>
  )
}

/**
 * The dedicated advisor: managers pick one of their store's active staff (admins: the store they chose in the tab, else
 * the member's home store); staff see who it is, read-only, in the glance.
 */
function AdvisorPicker({ glance, onSaved }: { glance: MemberGlance; onSaved: () => void }) {
  const { staff } = useSession()
  const store = staff?.role === 'admin' ? (chosenStore() ?? glance.member.homeStore) : null
  const load = useCallback(() => getColleagues(store), [store])
  const { data, error, loading, reload } = useApi(load)
  const current = glance.member.advisor?.id ?? null
  const [chosen, setChosen] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  if (staff?.role === 'admin' && !store) {
    return (
      <View className='section glance__block' data-testid='glance-advisor'>
        <Text className='glance__heading'>指定专属顾问</Text>
        <Text className='muted'>这位会员还没有归属门店。请先在“门店”页选择门店，再回来指定顾问。</Text>
      </View>
    )
  }
  const save = async () => {
    if (!chosen) return
    setBusy(true)
    setFailure(null)
    setSaved(null)
    try {
      const { advisor } = await assignAdvisor(glance.member.id, chosen)
      setSaved(`已指定 ${advisor.name} 为专属顾问。`)
      setChosen(null)
      onSaved()
    } catch (e) {
      setFailure(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='section glance__block' data-testid='glance-advisor'>
      <Text className='glance__heading'>指定专属顾问</Text>
      <Text className='muted'>现在：{glance.member.advisor?.name ?? '还没有专属顾问'}</Text>
      <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='本店还没有可以指定的店员。'>
        {(d) => (
          <View className='glance__choices' role='radiogroup' aria-label={`${d.store} 的店员`}>
            {d.items.map((c) => {
              const on = (chosen ?? current) === c.id
              return (
                <View
                  key={c.id}
                  role='radio'
                  aria-checked={on}
                  className={`glance__choice${on ? ' glance__choice--on' : ''}`}
                  data-testid='advisor-choice'
                  data-id={c.id}
                  onClick={() => setChosen(c.id)}
                >
                  <Text>
                    {c.name}
                    {c.role === 'manager' ? '（店长）' : ''}
                  </Text>
                </View>
              )
            })}
          </View>
        )}
      </PageState>
      {failure && <Text className='glance__error'>{failure}</Text>}
      {saved && (
        <View role='status' data-testid='advisor-saved'>
          <Text className='glance__saved'>{saved}</Text>
        </View>
      )}
      <Button variant='primary' disabled={busy || !chosen || chosen === current} data-testid='advisor-save' onClick={() => void save()}>
        {busy ? '正在保存…' : '确认指定'}
      </Button>
    </View>
  )
}

function Glance({ glance, reload }: { glance: MemberGlance; reload: () => void }) {
  const m = glance.member
  const c = glance.clienteling
  const go = (url: string) => Taro.navigateTo({ url })
  const { staff } = useSession()
  const { call, busy, last } = useCall()
  const canAssign = staff?.role === 'manager' || staff?.role === 'admin'
  return (
    <View className='glance' {...KEYBOARD_SCROLLABLE}>
      <View className='section glance__head' data-testid='glance'>
        <Text className='glance__name' data-testid='glance-name'>
          {m.nickname}
        </Text>
        <Text className='glance__tier' data-testid='glance-tier'>
          {m.tier.name} · 成长值 {m.growth.toLocaleString()}
        </Text>
        <View className='glance__points'>
          <View className='glance__cell'>
            <Text className='glance__big' data-testid='glance-points'>
              {m.points.available.toLocaleString()}
            </Text>
            <Text className='muted'>可用积分</Text>
          </View>
          <View className='glance__cell'>
            <Text className='glance__big'>{m.points.pending.toLocaleString()}</Text>
            <Text className='muted'>待生效积分</Text>
          </View>
        </View>
      </View>

      <View className='section glance__actions'>
        <Button variant='primary' data-testid='glance-purchase' onClick={() => go(`/packages/staff/purchase/index?memberId=${m.id}`)}>
          登记消费
        </Button>
        {m.phone && (
          <Button data-testid='glance-call' disabled={busy !== null} onClick={() => void call(m.id)}>
            {busy ? '正在获取号码…' : '拨打电话'}
          </Button>
        )}
        <Button data-testid='glance-care' onClick={() => go(`/packages/staff/care/index?memberId=${m.id}&name=${encodeURIComponent(m.nickname)}`)}>
          发送关怀
        </Button>
        {last && (
          <View role='status' data-testid='glance-call-status'>
            <Text className={last.error ? 'glance__error' : 'glance__saved'}>{last.error ?? `正在拨打 ${m.nickname}：${last.phoneNumber}`}</Text>
          </View>
        )}
      </View>

      <View className='section glance__block'>
        <Row label='手机号' value={m.phone ?? '未绑定'} />
        <Row label='生日' value={m.birthday ? monthDay(m.birthday) : '未设置'} testId='glance-birthday' />
        <Row label='归属门店' value={m.homeStore ?? '—'} />
        <Row label='专属顾问' value={m.advisor?.name ?? '—'} testId='glance-advisor-name' />
        <Row label='入会时间' value={shanghaiDay(m.joinedAt)} />
        <Row label='消费' value={`${m.purchases.days} 天 · ${yuan(m.purchases.totalPaidFen)}`} />
        <Row label='生命周期' value={glance.lifecycle ? `${glance.lifecycle.label} · ${shanghaiDay(glance.lifecycle.since)} 起` : '潜在客户（未购买）'} testId='glance-lifecycle' />
        {c.ringSize && <Row label='戒圈' value={c.ringSize} />}
        {c.anniversaries.map((a, i) => (
          <Row key={`${a.label}-${a.date}-${i}`} label={a.label} value={monthDay(a.date)} testId='glance-anniversary-row' />
        ))}
        {c.preferences.length > 0 && <Row label='偏好' value={c.preferences.join('、')} />}
      </View>

      <View className='section glance__block' data-testid='glance-coupons'>
        <Text className='glance__heading'>可用优惠券（{glance.coupons.length}）</Text>
        {glance.coupons.length === 0 && <Text className='muted'>没有可用的券。</Text>}
        {glance.coupons.map((coupon) => (
          <View key={coupon.id} className='glance__coupon' data-testid='glance-coupon' data-code={coupon.code}>
            <View className='glance__coupon-text'>
              <Text className='glance__coupon-name'>{coupon.name}</Text>
              <Text className='muted'>{coupon.rulesText}</Text>
            </View>
            <Button
              variant='primary'
              className='glance__coupon-use button-inline'
              data-testid='glance-coupon-use'
              onClick={() => go(`/packages/staff/coupon/index?code=${coupon.code}&memberId=${m.id}`)}
            >
              核销
            </Button>
          </View>
        ))}
      </View>

      <View className='section glance__block'>
        <Text className='glance__heading'>最近订单</Text>
        {glance.recentOrders.length === 0 && <Text className='muted'>还没有订单。</Text>}
        {glance.recentOrders.map((o) => (
          <View key={o.orderId} className='glance__order'>
            <Text>{o.lines.map((l) => l.name).join('、')}</Text>
            <Text className='muted'>
              {shanghaiDay(o.paidAt)} · {yuan(o.netFen)}
              {o.store ? ` · ${o.store}` : ''}
            </Text>
          </View>
        ))}
      </View>

      {canAssign && <AdvisorPicker glance={glance} onSaved={reload} />}
      <ClientelingForm glance={glance} onSaved={reload} />
      <Anniversaries glance={glance} onSaved={reload} />
      <Notes glance={glance} onAdded={reload} />
    </View>
  )
}

function GlanceView({ by }: { by: { code: string } | { phone: string } | { memberId: string } }) {
  // a member code works once a minute: after the first look-up, reload by the member's id
  const [memberId, setMemberId] = useState<string | null>('memberId' in by ? by.memberId : null)
  const load = useCallback(async () => {
    const glance = memberId ? await getMemberGlance(memberId) : await lookupMember(by as { code: string } | { phone: string })
    setMemberId(glance.member.id)
    return glance
  }, [memberId, by])
  const { data, error, loading, reload } = useApi(load)
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(glance) => <Glance glance={glance} reload={() => void reload()} />}
    </PageState>
  )
}

export default function StaffMemberPage() {
  const { params } = useRouter()
  const by = params.memberId ? { memberId: params.memberId } : params.phone ? { phone: params.phone } : params.code ? { code: decodeURIComponent(params.code) } : null
  const [stable] = useState(by)
  return (
    <LoginGate>
      {stable ? (
        <GlanceView by={stable} />
      ) : (
        <View className='section page-state' data-testid='page-empty'>
          <Text className='page-state__text'>请先扫描会员码或输入手机号。</Text>
        </View>
      )}
    </LoginGate>
  )
}
