import { Input, Picker, Text, View } from '@tarojs/components'
import { FOLLOW_UP_CLASSES, type FollowUpClass, type FollowUpStatus } from '@member-center/shared/reviews'
import { useState } from 'react'
import Button from '../../../components/button'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import StaffGate from '../components/staff-gate'
import PageState from '../../../components/page-state'
import { toApiError, useApi } from '../../../hooks/use-api'
import { getFollowUpReport, getFollowUps, updateFollowUp, type FollowUp } from '../../../services/moderation'
import Stars from '../components/stars'
import { addMonths, FOLLOW_UP_CLASS_LABELS, FOLLOW_UP_STATUS_LABELS, shanghaiTime, thisMonth } from '../format'
import './index.scss'

const FILTERS: { status?: FollowUpStatus; label: string; empty: string }[] = [
  { status: 'open', label: '待跟进', empty: '没有待跟进的评价。' },
  { status: 'contacted', label: '已联系', empty: '没有已联系、待解决的评价。' },
  { status: 'resolved', label: '已解决', empty: '还没有已解决的跟进。' },
  { label: '全部', empty: '还没有需要跟进的评价（1–3 星的评价会出现在这里）。' },
]

const CLASS_LABELS = FOLLOW_UP_CLASSES.map((c) => FOLLOW_UP_CLASS_LABELS[c])

/** aria-pressed for a toggle button: ButtonProps does not list it; H5 passes it through, weapp ignores it. */
const pressed = (on: boolean) => ({ 'aria-pressed': on ? 'true' : 'false' }) as Record<string, unknown>

/** One low-rated review to follow up: what the member said, its class, its status, and the notes of who did what. */
function FollowUpCard({ item, onChanged }: { item: FollowUp; onChanged: (next: FollowUp) => void }) {
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const update = async (changes: { class?: FollowUpClass; status?: FollowUpStatus; note?: string }) => {
    setBusy(true)
    setError(null)
    try {
      onChanged(await updateFollowUp(item.id, changes))
      if (changes.note) setNote('')
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='section fu-card' data-testid='follow-up' data-status={item.status}>
      <View className='fu-card__head'>
        <Text className='fu-card__product'>{item.productName}</Text>
        <Text className={`fu-card__status fu-card__status--${item.status}`} data-testid='follow-up-status'>
          {FOLLOW_UP_STATUS_LABELS[item.status]}
        </Text>
      </View>
      <Text className='muted'>
        {item.nickname || '会员'}
        {item.store ? ` · ${item.store}` : ''} · {shanghaiTime(item.createdAt)} · 订单 {item.orderId}
      </Text>
      <Stars rating={item.rating} />
      {item.text ? <Text className='fu-card__text'>{item.text}</Text> : <Text className='muted'>（没有文字）</Text>}
      <Picker
        mode='selector'
        range={CLASS_LABELS}
        value={Math.max(0, FOLLOW_UP_CLASSES.indexOf(item.class))}
        disabled={busy ? true : undefined}
        onChange={(e) => {
          const next = FOLLOW_UP_CLASSES[Number(e.detail.value)]
          if (next && next !== item.class) void update({ class: next })
        }}
      >
        <View className='fu-card__picker' data-testid='follow-up-class'>
          <Text>问题分类</Text>
          <Text>{FOLLOW_UP_CLASS_LABELS[item.class]} ›</Text>
        </View>
      </Picker>
      {item.assignee && <Text className='muted'>负责人：{item.assignee.name}</Text>}
      {item.notes.length > 0 && (
        <View className='fu-card__notes'>
          {item.notes.map((n, i) => (
            <Text key={i} className='fu-card__note'>
              {shanghaiTime(n.at)} {n.by}：{n.text}
            </Text>
          ))}
        </View>
      )}
      <View className='fu-card__add-note'>
        <Input
          className='text-input fu-card__note-input'
          placeholder='记录跟进情况，例如已电话联系'
          value={note}
          maxlength={300}
          onInput={(e) => setNote(e.detail.value)}
          nativeProps={{ 'aria-label': '跟进备注' }}
        />
        <Button className='button-inline' disabled={busy || !note.trim()} onClick={() => void update({ note: note.trim() })}>
          添加备注
        </Button>
      </View>
      {error && (
        <Text className='fu-card__error' aria-live='polite'>
          {error}
        </Text>
      )}
      <View className='fu-card__actions'>
        <Button
          className='button-inline'
          variant={item.status === 'open' ? 'primary' : 'secondary'}
          disabled={busy || item.status !== 'open'}
          data-testid='follow-up-contacted'
          onClick={() => void update({ status: 'contacted' })}
        >
          已联系
        </Button>
        <Button
          className='button-inline'
          variant={item.status === 'contacted' ? 'primary' : 'secondary'}
          disabled={busy || item.status === 'resolved'}
          data-testid='follow-up-resolved'
          onClick={() => void update({ status: 'resolved' })}
        >
          已解决
        </Button>
      </View>
    </View>
  )
}

function FollowUpList({ filter }: { filter: (typeof FILTERS)[number] }) {
  const { data, error, loading, reload } = useApi(() => getFollowUps(filter.status))
  const [changed, setChanged] = useState<Record<string, FollowUp>>({})
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText={filter.empty}>
      {({ items }) => (
        <View data-testid='follow-ups'>
          {items.map((item) => (
            <FollowUpCard key={item.id} item={changed[item.id] ?? item} onChanged={(next) => setChanged((all) => ({ ...all, [next.id]: next }))} />
          ))}
        </View>
      )}
    </PageState>
  )
}

