import { Text, View } from '@tarojs/components'
import { useState, type ReactNode } from 'react'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useSession } from '../../../hooks/session'
import { useApi } from '../../../hooks/use-api'
import { getKpis, type KpiReport } from '../../../services/insights'
import { chosenStore } from '../../../services/staff'
import Chart from './chart'
import { axisMax, count, lastMonths, monthLabel, monthText, percent, percentValue, points, whole, yuanOf } from './format'
import './index.scss'

// Series colours: each at least 3:1 on white (WCAG 1.4.11, graphics), and as text 4.5:1 — gold #85652f 5.38:1,
// blue #2f5d8a 6.88:1, green #3d7a4f 5.13:1, plum #8a3f6b 6.99:1, grey-brown #5a5048 7.85:1, teal #2d6a7a 6.08:1,
// red #a8342a 6.58:1 (one per tier; the legend beside the ring names each).
const GOLD = '#85652f'
const BLUE = '#2f5d8a'
const PALETTE = [GOLD, BLUE, '#3d7a4f', '#8a3f6b', '#5a5048', '#2d6a7a', '#a8342a']

const KEYBOARD_SCROLLABLE = keyboardScrollable('经营数据')

const RANGES = [
  { months: 6, text: '近 6 个月' },
  { months: 12, text: '近 12 个月' },
  { months: 24, text: '近 24 个月' },
]

const CHANNELS: Record<string, string> = { inbox: '站内信', subscribe: '订阅消息', sms: '短信', oa: '公众号', template: '公众号' }

/** Axis settings shared by the month charts: a few month labels (12 would crowd a phone), 4 round gridlines. */
const monthAxes = (values: (number | null)[], unit = '') => ({
  xAxis: { labelCount: 6, fontColor: '#4d4640', axisLineColor: '#8a817a', disableGrid: true },
  yAxis: {
    splitNumber: 4,
    gridColor: '#ece6df',
    gridType: 'dash',
    dashLength: 4,
    data: [{ min: 0, max: axisMax(values, unit === '%'), formatter: (v: number) => `${whole(v)}${unit}`, fontColor: '#4d4640', axisLineColor: '#8a817a' }],
  },
  legend: { show: false },
})

/** A figure as text: the label, the value in large type, what it is made of in small type. */
function Figure({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId: string }) {
  return (
    <View className='kpis__figure' data-testid={testId}>
      <Text className='kpis__figure-label'>{label}</Text>
      <Text className='kpis__figure-value'>{value}</Text>
      {detail && <Text className='kpis__figure-detail'>{detail}</Text>}
    </View>
  )
}

/** A card of the report: its title, one sentence of what it measures, then its figures and chart. */
function Card({ title, note, testId, children }: { title: string; note?: string; testId: string; children: ReactNode }) {
  return (
    <View className='section kpis__card' data-testid={testId}>
      <View className='kpis__title' role='heading' aria-level={2}>
        <Text>{title}</Text>
      </View>
      {note && <Text className='kpis__note'>{note}</Text>}
      {children}
    </View>
  )
}

/** The month-by-month values under a chart, on request (the chart's figures as text, for anyone). */
function MonthTable({ rows, testId }: { rows: [string, string][]; testId: string }) {
  const [open, setOpen] = useState(false)
  return (
    <View className='kpis__months'>
      <View className='kpis__toggle' role='button' aria-expanded={open} data-testid={`${testId}-toggle`} onClick={() => setOpen(!open)}>
        <Text>{open ? '收起每月数据' : '查看每月数据'}</Text>
      </View>
      {open && (
        <View className='kpis__table' data-testid={testId}>
          {rows.map(([month, value]) => (
            <View key={month} className='kpis__table-row'>
              <Text>{month}</Text>
              <Text className='kpis__num'>{value}</Text>
            </View>
          ))}
        </View>
      )}
    </View>
  )
}

