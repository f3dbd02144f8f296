import { Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import Button from '../../../components/button'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getOutreachResults, type OutreachResults } from '../../../services/outreach'
import './index.scss'

const KEYBOARD_SCROLLABLE = keyboardScrollable('触达复盘')

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)
const pts = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} 个百分点`)
const yuan = (fen: number | null) => (fen === null ? '—' : `¥${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`)

/** One group's figures: the members, who bought in the window, the rate and the revenue. */
function Group({ title, g }: { title: string; g: OutreachResults['treated'] }) {
  return (
    <View className='review__group' data-testid='review-group'>
      <Text className='review__group-title'>{title}</Text>
      <Text className='review__big'>{pct(g.rate)}</Text>
      <Text className='muted'>
        {g.buyers} / {g.members} 人购买 · {g.orders} 单
      </Text>
      <Text className='muted'>收入 {yuan(g.revenueFen)}</Text>
    </View>
  )
}

/** A bar for each group's rate on one scale, so the difference is seen; the numbers are beside them. */
function RateBars({ r }: { r: OutreachResults }) {
  const max = Math.max(r.treated.rate ?? 0, r.holdout.rate ?? 0, 0.0001)
  return (
    <View className='review__bars' aria-hidden>
      {[
        ['接触组', r.treated.rate, 'treated'],
        ['对照组', r.holdout.rate, 'holdout'],
      ].map(([label, rate, kind]) => (
        <View key={kind as string} className='review__bar-row'>
          <Text className='review__bar-label'>{label as string}</Text>
          <View className='review__bar-track'>
            <View className={`review__bar review__bar--${kind as string}`} style={{ width: `${(((rate as number | null) ?? 0) / max) * 100}%` }} />
          </View>
          <Text className='review__bar-value'>{pct(rate as number | null)}</Text>
        </View>
      ))}
    </View>
  )
}

/** The review (复盘) of one outreach: what was done, what happened against the holdout, what it cost, in sentences. */
function Review({ id }: { id: string }) {
  const results = useApi(() => getOutreachResults(id))
  return (
    <PageState data={results.data} error={results.error} loading={results.loading} onRetry={results.reload}>
      {(r) => (
        <View {...KEYBOARD_SCROLLABLE}>
          <View className='section'>
            <Text className='review__title'>{r.name}</Text>
            <Text className='muted'>
              归因窗口 {r.attributionDays} 天 · 对照组 {Math.round(r.holdoutShare * 100)}% · {r.window.complete ? '窗口已结束' : '窗口未结束，数字还会变化'}
            </Text>
          </View>
          <View className='section review__groups'>
            <Group title='接触组' g={r.treated} />
            <Group title='对照组（未触达）' g={r.holdout} />
          </View>
          <View className='section'>
            <RateBars r={r} />
            <Text className='review__lift' data-testid='review-lift'>
              购买率差异 {pts(r.lift.diff)}（95% 置信区间 {pts(r.lift.low)} 至 {pts(r.lift.high)}）
            </Text>
            <Text className={r.lift.significant ? 'review__verdict review__verdict--yes' : 'review__verdict'}>
              {r.lift.diff === null ? '还不能比较' : r.lift.significant ? '差异显著' : '差异不显著：不能确定有效果'}
            </Text>
          </View>
          <View className='section review__money'>
            <View className='review__kv'>
              <Text className='muted'>增量收入</Text>
              <Text className='review__value'>{yuan(r.incrementalRevenueFen)}</Text>
            </View>
            <View className='review__kv'>
              <Text className='muted'>成本</Text>
              <Text className='review__value'>{yuan(r.cost.totalFen)}</Text>
            </View>
            <View className='review__kv'>
              <Text className='muted'>ROI</Text>
              <Text className='review__value'>{r.roi === null ? '—' : `${(r.roi * 100).toFixed(0)}%`}</Text>
            </View>
            <Text className='muted'>
              消息：微信 {r.cost.messages.wechat} · 短信 {r.cost.messages.sms} · 仅站内 {r.cost.messages.inboxOnly}；券核销 {r.cost.couponsRedeemed}/{r.cost.couponsIssued} 张
            </Text>
          </View>
          <View className='section'>
            <Text className='review__subtitle'>步骤</Text>
            {r.steps.map((s, i) => (
              <Text key={i} className='review__step'>
                第 {s.afterDays} 天「{s.label}」：发送 {s.sent}，已购跳过 {s.skipped}
                {s.couponFailed > 0 ? `，券未发出 ${s.couponFailed}` : ''}
              </Text>
            ))}
          </View>
          <View className='section' data-testid='review-text'>
            <Text className='review__subtitle'>复盘</Text>
            {r.review.map((line, i) => (
              <Text key={i} className='review__para'>
                {line}
              </Text>
            ))}
            <Text className='muted review__asof'>数据截至 {new Date(Date.parse(r.at) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')}</Text>
            <Button onClick={results.reload}>刷新数据</Button>
          </View>
        </View>
      )}
    </PageState>
  )
}

export default function OutreachReviewPage() {
  const { params } = useRouter()
  return <LoginGate>{params.id ? <Review id={params.id} /> : <View className='section'>没有指定触达。</View>}</LoginGate>
}
