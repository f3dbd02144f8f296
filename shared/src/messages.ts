/**
 * The catalogue of messages Member Center sends (DESIGN.md §2 "Care messages", §3 subscribe messages and Official
 * Account templates): each kind's category, the fields it carries, the page it opens, the words the inbox shows, and
 * how its fields map onto a WeChat template's keys by default. WeChat's value types have limits (`thing` ≤ 20
 * characters, `character_string` ≤ 32 without CJK, `phrase` ≤ 5 CJK, …): formatValue fits every value to its type,
 * truncating or reformatting — a value is never left for WeChat to reject.
 */

export const MESSAGE_KINDS = [
  'shipped',
  'logistics_exception',
  'delivered',
  'payment_reminder',
  'points_confirmed',
  'refund_progress',
  'tier_upgrade',
  'tier_keep_reminder',
  'tier_downgrade',
  'points_expiring',
  'coupon_expiring',
  'birthday',
  'member_day',
  'review_invitation',
  'staff_care',
  'campaign',
  'appointment',
] as const
export type MessageKind = (typeof MESSAGE_KINDS)[number]

/** service: about the member's own orders, points and tier (exempt from caps, never marketing); marketing: offers */
export type MessageCategory = 'service' | 'marketing'

/** how a message reached the member: a push channel (SMS for marketing only, when asked), or the inbox alone */
export const MESSAGE_CHANNELS = ['subscribe', 'official_account', 'sms', 'inbox'] as const
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number]

/** WeChat's value types for template keys (a key is its type and a number: thing1, character_string2, …). */
export type WechatValueType = 'thing' | 'character_string' | 'number' | 'letter' | 'phrase' | 'name' | 'amount' | 'time' | 'date' | 'phone_number'

/** The fields a message carries, by name: text, or a number (an amount in fen is named …Fen). */
export type MessageData = Record<string, string | number | null | undefined>

export interface MessageKindDefinition {
  kind: MessageKind
  category: MessageCategory
  /** the title the inbox and the admin view show */
  title: string
  /** the fields the kind carries (staff care may fill only these) */
  fields: readonly string[]
  /** the mini-program page the message opens */
  page: string
  /** the inbox text, from the fields */
  body: (d: MessageData) => string
  /** the default template keys (WeChat type + number) for each field, per push channel; the demo's templates use them */
  keys: Partial<Record<Exclude<MessageChannel, 'inbox'>, Record<string, string>>>
}

const s = (v: unknown) => (v === null || v === undefined ? '' : String(v))
const yuanOf = (fen: unknown) => (typeof fen === 'number' ? `${(fen / 100).toFixed(2)}元` : s(fen))