function Customers({ r, months }: { r: KpiReport; months: number }) {
  const series = r.customers.series
  return (
    <Card title='客户数' note={`在滚动一年内（${r.customers.window.from} 至 ${r.customers.window.to}）有过购买的会员；每个月按当月最后一天往前一年计算。`} testId='kpi-customers'>
      <Figure label='客户数（近12个月）' value={count(r.customers.value)} detail={`截至 ${r.customers.window.to}`} testId='kpi-customers-value' />
      <Chart
        testId='kpi-customers-chart'
        spec={{
          type: 'column',
          categories: series.map((p) => monthLabel(p.month)),
          series: [{ name: '客户数', data: series.map((p) => p.customers), color: GOLD }],
          ...monthAxes(series.map((p) => p.customers)),
          dataLabel: false,
          extra: { column: { width: months > 12 ? 6 : 12, activeBgOpacity: 0 } },
        }}
      />
      <MonthTable testId='kpi-customers-months' rows={series.map((p) => [monthText(p.month), `${count(p.customers)} 人`])} />
    </Card>
  )
}

function OldCustomers({ r }: { r: KpiReport }) {
  const o = r.oldCustomerRatio
  return (
    <Card title='老客户比例' note='客户中，历史上有两个或更多购买日的人（之前买过，或一年内回来再买）所占的比例。' testId='kpi-old-customers'>
      <Figure label='老客户比例' value={percent(o.value)} detail={`${count(o.oldCustomers)} / ${count(o.customers)} 位客户`} testId='kpi-old-customers-value' />
      <Chart
        testId='kpi-old-customers-chart'
        spec={{
          type: 'line',
          categories: o.series.map((p) => monthLabel(p.month)),
          series: [{ name: '老客户比例', data: o.series.map((p) => percentValue(p.ratio)), color: GOLD }],
          ...monthAxes(o.series.map((p) => percentValue(p.ratio)), '%'),
          dataLabel: false,
          extra: { line: { type: 'straight', width: 2 } },
        }}
      />
      <MonthTable
        testId='kpi-old-customers-months'
        rows={o.series.map((p) => [monthText(p.month), `${percent(p.ratio)}（${count(p.oldCustomers)}/${count(p.customers)}）`])}
      />
    </Card>
  )
}

function Repeat({ r }: { r: KpiReport }) {
  const o = r.repeatRate
  return (
    <Card title='年内复购率' note='客户中，在这一年内有两个或更多购买日的人所占的比例。' testId='kpi-repeat'>
      <Figure label='年内复购率' value={percent(o.value)} detail={`${count(o.repeatCustomers)} / ${count(o.customers)} 位客户`} testId='kpi-repeat-value' />
      <Chart
        testId='kpi-repeat-chart'
        spec={{
          type: 'line',
          categories: o.series.map((p) => monthLabel(p.month)),
          series: [{ name: '年内复购率', data: o.series.map((p) => percentValue(p.rate)), color: BLUE }],
          ...monthAxes(o.series.map((p) => percentValue(p.rate)), '%'),
          dataLabel: false,
          extra: { line: { type: 'straight', width: 2 } },
        }}
      />
      <MonthTable
        testId='kpi-repeat-months'
        rows={o.series.map((p) => [monthText(p.month), `${percent(p.rate)}（${count(p.repeatCustomers)}/${count(p.customers)}）`])}
      />
    </Card>
  )
}

/** A cell of the cohort table (a View: Taro's Text takes no role). */
function Cell({ role, children }: { role: 'columnheader' | 'rowheader' | 'cell'; children: ReactNode }) {
  return (
    <View role={role} className={`kpis__grid-cell${role === 'cell' ? ' kpis__num' : ''}`}>
      <Text>{children}</Text>
    </View>
  )
}

/** A cohort's rate over its count; '未满' while its days have not passed for the whole cohort. */
function RateCell({ rate, n, firstBuyers }: { rate: number | null; n: number; firstBuyers: number }) {
  return (
    <View role='cell' className='kpis__grid-cell kpis__num'>
      {rate === null ? (
        <Text className='kpis__grid-muted'>{firstBuyers === 0 ? '—' : '未满'}</Text>
      ) : (
        <>
          <Text>{percent(rate)}</Text>
          <Text className='kpis__grid-muted'>{n} 人</Text>
        </>
      )}
    </View>
  )
}

