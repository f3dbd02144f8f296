import { Text, View } from '@tarojs/components'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getTiers } from '../../../services/points'
import './index.scss'

/** The tier table: thresholds and points multipliers, and how growth counts. Public: no login needed. */
export default function TiersPage() {
  const { data, error, loading, reload } = useApi(getTiers, { public: true })
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(list) => list.tiers.length === 0} emptyText='会员等级还没有设置。'>
      {(list) => (
        <View className='tiers'>
          <View className='section'>
            <Text className='muted'>
              {list.policy === 'lifetime' ? '成长值累计计算，达到门槛即时升级。' : '按近 12 个月成长值计算，达到门槛即时升级，每年复核一次等级。'}
              每消费 1 元获得 1 成长值；购物积分按等级倍率发放，确认收货 7 天后生效。
            </Text>
          </View>
          {list.tiers.map((tier) => (
            <View key={tier.level} className={`section tiers__row tiers__row--level-${tier.level}`} data-testid='tier-row'>
              <View className='tiers__left'>
                <Text className='tiers__name'>{tier.name}</Text>
                <Text className='muted'>成长值 {tier.threshold.toLocaleString()} 起</Text>
              </View>
              <Text className='tiers__multiplier'>{tier.pointsMultiplier} 倍积分</Text>
            </View>
          ))}
        </View>
      )}
    </PageState>
  )
}