/** Follow-ups opened in one month, by class and status: mounted afresh for each month. */
function ReportBody({ month }: { month: string }) {
  const { data, error, loading, reload } = useApi(() => getFollowUpReport(month))
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {(report) =>
        report.total === 0 ? (
          <Text className='muted' data-testid='follow-up-report-empty'>
            这个月没有新的差评跟进。
          </Text>
        ) : (
          <View className='fu-report__table' role='table' aria-label={`${report.month} 按分类统计`}>
            <View className='fu-report__row fu-report__row--head' role='row'>
              {['分类', '合计', '待跟进', '已联系', '已解决'].map((h) => (
                <View key={h} className='fu-report__cell' role='columnheader'>
                  {h}
                </View>
              ))}
            </View>
            {report.byClass.map((row) => (
              <View key={row.class} className='fu-report__row' role='row' data-testid='follow-up-report-row'>
                <View className='fu-report__cell' role='rowheader'>
                  {row.label}
                </View>
                {[row.total, row.open, row.contacted, row.resolved].map((n, i) => (
                  <View key={i} className='fu-report__cell' role='cell'>
                    {n}
                  </View>
                ))}
              </View>
            ))}
            <Text className='muted'>合计 {report.total} 条</Text>
          </View>
        )
      }
    </PageState>
  )
}

/** The month report, with a month to choose (none after this one). */
function Report() {
  const [month, setMonth] = useState(thisMonth())
  return (
    <View className='section fu-report' data-testid='follow-up-report'>
      <View className='fu-report__head'>
        <Text className='fu-report__title'>月度报告</Text>
        <View className='fu-report__month'>
          <Button className='button-inline fu-report__step' aria-label='上个月' onClick={() => setMonth(addMonths(month, -1))}>
            ‹
          </Button>
          <Text className='fu-report__month-text' data-testid='follow-up-month'>
            {month}
          </Text>
          <Button className='button-inline fu-report__step' aria-label='下个月' disabled={month >= thisMonth()} onClick={() => setMonth(addMonths(month, 1))}>
            ›
          </Button>
        </View>
      </View>
      <ReportBody key={month} month={month} />
    </View>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('差评跟进')

function FollowUps() {
  const [index, setIndex] = useState(0)
  return (
    <View className='fu' {...KEYBOARD_SCROLLABLE}>
      <Report />
      <View className='fu__tabs'>
        {FILTERS.map((f, i) => (
          <Button key={f.label} className='fu__tab' variant={i === index ? 'primary' : 'secondary'} {...pressed(i === index)} onClick={() => setIndex(i)}>
            {f.label}
          </Button>
        ))}
      </View>
      <FollowUpList key={index} filter={FILTERS[index]!} />
      <View className='fu__footer'>
        <Text className='muted'>1–3 星的评价自动进入跟进记录，由门店或客服联系会员、记录处理情况。</Text>
      </View>
    </View>
  )
}

export default function FollowUpsPage() {
  return (
    <StaffGate>
      <FollowUps />
    </StaffGate>
  )
}