function Cohorts({ r }: { r: KpiReport }) {
  return (
    <Card title='首购后再次购买（1→2 转化）' note='按首次购买的月份分组：其中在 30、90、180 天内再次购买的比例和人数。“未满”表示这组会员的天数还没过完。' testId='kpi-cohorts'>
      {r.cohorts.length === 0 ? (
        <Text className='kpis__empty' data-testid='kpi-cohorts-empty'>
          这段时间没有首次购买的会员。
        </Text>
      ) : (
        <View className='kpis__grid' role='table' aria-label='首购后再次购买'>
          <View className='kpis__grid-row kpis__grid-head' role='row'>
            {['首购月', '首购人数', '30 天', '90 天', '180 天'].map((h) => (
              <Cell key={h} role='columnheader'>
                {h}
              </Cell>
            ))}
          </View>
          {r.cohorts.map((c) => (
            <View key={c.month} className='kpis__grid-row' role='row' data-testid='kpi-cohort' data-month={c.month}>
              <Cell role='rowheader'>
                {monthLabel(c.month)}
              </Cell>
              <Cell role='cell'>
                {count(c.firstBuyers)}
              </Cell>
              <RateCell rate={c.rate30} n={c.within30} firstBuyers={c.firstBuyers} />
              <RateCell rate={c.rate90} n={c.within90} firstBuyers={c.firstBuyers} />
              <RateCell rate={c.rate180} n={c.within180} firstBuyers={c.firstBuyers} />
            </View>
          ))}
        </View>
      )}
    </Card>
  )
}

function Members({ r }: { r: KpiReport }) {
  const m = r.members
  const added = m.newByMonth.reduce((sum, p) => sum + p.members, 0)
  const activeShare = m.total > 0 ? m.active30 / m.total : null
  return (
    <Card title='会员' testId='kpi-members'>
      <View className='kpis__figures'>
        <Figure label='会员总数' value={count(m.total)} detail={`截至 ${r.to}`} testId='kpi-members-total' />
        <Figure label='近 30 天活跃' value={count(m.active30)} detail={`占 ${percent(activeShare)}（打开过小程序）`} testId='kpi-members-active' />
        <Figure label='期间新会员' value={count(added)} detail={`${r.from} 至 ${r.to}`} testId='kpi-members-new' />
      </View>
      <Text className='kpis__chart-title'>每月新会员</Text>
      <Chart
        testId='kpi-members-chart'
        spec={{
          type: 'column',
          categories: m.newByMonth.map((p) => monthLabel(p.month)),
          // a month without new members shows no label (its bar is not there either)
          series: [{ name: '新会员', data: m.newByMonth.map((p) => p.members), color: BLUE, formatter: (v) => (v === 0 ? '' : String(v)) }],
          ...monthAxes(m.newByMonth.map((p) => p.members)),
          // a label on each bar while they fit (a year); longer ranges: the month table below
          dataLabel: m.newByMonth.length <= 12,
          extra: { column: { width: m.newByMonth.length > 12 ? 6 : 12, activeBgOpacity: 0 } },
        }}
      />
      <MonthTable testId='kpi-members-months' rows={m.newByMonth.map((p) => [monthText(p.month), `${count(p.members)} 人`])} />
    </Card>
  )
}

function Tiers({ r }: { r: KpiReport }) {
  const total = r.tierMix.reduce((sum, t) => sum + t.members, 0)
  return (
    <Card title='等级分布' testId='kpi-tiers'>
      {total === 0 ? (
        <Text className='kpis__empty'>还没有会员。</Text>
      ) : (
        <View className='kpis__side'>
          <View className='kpis__side-chart'>
            <Chart
              testId='kpi-tiers-chart'
              size='small'
              spec={{
                type: 'ring',
                series: r.tierMix.map((t, i) => ({ name: t.name, data: t.members, color: PALETTE[i % PALETTE.length] })),
                dataLabel: false,
                legend: { show: false },
                padding: [4, 4, 4, 4],
                extra: { ring: { ringWidth: 22, border: true, borderWidth: 2, borderColor: '#FFFFFF', offsetAngle: -90, centerColor: '#FFFFFF' } },
              }}
            />
          </View>
          <View className='kpis__legend'>
            {r.tierMix.map((t, i) => (
              <View key={t.level} className='kpis__legend-row' data-testid='kpi-tier' data-level={t.level}>
                <View className='kpis__swatch' style={{ background: PALETTE[i % PALETTE.length] }} />
                <Text className='kpis__legend-name'>{t.name}</Text>
                <Text className='kpis__num'>
                  {count(t.members)} 人 · {percent(t.members / total)}
                </Text>
              </View>
            ))}
          </View>
        </View>
      )}
    </Card>
  )
}

