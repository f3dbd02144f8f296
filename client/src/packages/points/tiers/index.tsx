import { Text, View } from '@tarojs/components'
import type { TierList, TierListItem } from '@member-center/shared'
import BenefitList from '../../../components/benefit-list'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getCard } from '../../../services/member'
import { getTiers } from '../../../services/points'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

/** YYYY-MM-DD of an instant in Shanghai (business time). */
function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

const n = (value: number) => value.toLocaleString()

/**
 * How the program works, in sentences made from the active policy the API returns (GET /api/tiers `rules`): nothing
 * here is written down twice, so the page cannot tell a member something the server does not do.
 */
/** How a sales channel reads to a member. */
function channelName(channel: string): string {
  return ({ store: '门店柜台', mall: '官方商城', tmall: '天猫', jd: '京东' } as Record<string, string>)[channel] ?? channel
}

export function rulesText(rules: TierList['rules']): { key: string; title: string; text: string }[] {
  const { growth, points, reviews } = rules
  const window = `确认收货 ${n(points.returnWindowDays)} 天后；未登记收货的订单，支付 ${n(points.maxPendingDays)} 天后`
  // channels with their own window (a counter sale in a store is final at payment by default)
  const channels = points.channelWindows
    .map((c) => (c.days === 0 ? `${channelName(c.channel)}购买支付即生效` : `${channelName(c.channel)}购买确认收货 ${n(c.days)} 天后生效`))
    .join('；')
  const channelNote = channels ? `（${channels}）` : ''
  const lines = [
    {
      key: 'growth',
      title: '成长值',
      text:
        `每消费 1 元累积 ${n(growth.perYuan)} 成长值，` +
        (growth.countsAt === 'confirm' ? `退货期结束后计入：${window}。` : '支付成功即计入，退款时扣回。'),
    },
    {
      key: 'tiers',
      title: '定级与复核',
      text:
        growth.window === 'rolling'
          ? `按近 ${n(growth.windowDays ?? 365)} 天的成长值定级，达到门槛即时升级。升级满一年复核一次：复核时按此前 ${n(growth.windowDays ?? 365)} 天的成长值保留相应等级，复核前等级不会降低。`
          : '按累计成长值定级，达到门槛即时升级；退款扣回成长值后，等级随之调整。',
    },
    {
      key: 'points',
      title: '积分',
      text: `每消费 1 元获得 ${n(points.perYuan)} 积分，再乘以所在等级的积分倍率。线上购物积分在退货期结束后生效：${window}${channelNote}。`,
    },
    {
      key: 'expiry',
      title: '积分有效期',
      text:
        points.expiry.kind === 'end-of-next-year'
          ? '积分在获得的次年 12 月 31 日到期，使用时先扣最早到期的积分。'
          : points.expiry.kind === 'days'
            ? `积分获得后 ${n(points.expiry.days ?? 0)} 天到期，使用时先扣最早到期的积分。`
            : '积分长期有效。',
    },
  ]
  if (reviews.holdUntil) {
    lines.splice(2, 0, {
      key: 'hold',
      title: '过渡期',
      text: `等级规则调整后，${shanghaiDay(reviews.holdUntil)} 前已获得的等级不会降低，届时统一复核。`,
    })
  }
  return lines
}

/** A tier's row: everything for my tier and the entry tier; for the others what they add to the tier below. */
function TierRow({ tier, below, mine }: { tier: TierListItem; below: TierListItem | null; mine: boolean }) {
  const keepsAll = below !== null && tier.includesBelow
  const shown = mine || !keepsAll ? tier.benefits : tier.adds
  return (
    <View
      className={`section tiers__row${mine ? ' tiers__row--mine' : ''}`}
      data-testid='tier-row'
      data-level={tier.level}
      {...(mine ? ({ 'aria-current': 'true' } as Record<string, unknown>) : {})}
    >
      <View className='tiers__head'>
        <View className='tiers__left'>
          <Text className='tiers__name'>{tier.name}</Text>
          <Text className='muted'>{tier.threshold === 0 ? '注册即享' : `成长值 ${n(tier.threshold)} 起`}</Text>
        </View>
        <View className='tiers__right'>
          {mine && (
            <Text className='tiers__badge' data-testid='tier-mine'>
              我的等级
            </Text>
          )}
          <Text className='tiers__multiplier'>{tier.pointsMultiplier} 倍积分</Text>
        </View>
      </View>
      {below && keepsAll && !mine && below.benefits.length > 0 && <Text className='tiers__includes'>含{below.name}全部权益，另享：</Text>}
      {shown.length > 0 ? <BenefitList benefits={shown} testId='tier-benefit' /> : null}
    </View>
  )
}

const KEYBOARD_SCROLLABLE = keyboardScrollable('会员等级与权益')

/** The tier table with each tier's benefits (mine highlighted), and how the program works. Public: no login needed. */
export default function TiersPage() {
  const { data, error, loading, reload } = useApi(getTiers, { public: true })
  // my tier, when logged in (the page works without it)
  const { data: card } = useApi(getCard)
  const myLevel = card?.tier.level ?? null
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(list) => list.tiers.length === 0} emptyText='会员等级还没有设置。'>
      {(list) => (
        <View className='tiers' {...KEYBOARD_SCROLLABLE}>
          <View className='section tiers__rules' data-testid='tier-rules'>
            {rulesText(list.rules).map((line) => (
              <View key={line.key} className='tiers__rule' data-testid={`tier-rule-${line.key}`}>
                <Text className='tiers__rule-title'>{line.title}</Text>
                <Text className='tiers__rule-text'>{line.text}</Text>
              </View>
            ))}
          </View>
          {list.tiers.map((tier, i) => (
            <TierRow key={tier.level} tier={tier} below={i > 0 ? list.tiers[i - 1]! : null} mine={tier.level === myLevel} />
          ))}
        </View>
      )}
    </PageState>
  )
}