const DEFINITIONS: MessageKindDefinition[] = [
  {
    kind: 'shipped',
    category: 'service',
    title: '订单已发货',
    fields: ['orderId', 'carrier', 'trackingNo', 'item'],
    page: 'packages/messages/inbox/index',
    body: (d) => `您的订单 ${s(d.orderId)}（${s(d.item)}）已由 ${s(d.carrier)} 发出，运单号 ${s(d.trackingNo)}。`,
    keys: {
      subscribe: { item: 'thing1', carrier: 'thing2', trackingNo: 'character_string3', orderId: 'character_string4' },
      official_account: { item: 'thing1', carrier: 'thing2', trackingNo: 'character_string3' },
    },
  },
  {
    kind: 'logistics_exception',
    category: 'service',
    title: '物流异常提醒',
    fields: ['orderId', 'status', 'description'],
    page: 'packages/messages/inbox/index',
    body: (d) => `您的订单 ${s(d.orderId)} 物流出现异常：${s(d.description) || s(d.status)}。我们正在跟进，如有疑问请联系顾问。`,
    keys: {
      subscribe: { orderId: 'character_string1', description: 'thing2', status: 'phrase3' },
      official_account: { orderId: 'character_string1', description: 'thing2' },
    },
  },
  {
    kind: 'delivered',
    category: 'service',
    title: '订单已签收',
    fields: ['orderId', 'item', 'tips'],
    page: 'packages/messages/inbox/index',
    body: (d) => `您的订单 ${s(d.orderId)}（${s(d.item)}）已签收。${s(d.tips)}`,
    keys: { subscribe: { orderId: 'character_string1', item: 'thing2', tips: 'thing3' }, official_account: { orderId: 'character_string1', item: 'thing2' } },
  },
  {
    kind: 'payment_reminder',
    category: 'service',
    title: '订单待支付',
    fields: ['orderId', 'amountFen', 'item'],
    page: 'packages/messages/inbox/index',
    body: (d) => `您的订单 ${s(d.orderId)}（${s(d.item)}）尚未支付，金额 ${yuanOf(d.amountFen)}，请尽快完成支付。`,
    keys: { subscribe: { orderId: 'character_string1', amountFen: 'amount2', item: 'thing3' } },
  },
  {
    kind: 'points_confirmed',
    category: 'service',
    title: '积分已到账',
    fields: ['points', 'orderId', 'balance'],
    page: 'packages/points/history/index',
    body: (d) => `订单 ${s(d.orderId)} 的 ${s(d.points)} 积分已生效，当前可用积分 ${s(d.balance)}。`,
    keys: { subscribe: { points: 'number1', orderId: 'character_string2', balance: 'number3' }, official_account: { points: 'number1', balance: 'number2' } },
  },
  {
    kind: 'refund_progress',
    category: 'service',
    title: '退款进度',
    fields: ['orderId', 'amountFen', 'pointsTaken', 'status'],
    page: 'packages/points/history/index',
    body: (d) => `订单 ${s(d.orderId)} 退款 ${yuanOf(d.amountFen)} ${s(d.status) || '已受理'}${d.pointsTaken ? `，相应扣回 ${s(d.pointsTaken)} 积分` : ''}。`,
    keys: { subscribe: { orderId: 'character_string1', amountFen: 'amount2', status: 'phrase3', pointsTaken: 'number4' }, official_account: { orderId: 'character_string1', amountFen: 'amount2' } },
  },
  {
    kind: 'tier_upgrade',
    category: 'service',
    title: '会员等级升级',
    fields: ['tierName', 'benefits'],
    page: 'packages/points/tiers/index',
    body: (d) => `恭喜您升级为 ${s(d.tierName)}！新增权益：${s(d.benefits) || '详见会员权益页'}。`,
    keys: { subscribe: { tierName: 'thing1', benefits: 'thing2' }, official_account: { tierName: 'thing1', benefits: 'thing2' } },
  },
  {
    kind: 'tier_keep_reminder',
    category: 'service',
    title: '等级保级提醒',
    fields: ['tierName', 'reviewDate', 'growthNeeded'],
    page: 'packages/points/tiers/index',
    body: (d) => `您的 ${s(d.tierName)} 将于 ${s(d.reviewDate)} 复核，再获得 ${s(d.growthNeeded)} 成长值即可保级。`,
    keys: { subscribe: { tierName: 'thing1', reviewDate: 'date2', growthNeeded: 'number3' } },
  },
  {
    kind: 'tier_downgrade',
    category: 'service',
    title: '会员等级变更',
    fields: ['tierName', 'reason'],
    page: 'packages/points/tiers/index',
    body: (d) => `您的会员等级已调整为 ${s(d.tierName)}。${s(d.reason)}`,
    keys: { subscribe: { tierName: 'thing1', reason: 'thing2' } },
  },
  {
    kind: 'points_expiring',
    category: 'service',
    title: '积分即将过期',
    fields: ['points', 'expiresOn'],
    page: 'packages/mall/items/index',
    body: (d) => `您有 ${s(d.points)} 积分将于 ${s(d.expiresOn)} 过期，可在积分商城兑换礼品。`,
    keys: { subscribe: { points: 'number1', expiresOn: 'date2' }, official_account: { points: 'number1', expiresOn: 'date2' } },
  },
  {
    kind: 'coupon_expiring',
    category: 'service',
    title: '优惠券即将过期',
    fields: ['couponName', 'expiresOn'],
    page: 'packages/coupons/wallet/index',
    body: (d) => `您的优惠券「${s(d.couponName)}」将于 ${s(d.expiresOn)} 过期，请尽快使用。`,
    keys: { subscribe: { couponName: 'thing1', expiresOn: 'date2' } },
  },
  {
    kind: 'birthday',
    category: 'marketing',
    title: '生日礼遇',
    fields: ['gift', 'validUntil'],
    page: 'packages/programs/birthday/index',
    body: (d) => `生日快乐！您的生日礼遇「${s(d.gift)}」已送达，有效期至 ${s(d.validUntil)}。`,
    keys: { subscribe: { gift: 'thing1', validUntil: 'date2' } },
  },
  {
    kind: 'member_day',
    category: 'marketing',
    title: '会员日提醒',
    fields: ['date', 'offer'],
    page: 'packages/programs/member-day/index',
    body: (d) => `${s(d.date)} 是会员日：${s(d.offer)}。`,
    keys: { subscribe: { date: 'date1', offer: 'thing2' } },
  },
  {
    kind: 'review_invitation',
    category: 'marketing',
    title: '晒单邀请',
    fields: ['item', 'reward'],
    page: 'packages/reviews/index/index',
    // an invitation to an honest review with photos: it never asks for a good rating, and the reward does not depend on it
    body: (d) => `您购买的 ${s(d.item)} 已签收。欢迎在小程序写下真实评价并晒图，审核通过可获 ${s(d.reward)}，与评分无关。`,
    keys: { subscribe: { item: 'thing1', reward: 'thing2' } },
  },
  {
    kind: 'staff_care',
    category: 'service',
    title: '专属顾问关怀',
    fields: ['advisor', 'content'],
    page: 'pages/me/index',
    body: (d) => `${s(d.advisor)}：${s(d.content)}`,
    keys: { subscribe: { advisor: 'name1', content: 'thing2' }, official_account: { advisor: 'thing1', content: 'thing2' } },
  },
  {
    kind: 'campaign',
    category: 'marketing',
    title: '品牌活动',
    fields: ['title', 'content'],
    page: 'pages/card/index',
    body: (d) => `${s(d.title)}：${s(d.content)}`,
    keys: { subscribe: { title: 'thing1', content: 'thing2' } },
  },
  {
    // a store visit booked, confirmed, moved or cancelled (issue 12): `time` is the visit's start (an instant),
    // `status` a short word (已提交, 已确认, 已改期, 已取消), `note` what to know (the reason of a cancellation)
    kind: 'appointment',
    category: 'service',
    title: '预约提醒',
    fields: ['store', 'time', 'purpose', 'status', 'note'],
    page: 'packages/appointments/mine/index',
    body: (d) => `您在 ${s(d.store)} 的${s(d.purpose)}预约（${(d.time !== null && d.time !== undefined && formatWhen(d.time, true)) || s(d.time)}）${s(d.status)}。${s(d.note)}`,
    keys: {
      subscribe: { store: 'thing1', time: 'time2', purpose: 'thing3', status: 'phrase4', note: 'thing5' },
      official_account: { store: 'thing1', time: 'time2', status: 'thing3' },
    },
  },
]