function Liability({ r }: { r: KpiReport }) {
  const p = r.pointsLiability
  return (
    <Card title='积分负债' note={`按每积分 ${p.fenPerPoint} 分钱估值。待生效积分在退货期结束后才可用。`} testId='kpi-points'>
      <View className='kpis__figures'>
        <Figure label='可用积分' value={count(p.available)} detail={`价值 ${yuanOf(p.availableFen)}`} testId='kpi-points-available' />
        <Figure label='待生效积分' value={count(p.pending)} detail={`价值 ${yuanOf(p.pendingFen)}`} testId='kpi-points-pending' />
      </View>
    </Card>
  )
}

function Coupons({ r }: { r: KpiReport }) {
  const c = r.coupons
  return (
    <Card title='优惠券' note={`${r.from} 至 ${r.to} 发放与使用的张数。`} testId='kpi-coupons'>
      <View className='kpis__figures'>
        <Figure label='发放' value={`${count(c.issued)} 张`} testId='kpi-coupons-issued' />
        <Figure label='已使用' value={`${count(c.used)} 张`} detail={`使用率 ${percent(c.issued > 0 ? c.used / c.issued : null)}`} testId='kpi-coupons-used' />
      </View>
      <View className='kpis__key' aria-hidden='true'>
        <View className='kpis__swatch' style={{ background: GOLD }} />
        <Text>发放</Text>
        <View className='kpis__swatch' style={{ background: BLUE }} />
        <Text>使用</Text>
      </View>
      <Chart
        testId='kpi-coupons-chart'
        spec={{
          type: 'column',
          categories: c.byMonth.map((p) => monthLabel(p.month)),
          series: [
            { name: '发放', data: c.byMonth.map((p) => p.issued), color: GOLD },
            { name: '使用', data: c.byMonth.map((p) => p.used), color: BLUE },
          ],
          ...monthAxes(c.byMonth.flatMap((p) => [p.issued, p.used])),
          dataLabel: false,
          extra: { column: { width: c.byMonth.length > 12 ? 3 : 6, seriesGap: 1, activeBgOpacity: 0 } },
        }}
      />
      <MonthTable testId='kpi-coupons-months' rows={c.byMonth.map((p) => [monthText(p.month), `发放 ${count(p.issued)} · 使用 ${count(p.used)}`])} />
    </Card>
  )
}

function Messages({ r }: { r: KpiReport }) {
  const m = r.messages
  const channels = Object.entries(m.byChannel)
  const steps: [string, number][] = [
    ['写入', m.total],
    ['已推送', m.sent],
    ['已送达', m.delivered],
    ['已读', m.read],
  ]
  return (
    <Card title='消息' note='写入：发给会员的全部消息（都会进站内信）；已推送：经微信或短信发出；已送达：没有收到失败回执；已读：在站内信里打开过。' testId='kpi-messages'>
      <View className='kpis__figures kpis__figures--four'>
        {steps.map(([label, n]) => (
          <Figure key={label} label={label} value={count(n)} testId='kpi-messages-step' />
        ))}
      </View>
      <Chart
        testId='kpi-messages-chart'
        size='small'
        spec={{
          type: 'bar',
          categories: steps.map(([label]) => label),
          series: [{ name: '消息', data: steps.map(([, n]) => n), color: GOLD }],
          legend: { show: false },
          dataLabel: true,
          // each bar carries its value: no value axis (uCharts centres its labels between gridlines), and room right of
          // the longest bar for its label
          xAxis: { disabled: true, disableGrid: true, min: 0, max: Math.max(4, ...steps.map(([, n]) => n)) * 1.3 },
          yAxis: { fontColor: '#4d4640' },
          extra: { bar: { width: 14, activeBgOpacity: 0 } },
        }}
      />
      {channels.length > 0 && (
        <Text className='kpis__note' data-testid='kpi-messages-channels'>
          按渠道：{channels.map(([k, n]) => `${CHANNELS[k] ?? k} ${count(n)}`).join(' · ')}
        </Text>
      )}
    </Card>
  )
}

