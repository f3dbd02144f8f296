import { Text, View } from '@tarojs/components'
import type { MessageKind } from '@member-center/shared'
import { useState } from 'react'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import Toggle from '../../../components/subscribe-prompt/toggle'
import { toApiError, useApi } from '../../../hooks/use-api'
import { getMessagePreferences, getSubscriptions, updateMessagePreferences, type MessagePreferences, type SubscribeTemplate } from '../../../services/messages'
import './index.scss'

interface Group {
  key: string
  label: string
  kinds: MessageKind[]
}

/** Service messages a member may take off WeChat (they still land in the inbox), grouped as a member thinks of them. */
const SERVICE_GROUPS: Group[] = [
  { key: 'shipping', label: '订单发货与签收', kinds: ['shipped', 'delivered'] },
  { key: 'logistics', label: '物流异常', kinds: ['logistics_exception'] },
  { key: 'payment', label: '订单待支付', kinds: ['payment_reminder'] },
  { key: 'refund', label: '退款进度', kinds: ['refund_progress'] },
  { key: 'points', label: '积分到账', kinds: ['points_confirmed'] },
  { key: 'expiring', label: '积分与优惠券到期', kinds: ['points_expiring', 'coupon_expiring'] },
  { key: 'tier', label: '会员等级变化', kinds: ['tier_upgrade', 'tier_keep_reminder', 'tier_downgrade'] },
  { key: 'care', label: '专属顾问关怀', kinds: ['staff_care'] },
]

/** Offers: all of them off with the marketing switch, or one by one. */
const MARKETING_GROUPS: Group[] = [
  { key: 'member-day', label: '会员日提醒', kinds: ['member_day'] },
  { key: 'birthday', label: '生日礼遇', kinds: ['birthday'] },
  { key: 'review', label: '晒单邀请', kinds: ['review_invitation'] },
  { key: 'campaign', label: '品牌活动', kinds: ['campaign'] },
]

const isOn = (prefs: MessagePreferences, group: Group) => !group.kinds.some((k) => prefs.kindsOff.includes(k))

function Row({ label, description, checked, disabled, testId, onChange }: {
  label: string
  description?: string
  checked: boolean
  disabled: boolean
  testId: string
  onChange: (on: boolean) => void
}) {
  return (
    <View className='prefs__row'>
      <View className='prefs__text'>
        <Text className='prefs__label'>{label}</Text>
        {description && <Text className='muted'>{description}</Text>}
      </View>
      <Toggle label={label} checked={checked} disabled={disabled} testId={testId} onChange={onChange} />
    </View>
  )
}

function Preferences({ initial, templates }: { initial: MessagePreferences; templates: SubscribeTemplate[] }) {
  const [prefs, setPrefs] = useState(initial)
  const [saving, setSaving] = useState(false)
  const [message, setMessage] = useState<string | null>(null)

  /** Shows the change at once, saves it, and puts it back with a sentence when the server refuses. */
  const save = async (next: MessagePreferences, changes: Partial<MessagePreferences>) => {
    const before = prefs
    setPrefs(next)
    setSaving(true)
    setMessage(null)
    try {
      setPrefs(await updateMessagePreferences(changes))
    } catch (e) {
      setPrefs(before)
      setMessage(`没有保存：${toApiError(e).message}`)
    } finally {
      setSaving(false)
    }
  }
  const toggle = (group: Group, on: boolean) => {
    const kindsOff = on ? prefs.kindsOff.filter((k) => !group.kinds.includes(k)) : [...new Set([...prefs.kindsOff, ...group.kinds])]
    void save({ ...prefs, kindsOff }, { kindsOff })
  }
  const left = templates.filter((t) => t.balance > 0)

  return (
    <View className='prefs'>
      {message && (
        <Text className='section prefs__message' aria-live='polite' data-testid='prefs-message'>
          {message}
        </Text>
      )}
      <View className='section'>
        <Text className='prefs__heading'>服务提醒</Text>
        <Text className='muted prefs__intro'>关闭后不再通过微信提醒，消息仍会保存在「消息中心」。</Text>
        {SERVICE_GROUPS.map((group) => (
          <Row key={group.key} label={group.label} checked={isOn(prefs, group)} disabled={saving} testId={`pref-${group.key}`} onChange={(on) => toggle(group, on)} />
        ))}
      </View>
      <View className='section'>
        <Text className='prefs__heading'>优惠与活动</Text>
        <Row
          label='接收优惠与活动消息'
          description='会员日、生日礼遇、晒单邀请和品牌活动。关闭后不再收到。'
          checked={prefs.marketing}
          disabled={saving}
          testId='pref-marketing'
          onChange={(marketing) => void save({ ...prefs, marketing }, { marketing })}
        />
        {MARKETING_GROUPS.map((group) => (
          <Row
            key={group.key}
            label={group.label}
            checked={prefs.marketing && isOn(prefs, group)}
            disabled={saving || !prefs.marketing}
            testId={`pref-${group.key}`}
            onChange={(on) => toggle(group, on)}
          />
        ))}
      </View>
      <View className='section' data-testid='prefs-subscriptions'>
        <Text className='prefs__heading'>可收到的微信提醒</Text>
        <Text className='muted prefs__intro'>在提醒弹窗中每点一次「允许」，可收到一次对应的微信提醒。</Text>
        {left.length === 0 ? (
          <Text className='prefs__empty'>暂无。可在「消息中心」开启订单提醒，或在积分明细开启到账提醒。</Text>
        ) : (
          left.map((t) => (
            <View className='prefs__row' key={t.templateId} data-testid='prefs-subscription'>
              <Text className='prefs__label'>{t.title}</Text>
              <Text className='prefs__count'>{t.balance} 次</Text>
            </View>
          ))
        )}
      </View>
    </View>
  )
}

function PreferencesView() {
  const { data, error, loading, reload } = useApi(async () => {
    const [prefs, subscriptions] = await Promise.all([getMessagePreferences(), getSubscriptions()])
    return { prefs, templates: subscriptions.templates }
  })
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {/* a fresh load (the page shown again) starts from what the server has */}
      {({ prefs, templates }) => <Preferences key={JSON.stringify(prefs)} initial={prefs} templates={templates} />}
    </PageState>
  )
}

export default function MessagePreferencesPage() {
  return (
    <LoginGate>
      <PreferencesView />
    </LoginGate>
  )
}