export const MESSAGE_CATALOGUE: Readonly<Record<MessageKind, MessageKindDefinition>> = Object.fromEntries(DEFINITIONS.map((d) => [d.kind, d])) as Record<
  MessageKind,
  MessageKindDefinition
>

/** The WeChat value type of a template key: its letters before the number (thing1 → thing, character_string2 → character_string). */
export function valueTypeOf(key: string): WechatValueType | null {
  const type = key.replace(/\d+$/, '')
  const known: readonly string[] = ['thing', 'character_string', 'number', 'letter', 'phrase', 'name', 'amount', 'time', 'date', 'phone_number']
  return known.includes(type) ? (type as WechatValueType) : null
}

/** The most characters (code points) each type takes; time, date and amount have formats instead. */
export const VALUE_LIMITS: Record<WechatValueType, number> = {
  thing: 20,
  character_string: 32,
  number: 32,
  letter: 32,
  phrase: 5,
  name: 10,
  amount: 32,
  time: 32,
  date: 32,
  phone_number: 17,
}

/** Cuts to `max` code points (an emoji is one, not two UTF-16 units), with … when something was cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text]
  if (chars.length <= max) return text
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…'
}

const SHANGHAI_MS = 8 * 3_600_000

function shanghaiParts(at: Date): { y: number; m: number; d: number; hh: string; mm: string } {
  const x = new Date(at.getTime() + SHANGHAI_MS)
  return { y: x.getUTCFullYear(), m: x.getUTCMonth() + 1, d: x.getUTCDate(), hh: String(x.getUTCHours()).padStart(2, '0'), mm: String(x.getUTCMinutes()).padStart(2, '0') }
}

/** A date for a `date` value: 2026年11月23日 (Shanghai); a time for `time`: 2026年11月23日 15:01. */
function formatWhen(value: string | number, withTime: boolean): string {
  const at = typeof value === 'number' ? new Date(value) : /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00+08:00`) : new Date(value)
  if (Number.isNaN(at.getTime())) return ''
  const p = shanghaiParts(at)
  return `${p.y}年${p.m}月${p.d}日${withTime ? ` ${p.hh}:${p.mm}` : ''}`
}

/**
 * A value fitted to its WeChat type: no newlines anywhere; `thing` and `name` cut to their length; `character_string`
 * and `letter` keep printable ASCII only; `number` digits and a point; `phrase` CJK only, at most 5 (a value with no
 * CJK left becomes a fitting word: 已处理); `amount` yuan with two decimals from fen (…Fen fields) or as given;
 * `date` and `time` in Shanghai (a value that names no time: `fallbackTime`, the message's). Never empty for WeChat:
 * an empty value becomes a dash (or 0 for numbers).
 */
export function formatValue(type: WechatValueType, raw: string | number | null | undefined, field = '', fallbackTime: Date = new Date()): string {
  const text = (raw === null || raw === undefined ? '' : String(raw)).replace(/[\r\n\t]+/g, ' ').trim()
  switch (type) {
    case 'thing':
    case 'name':
      return truncate(text, VALUE_LIMITS[type]) || '-'
    case 'character_string':
    case 'letter': {
      const ascii = text.replace(/[^\x21-\x7e]/g, '')
      return ascii.slice(0, VALUE_LIMITS[type]) || '-'
    }
    case 'number': {
      const digits = text.replace(/[^\d.]/g, '')
      return digits.slice(0, VALUE_LIMITS.number) || '0'
    }
    case 'phrase': {
      const cjk = text.replace(/[^\u4e00-\u9fa5]/g, '')
      return [...cjk].slice(0, VALUE_LIMITS.phrase).join('') || '已处理'
    }
    case 'amount': {
      const fen = field.endsWith('Fen') && typeof raw === 'number' ? raw : Math.round(Number(text.replace(/[^\d.]/g, '')) * 100)
      return Number.isFinite(fen) ? `${(fen / 100).toFixed(2)}元` : '0.00元'
    }
    case 'date':
      return formatWhen(raw ?? '', false) || formatWhen(fallbackTime.getTime(), false)
    case 'time':
      return formatWhen(raw ?? '', true) || formatWhen(fallbackTime.getTime(), true)
    case 'phone_number':
      return text.replace(/[^\d+-]/g, '').slice(0, VALUE_LIMITS.phone_number) || '-'
  }
}

/**
 * A message's fields as a template's `data` for a push channel: each template key's value comes from its field,
 * fitted to the key's type (formatValue; `at`, the message's time, for a date that names none). `keys` maps fields to template keys (the operator's mapping, or the
 * catalogue's default). A key of a type WeChat does not have is sent as a `thing`.
 */
export function templateData(data: MessageData, keys: Record<string, string>, at: Date = new Date()): Record<string, { value: string }> {
  const out: Record<string, { value: string }> = {}
  for (const [field, key] of Object.entries(keys)) out[key] = { value: formatValue(valueTypeOf(key) ?? 'thing', data[field], field, at) }
  return out
}