function Outreach({ r }: { r: KpiReport }) {
  return (
    <Card title='触达效果（对照组）' note='每次触达都留出对照组：提升 = 触达组购买率 − 对照组购买率，括号里是 95% 置信区间（百分点）。' testId='kpi-outreach'>
      {r.outreach.length === 0 ? (
        <Text className='kpis__empty' data-testid='kpi-outreach-empty'>
          这段时间没有开始的触达活动，暂无提升数据。
        </Text>
      ) : (
        r.outreach.map((o) => (
          <View key={o.id} className='kpis__outreach' data-testid='kpi-outreach-row'>
            <Text className='kpis__outreach-name'>{o.name}</Text>
            <Text className='kpis__note'>
              触达组 {count(o.treated)} 人，购买率 {percent(o.treatedRate)} · 对照组 {count(o.holdout)} 人，购买率 {percent(o.holdoutRate)}
            </Text>
            <Text className='kpis__outreach-lift'>
              {o.lift === null
                ? '提升：人数不足，暂无法计算'
                : `提升 ${points(o.lift)} 个百分点${o.liftLow !== null && o.liftHigh !== null ? `（${points(o.liftLow)} ~ ${points(o.liftHigh)}）` : ''}`}
              {o.incrementalRevenueFen !== null ? ` · 增量收入 ${yuanOf(o.incrementalRevenueFen)}` : ''}
            </Text>
          </View>
        ))
      )}
    </Card>
  )
}

function Report({ months }: { months: number }) {
  const { data, error, loading, reload } = useApi(() => getKpis(lastMonths(months)))
  if (error?.statusCode === 403 && !data) {
    return (
      <View className='section kpis__refused' data-testid='kpis-forbidden' role='alert'>
        <Text className='kpis__title'>无法查看经营数据</Text>
        <Text>{error.message}</Text>
      </View>
    )
  }
  return (
    <PageState data={data} error={error} loading={loading} onRetry={() => void reload()}>
      {(r) => (
        <View data-testid='kpis-report' data-from={r.from} data-to={r.to}>
          <Customers r={r} months={months} />
          <OldCustomers r={r} />
          <Repeat r={r} />
          <Cohorts r={r} />
          <Members r={r} />
          <Tiers r={r} />
          <Liability r={r} />
          <Coupons r={r} />
          <Messages r={r} />
          <Outreach r={r} />
          <Text className='kpis__footer'>数据生成于 {new Date(Date.parse(r.at) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')}（北京时间）</Text>
        </View>
      )}
    </PageState>
  )
}

/** The manager view: my store's KPIs as charts, every figure also written out (managers: their store; admins: the one picked). */
function Kpis() {
  const { staff } = useSession()
  const [months, setMonths] = useState(12)
  if (!staff || staff.role === 'staff') {
    return (
      <View className='section kpis__refused' data-testid='kpis-forbidden' role='alert'>
        <Text className='kpis__title'>无法查看经营数据</Text>
        <Text>经营数据只对店长和管理员开放。如果你需要查看，请联系管理员调整你的角色。</Text>
      </View>
    )
  }
  const store = staff.store ?? chosenStore()
  return (
    <View className='kpis' {...KEYBOARD_SCROLLABLE}>
      <View className='section kpis__head'>
        <Text className='kpis__store' data-testid='kpis-store'>
          {store ? `门店 ${store}` : '全部门店'}
        </Text>
        <View className='kpis__chips' role='radiogroup' aria-label='时间范围'>
          {RANGES.map((r) => (
            <View
              key={r.months}
              role='radio'
              aria-checked={r.months === months}
              className={`kpis__chip${r.months === months ? ' kpis__chip--on' : ''}`}
              data-testid='kpis-range'
              data-months={r.months}
              onClick={() => setMonths(r.months)}
            >
              <Text>{r.text}</Text>
            </View>
          ))}
        </View>
      </View>
      <Report key={months} months={months} />
    </View>
  )
}

export default function StaffKpisPage() {
  return (
    <LoginGate>
      <Kpis />
    </LoginGate>
  )
}
