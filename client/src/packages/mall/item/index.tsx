import Taro, { useRouter } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import { useApi } from '../../../hooks/use-api'
import { getCard } from '../../../services/member'
import { getMallItem, type MemberMallItem } from '../../../services/mall'
import ItemVisual from '../components/item-visual'
import { KIND_LABEL, points, refusalOf, refusalSentence, shanghaiTime, stockText, yuan } from '../format'
import './index.scss'

/** The item's terms, each a short line: the coupon's rules, the limit per member, who may redeem it and until when. */
function terms(item: MemberMallItem): string[] {
  const lines: string[] = []
  if (item.couponRules) lines.push(`券面规则：${item.couponRules}`)
  if (item.perMemberLimit) lines.push(`每位会员限兑 ${item.perMemberLimit} 份${item.redeemedByMe > 0 ? `，你已兑换 ${item.redeemedByMe} 份` : ''}`)
  if (item.tiers) lines.push('限指定会员等级兑换')
  if (item.availableFrom && Date.parse(item.availableFrom) > Date.now()) lines.push(`${shanghaiTime(item.availableFrom)} 开始兑换`)
  if (item.availableTo) lines.push(`兑换截止 ${shanghaiTime(item.availableTo)}`)
  if (item.cashFen) lines.push(`另需支付 ${yuan(item.cashFen)}，由品牌顾问与你联系收取`)
  return lines
}

function ItemView({ id }: { id: string }) {
  const { data, error, loading, reload } = useApi(async () => {
    const [item, card] = await Promise.all([getMallItem(id), getCard()])
    return { item, available: card.points.available }
  })
  return (
    <PageState data={data} error={error} loading={loading} onRetry={reload}>
      {({ item, available }) => {
        const refusal = refusalOf(item, available)
        const lines = terms(item)
        return (
          <View className='mall-detail'>
            <View className='section'>
              <ItemVisual item={item} size='large' />
              <View className='mall-detail__head'>
                <Text className='mall-detail__kind'>{KIND_LABEL[item.kind]}</Text>
                <Text className='mall-detail__name' data-testid='item-name'>
                  {item.name}
                </Text>
                <View className='mall-detail__price'>
                  <Text className='mall-detail__points'>{points(item.pointsPrice)}</Text>
                  <Text className='mall-detail__unit'>积分</Text>
                  {item.cashFen ? <Text className='mall-detail__unit'>+ {yuan(item.cashFen)}</Text> : null}
                </View>
                <Text className='muted'>{stockText(item.stockLeft)}</Text>
              </View>
            </View>

            {item.description ? (
              <View className='section mall-detail__about'>
                <Text className='mall-detail__heading'>{item.kind === 'coupon' ? '礼券介绍' : '礼品介绍'}</Text>
                <Text className='mall-detail__text'>{item.description}</Text>
              </View>
            ) : null}

            <View className='section mall-detail__about'>
              <Text className='mall-detail__heading'>兑换须知</Text>
              {lines.map((line) => (
                <Text key={line} className='mall-detail__text'>
                  {line}
                </Text>
              ))}
              <Text className='mall-detail__text'>
                {item.kind === 'coupon'
                  ? '兑换成功后积分即时扣除，优惠券放入「我的优惠券」，可在线上商城或到店使用。'
                  : '兑换成功后积分即时扣除，礼品将寄往你填写的地址。发货前可在「兑换记录」中取消，积分随即退回。'}
              </Text>
            </View>

            <View className='section mall-detail__action'>
              {refusal ? (
                <Text className='mall-detail__refusal' data-testid='item-refusal' aria-live='polite'>
                  {refusalSentence(refusal, item.pointsPrice - available)}
                </Text>
              ) : (
                <Text className='muted'>
                  可用积分 {points(available)}，兑换后剩余 {points(available - item.pointsPrice)}
                </Text>
              )}
              <Button
                variant='primary'
                data-testid='redeem'
                disabled={refusal !== null}
                onClick={() => Taro.navigateTo({ url: `/packages/mall/confirm/index?id=${encodeURIComponent(item.id)}` })}
              >
                立即兑换
              </Button>
            </View>
          </View>
        )
      }}
    </PageState>
  )
}

export default function MallItemPage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      {params.id ? (
        <ItemView id={params.id} />
      ) : (
        <View className='section page-state' data-testid='page-empty'>
          <Text className='page-state__text'>没有找到这件礼遇，请返回积分商城重新选择。</Text>
        </View>
      )}
    </LoginGate>
  )
}
