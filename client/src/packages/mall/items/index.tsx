import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getMallItems, type MemberMallItem } from '../../../services/mall'
import ItemVisual from '../components/item-visual'
import { KIND_LABEL, points, refusalOf, refusalShort, stockText, yuan } from '../format'
import './index.scss'

type Filter = 'all' | 'affordable'

/** The items on sale and the member's available points (the list carries both). */
async function loadMall() {
  const { items, points } = await getMallItems()
  return { items, available: points }
}

/** aria-pressed for a toggle button: ButtonProps does not list it; H5 passes it through, weapp ignores it. */
const pressed = (on: boolean) => ({ 'aria-pressed': on ? 'true' : 'false' }) as Record<string, unknown>

function ItemCard({ item, available }: { item: MemberMallItem; available: number }) {
  const refusal = refusalOf(item, available)
  const stock = stockText(item.stockLeft)
  const open = () => Taro.navigateTo({ url: `/packages/mall/item/index?id=${encodeURIComponent(item.id)}` })
  return (
    <View className='section mall-item' data-testid='mall-item' data-item-id={item.id} onClick={open}>
      <ItemVisual item={item} />
      <View className='mall-item__body'>
        <Text className='mall-item__kind'>{KIND_LABEL[item.kind]}</Text>
        <Text className='mall-item__name'>{item.name}</Text>
        <View className='mall-item__price'>
          <Text className='mall-item__points'>{points(item.pointsPrice)}</Text>
          <Text className='mall-item__unit'>积分</Text>
          {item.cashFen ? <Text className='mall-item__unit'>+ {yuan(item.cashFen)}</Text> : null}
        </View>
        <View className='mall-item__meta'>
          <Text className='muted'>{stock}</Text>
          {refusal && !(refusal === 'OUT_OF_STOCK' && stock === '已兑完') && (
            <Text className='mall-item__refusal' data-testid='mall-item-refusal'>
              {refusalShort(refusal, item.pointsPrice - available)}
            </Text>
          )}
        </View>
      </View>
      <Text className='mall-item__chevron' aria-hidden='true'>›</Text>
    </View>
  )
}

function MallView() {
  const { data, error, loading, reload } = useApi(loadMall)
  const [filter, setFilter] = useState<Filter>('all')
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(mall) => mall.items.length === 0} emptyText='礼遇正在筹备中，敬请期待。'>
      {({ items, available }) => {
        // what I can have now: within my points, and nothing else in the way (stock, tier, limit, window)
        const affordable = items.filter((item) => refusalOf(item, available) === null)
        const shown = filter === 'all' ? items : affordable
        return (
          <View className='mall'>
            <View className='section mall-header'>
              <View className='mall-header__points'>
                <Text className='muted'>我的可用积分</Text>
                <Text className='mall-header__value' data-testid='mall-points'>
                  {points(available)}
                </Text>
              </View>
              <View className='mall-header__link' data-testid='link-redemptions' onClick={() => Taro.navigateTo({ url: '/packages/mall/history/index' })}>
                <Text>兑换记录</Text>
                <Text className='mall-header__chevron' aria-hidden='true'>›</Text>
              </View>
            </View>

            <View className='mall-filter'>
              <Button
                className='mall-filter__chip'
                variant={filter === 'all' ? 'primary' : 'secondary'}
                data-testid='filter-all'
                {...pressed(filter === 'all')}
                onClick={() => setFilter('all')}
              >
                全部礼遇 {items.length}
              </Button>
              <Button
                className='mall-filter__chip'
                variant={filter === 'affordable' ? 'primary' : 'secondary'}
                data-testid='filter-affordable'
                {...pressed(filter === 'affordable')}
                onClick={() => setFilter('affordable')}
              >
                我可兑换 {affordable.length}
              </Button>
            </View>

            {shown.length === 0 ? (
              <View className='section page-state' data-testid='page-empty'>
                <Text className='page-state__text'>暂时没有你现在就能兑换的礼遇。购物累积积分后再来看看吧。</Text>
                <Button onClick={() => setFilter('all')}>查看全部礼遇</Button>
              </View>
            ) : (
              shown.map((item) => <ItemCard key={item.id} item={item} available={available} />)
            )}
          </View>
        )
      }}
    </PageState>
  )
}

export default function MallItemsPage() {
  return (
    <LoginGate>
      <MallView />
    </LoginGate>
  )
}
