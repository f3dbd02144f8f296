import { Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import type { TierList } from '@member-center/shared'
import { getTiers } from '../../../services/member'
import './index.scss'

/** The tier table: thresholds and points multipliers, and how growth counts. Public: no login needed. */
export default function TiersPage() {
  const [list, setList] = useState<TierList | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    getTiers().then(setList, (e: Error) => setError(e.message))
  }, [])
  if (error) return <View className='section'><Text>加载失败：{error}</Text></View>
  if (!list) return <View className='section'><Text className='muted'>加载中…</Text></View>
  return (
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
  )
}
