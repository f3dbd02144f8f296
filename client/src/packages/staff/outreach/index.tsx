import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { listOutreach, type Outreach } from '../../../services/outreach'
import './index.scss'

const KEYBOARD_SCROLLABLE = keyboardScrollable('触达列表', { region: false })

const STATUS: Record<Outreach['status'], string> = { draft: '草稿', scheduled: '待开始', running: '进行中', finished: '已结束', cancelled: '已取消' }

const day = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)

function audienceText(o: Outreach): string {
  return 'segmentId' in o.audience ? '分群' : `进入阶段 ${o.audience.enteringStage}`
}

/** Every outreach, newest first; each opens its review (复盘). */
function OutreachList() {
  const list = useApi(listOutreach)
  return (
    <PageState data={list.data} error={list.error} loading={list.loading} onRetry={list.reload} isEmpty={(d) => d.items.length === 0} emptyText='还没有触达活动。'>
      {(d) => (
        <View className='section' {...KEYBOARD_SCROLLABLE}>
          {d.items.map((o) => (
            <View
              key={o.id}
              className='outreach__row'
              data-testid='outreach-row'
              onClick={() => void Taro.navigateTo({ url: `/packages/staff/outreach-review/index?id=${o.id}` })}
            >
              <View className='outreach__head'>
                <Text className='outreach__name'>{o.name}</Text>
                <Text className={`outreach__status outreach__status--${o.status}`}>{STATUS[o.status]}</Text>
              </View>
              <Text className='muted'>
                {day(o.startAt)} 开始 · {audienceText(o)} · {o.steps.length} 步 · 对照组 {Math.round(o.holdoutShare * 100)}%
              </Text>
              <Text className='muted'>
                接触组 {o.enrolled.treated} · 对照组 {o.enrolled.holdout} · 排除 {o.enrolled.excluded}
              </Text>
            </View>
          ))}
        </View>
      )}
    </PageState>
  )
}

export default function OutreachPage() {
  return (
    <LoginGate>
      <OutreachList />
    </LoginGate>
  )
}
