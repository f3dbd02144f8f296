import Taro, { useRouter } from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import type { MemberGlance } from '@member-center/shared'
import { useCallback, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { addNote, getMemberGlance, lookupMember, updateClienteling } from '../../../services/staff-counter'
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

/** Ring size and preferences, kept for every store's counter (anniversaries come from the API for now). */
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

function Glance({ glance, reload }: { glance: MemberGlance; reload: () => void }) {
  const m = glance.member
  const c = glance.clienteling
  const go = (url: string) => Taro.navigateTo({ url })
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
        <Button data-testid='glance-care' onClick={() => go(`/packages/staff/care/index?memberId=${m.id}&name=${encodeURIComponent(m.nickname)}`)}>
          发送关怀
        </Button>
      </View>

      <View className='section glance__block'>
        <Row label='手机号' value={m.phone ?? '未绑定'} />
        <Row label='生日' value={m.birthday ? monthDay(m.birthday) : '未设置'} testId='glance-birthday' />
        <Row label='归属门店' value={m.homeStore ?? '—'} />
        <Row label='专属顾问' value={m.advisor?.name ?? '—'} />
        <Row label='入会时间' value={shanghaiDay(m.joinedAt)} />
        <Row label='消费' value={`${m.purchases.days} 天 · ${yuan(m.purchases.totalPaidFen)}`} />
        {c.ringSize && <Row label='戒圈' value={c.ringSize} />}
        {c.anniversaries.map((a) => (
          <Row key={a.label + a.date} label={a.label} value={monthDay(a.date)} />
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

      <ClientelingForm glance={glance} onSaved={reload} />
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
