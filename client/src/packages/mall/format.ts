import Taro from '@tarojs/taro'
import { messageFor } from '../../services/error-messages'
import type { MemberMallItem, RedeemRefusal } from '../../services/mall'

/** 12,345 */
export const points = (n: number) => n.toLocaleString()

/** ¥99.00 for 9900 fen */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`

/** YYYY-MM-DD of an instant in Shanghai (business time). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

/** YYYY-MM-DD HH:mm of an instant in Shanghai. */
export function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** A few words on an item card for why it cannot be redeemed now. */
export function refusalShort(reason: RedeemRefusal | null | undefined, shortBy: number): string {
  switch (reason) {
    case 'INSUFFICIENT_POINTS':
      return shortBy > 0 ? `还差 ${points(shortBy)} 积分` : '积分不足'
    case 'OUT_OF_STOCK':
      return '已兑完'
    case 'LIMIT_REACHED':
      return '已达兑换上限'
    case 'TIER_NOT_ELIGIBLE':
      return '会员等级未达'
    case 'NOT_AVAILABLE':
      return '暂未开放兑换'
    default:
      return '暂不可兑换'
  }
}

/** The whole sentence for why an item cannot be redeemed (services/error-messages.ts), with the shortfall in points. */
export function refusalSentence(reason: RedeemRefusal | null | undefined, shortBy: number): string {
  if (reason === 'INSUFFICIENT_POINTS' && shortBy > 0) return `可用积分不足，还差 ${points(shortBy)} 积分。`
  return messageFor(reason ?? 'CONFLICT', 409)
}

/** Why this member cannot redeem the item now, or null when they can (the server's mark, and the points they hold). */
export function refusalOf(item: MemberMallItem, available: number): RedeemRefusal | null {
  if (!item.redeemable) return item.reason ?? 'NOT_AVAILABLE'
  if (item.pointsPrice > available) return 'INSUFFICIENT_POINTS'
  return null
}

/** "剩余 12 份", "仅剩 3 份", "已兑完". */
export function stockText(stockLeft: number): string {
  if (stockLeft <= 0) return '已兑完'
  return stockLeft <= 10 ? `仅剩 ${stockLeft} 份` : `剩余 ${stockLeft} 份`
}

export const KIND_LABEL: Record<MemberMallItem['kind'], string> = { coupon: '优惠券', gift: '臻选礼品' }

const ITEMS_PAGE = 'packages/mall/items/index'

/** Back to the item list if it is in the page stack, or open it in place of this page. */
export function backToMall() {
  const pages = Taro.getCurrentPages()
  const index = pages.map((p) => p.route ?? '').findIndex((route) => route.replace(/^\//, '').startsWith(ITEMS_PAGE))
  if (index >= 0 && index < pages.length - 1) void Taro.navigateBack({ delta: pages.length - 1 - index })
  else void Taro.redirectTo({ url: `/${ITEMS_PAGE}` })
}
