import { MESSAGE_CATALOGUE, MESSAGE_KINDS, nextMemberDayDate, type MemberRef, type MessageKind, type ShopEvent } from '@member-center/shared'
import type { FastifyInstance } from 'fastify'
import { sandboxOpenid, sandboxUnionid } from './wechat-sandbox/users.js'

/**
 * The demo's members and their history. Alice, Bob and Carol are members with 14 months of orders behind them; Dave
 * is left out and joins on his first login, as a new member would. Their history is written the way a shop writes
 * it: signed-webhook events (paid, shipped, logistics updates, delivered, a partial refund) through the same shop
 * event service, so points, growth, tiers, confirmations and expiry all come from the real rules, and
 * `npm run reconcile` holds for the demo. Times are relative to the clock, so the demo looks current whenever it
 * is started. Seeding runs once per database (a settings marker); every event has a fixed id, so even a seed
 * interrupted half-way and run again applies nothing twice.
 */

interface DemoLine {
  sku: string
  name: string
  yuan: number
  /** the product category coupon scopes, review campaigns and segments select by */
  category?: string
}

interface DemoOrder {
  /** days before now that it was paid */
  paidDaysAgo: number
  lines: DemoLine[]
  channel?: string
  /** days after payment: shipped, then delivered (a missing delivery leaves the order in transit) */
  shippedAfter?: number
  deliveredAfter?: number
  logistics?: { afterDays: number; status: string; description: string }[]
  refund?: { afterDays: number; lineIndex: number; yuan: number }
}

interface DemoMember {
  user: string
  nickname: string
  birthday: string | null
  /** instead of a fixed birthday: one this many days after the seed (Shanghai), set a year before */
  birthdayInDays?: number
  phone: string | null
  /** how the shop names this member in its events */
  ref: 'unionid' | 'phone' | 'memberId'
  orders: DemoOrder[]
}

const RING: DemoLine = { sku: 'RING-18K-001', name: '18K 金钻石戒指', yuan: 3_299, category: 'ring' }
const NECKLACE: DemoLine = { sku: 'NECK-PT-002', name: '铂金锁骨链', yuan: 2_680, category: 'necklace' }
const EARRINGS: DemoLine = { sku: 'EAR-AU-003', name: '足金耳钉', yuan: 1_280, category: 'earring' }
const BRACELET: DemoLine = { sku: 'BRAC-AU-004', name: '古法金手镯', yuan: 1_580, category: 'bracelet' }
const PENDANT: DemoLine = { sku: 'PEND-JD-005', name: '翡翠平安扣吊坠', yuan: 2_199, category: 'pendant' }
const BROOCH: DemoLine = { sku: 'BRO-PRL-006', name: '珍珠胸针', yuan: 899, category: 'brooch' }
const STUDS: DemoLine = { sku: 'EAR-DM-007', name: '钻石耳钉', yuan: 1_299, category: 'earring' }
const CHARM: DemoLine = { sku: 'CHM-AU-008', name: '足金转运珠', yuan: 520, category: 'charm' }

const shipped = { shippedAfter: 1, deliveredAfter: 3 }

export const DEMO_MEMBERS: readonly DemoMember[] = [
  {
    user: 'alice',
    nickname: 'Alice',
    birthday: '06-18',
    phone: '13800138000',
    ref: 'unionid',
    orders: [
      { paidDaysAgo: 425, lines: [RING], ...shipped, logistics: [{ afterDays: 2, status: 'in_transit', description: '快件已到达【上海转运中心】' }] },
      { paidDaysAgo: 365, lines: [NECKLACE, EARRINGS], ...shipped },
      { paidDaysAgo: 270, lines: [BRACELET], channel: 'tmall', ...shipped },
      {
        paidDaysAgo: 180,
        lines: [PENDANT, CHARM],
        ...shipped,
        // the charm came back: refunded inside the return window, so its pending points are cancelled
        refund: { afterDays: 5, lineIndex: 1, yuan: 520 },
      },
      { paidDaysAgo: 90, lines: [BROOCH], channel: 'store', shippedAfter: 0, deliveredAfter: 0 },
      { paidDaysAgo: 20, lines: [STUDS], shippedAfter: 1, deliveredAfter: 5, logistics: [{ afterDays: 3, status: 'exception', description: '派送延误：收件人不在，已改约次日派送' }] },
      // still inside its return window: pending points that confirm a week after delivery
      { paidDaysAgo: 4, lines: [CHARM], shippedAfter: 1, deliveredAfter: 3 },
    ],
  },
  {
    user: 'bob',
    nickname: 'Bob',
    birthday: null,
    phone: null,
    ref: 'memberId',
    orders: [
      { paidDaysAgo: 200, lines: [EARRINGS], ...shipped },
      { paidDaysAgo: 2, lines: [CHARM], shippedAfter: 1 },
    ],
  },
  {
    user: 'carol',
    nickname: 'Carol',
    birthday: '02-29',
    phone: '13900139000',
    ref: 'phone',
    orders: [
      { paidDaysAgo: 400, lines: [{ sku: 'SET-DM-101', name: '钻石婚戒对戒', yuan: 36_800 }], ...shipped },
      // bought at the counter of SH-01 (her home store): the manager's KPIs count her there
      { paidDaysAgo: 230, lines: [{ sku: 'NECK-DM-102', name: '钻石项链', yuan: 28_600 }], channel: 'store', shippedAfter: 0, deliveredAfter: 0 },
      { paidDaysAgo: 60, lines: [{ sku: 'BRAC-DM-103', name: '钻石手链', yuan: 18_900 }, BROOCH], channel: 'store', shippedAfter: 0, deliveredAfter: 0 },
      { paidDaysAgo: 3, lines: [NECKLACE], shippedAfter: 1, deliveredAfter: 2 },
    ],
  },
  {
    // her birthday is in two days and was set a year ago: the birthday gift is waiting when the demo starts
    user: 'erin',
    nickname: 'Erin',
    birthday: null,
    birthdayInDays: 2,
    phone: null,
    ref: 'unionid',
    orders: [
      { paidDaysAgo: 300, lines: [EARRINGS, CHARM], channel: 'store', shippedAfter: 0, deliveredAfter: 0 },
      { paidDaysAgo: 45, lines: [BRACELET], channel: 'store', shippedAfter: 0, deliveredAfter: 0 },
    ],
  },
]

const MARKER = 'demo-seed'
const COUPON_MARKER = 'demo-seed-coupons'
const MALL_MARKER = 'demo-seed-mall'
const REVIEW_MARKER = 'demo-seed-reviews'
const MEMBER_DAY_MARKER = 'demo-seed-member-day'
const BIRTHDAY_MARKER = 'demo-seed-birthday'
const STAFF_MARKER = 'demo-seed-staff'
const OUTREACH_MARKER = 'demo-seed-outreach'
const DAY = 86_400_000
const CARRIERS = ['SF', 'JD', 'ZTO'] as const

/** Seeds the demo members once per database; answers how many it seeded (0 when already seeded). */
export async function seedDemo(app: FastifyInstance, appid: string): Promise<number> {
  if (await app.settings.get(MARKER)) {
    // a database seeded before coupons, the mall and messages existed gets them now (each step runs once)
    await seedCoupons(app, appid)
    await seedMall(app)
    await seedMessageTemplates(app)
    await seedMemberDay(app)
    await seedBirthday(app)
    await seedStaff(app, appid)
    await seedReviewCampaign(app)
    await seedOutreach(app)
    return 0
  }
  const now = app.now().getTime()
  // the photo-review campaign first: the orders delivered below are invited to it as they would be live
  await seedReviewCampaign(app)
  for (const demo of DEMO_MEMBERS) {
    const { member } = await app.members.repo.upsertByWechat({ openid: sandboxOpenid(appid, demo.user), unionid: sandboxUnionid(demo.user) }, new Date(now))
    const birthday = demo.birthdayInDays === undefined ? demo.birthday : new Date(now + 8 * 3_600_000 + demo.birthdayInDays * DAY).toISOString().slice(5, 10)
    await app.members.repo.updateProfile(member._id, { nickname: demo.nickname, birthday, birthdaySetAt: birthday ? new Date(now - 365 * DAY) : null })
    // through WeChat's getPhoneNumber exchange, as the member would (the sandbox plays WeChat)
    if (demo.phone) await app.members.phone.bind(member._id.toString(), `phone-${demo.phone}`)
    const ref: MemberRef =
      demo.ref === 'unionid' ? { unionid: sandboxUnionid(demo.user) } : demo.ref === 'phone' ? { phone: demo.phone! } : { memberId: member._id.toString() }
    // oldest first, each order's confirmation before the next payment: later orders earn at the tier reached by then
    for (const [index, order] of demo.orders.entries()) {
      const results = await app.shopEvents.acceptMany(orderEvents(demo.user, index, order, ref, now))
      const rejected = results.filter((r) => r.status === 'rejected')
      if (rejected.length > 0) throw new Error(`demo seed: ${JSON.stringify(rejected[0])}`)
      await app.shopEvents.idle()
      await app.jobs.drain()
    }
  }
  await app.settings.put(MARKER, { at: new Date(now).toISOString() }, 'demo seed')
  await seedCoupons(app, appid)
  await seedMall(app)
  await seedMessageTemplates(app)
  await seedMemberDay(app)
  await seedBirthday(app)
  await seedStaff(app, appid)
  await seedOutreach(app)
  return DEMO_MEMBERS.length
}

/**
 * A photo-review campaign (once per database): earrings and charms paid in the last 60 days, 200 points for an
 * honest review with a photo, whatever its rating. Alice's diamond studs are delivered and not reviewed yet.
 */
async function seedReviewCampaign(app: FastifyInstance): Promise<void> {
  if (await app.settings.get(REVIEW_MARKER)) return
  const now = app.now().getTime()
  await app.reviews.campaigns.create(
    {
      name: '晒单有礼',
      products: { skus: [], categories: ['earring', 'charm'] },
      purchaseWindow: { from: new Date(now - 60 * DAY).toISOString(), to: new Date(now + 30 * DAY).toISOString() },
      inviteAfterDays: 3,
      minPhotos: 1,
      minTextLength: 10,
      reward: { points: 200 },
      budget: 500,
      endsAt: new Date(now + 30 * DAY).toISOString(),
    },
    { actor: 'demo seed', role: 'admin' },
  )
  await app.settings.put(REVIEW_MARKER, { at: new Date(now).toISOString() }, 'demo seed')
}

/** A stocked points mall: coupons to redeem and a few gifts a jewelry brand gives (once per database). */
async function seedMall(app: FastifyInstance): Promise<void> {
  if (await app.settings.get(MALL_MARKER)) return
  const by = { actor: 'demo seed', role: 'admin' }
  const coupon = async (template: Parameters<FastifyInstance['coupons']['templates']['create']>[0]) => (await app.coupons.templates.create(template, by)).id
  const cash50 = await coupon({ name: '50 元礼券', kind: 'amount', amountFen: 5_000, thresholdFen: 50_000, validity: { days: 30 }, notes: '满 500 元可用，线上线下通用' })
  const cash200 = await coupon({ name: '臻享礼券 满 2000 减 200', kind: 'amount', amountFen: 20_000, thresholdFen: 200_000, validity: { days: 60 }, notes: '不与其他优惠同享' })
  const engraving = await coupon({ name: '免费刻字服务券', kind: 'amount', amountFen: 30_000, thresholdFen: 0, validity: { days: 90 }, notes: '到店出示券码，为您的饰品免费刻字一次' })
  const items = [
    { kind: 'coupon', name: '50 元礼券', description: '满 500 元可用，线上线下通用。', pointsPrice: 500, stock: 500, couponTemplateId: cash50, perMemberLimit: 3 },
    { kind: 'coupon', name: '臻享礼券 满 2000 减 200', description: '高级珠宝系列亦可使用，不与其他优惠同享。', pointsPrice: 1_800, stock: 200, couponTemplateId: cash200, perMemberLimit: 2 },
    { kind: 'coupon', name: '免费刻字服务券', description: '在戒指内圈或吊坠背面刻下纪念日与名字。', pointsPrice: 800, stock: 100, couponTemplateId: engraving },
    { kind: 'gift', name: '淡水珍珠耳钉礼盒', description: '7–8mm 淡水珍珠，925 银镀金耳针，附品牌礼盒。', pointsPrice: 3_000, stock: 50, perMemberLimit: 1 },
    { kind: 'gift', name: '首饰清洁护理套装', description: '专业清洁液、抛光布与收纳袋，日常保养好帮手。', pointsPrice: 1_200, stock: 120 },
    { kind: 'gift', name: '18K 金钻石吊坠', description: '0.1 克拉钻石，18K 金链 45cm，仅限铂金及以上会员兑换。', pointsPrice: 80_000, stock: 5, tiers: ['S4', 'S5', 'S6'], perMemberLimit: 1 },
  ] as const
  for (const item of items) await app.mall.items.create(item as never, by)
  await app.settings.put(MALL_MARKER, { at: app.now().toISOString() }, 'demo seed')
}

/**
 * The member day (once per database): the 18th of each month, double points, a coupon for every tier (a better one
 * from gold up) issued when the member opens the mini-program that day, the reminder at 10:00 the day before, and the
 * next member day planned — a theme and member prices.
 */
async function seedMemberDay(app: FastifyInstance): Promise<void> {
  if (await app.settings.get(MEMBER_DAY_MARKER)) return
  const by = { actor: 'demo seed', role: 'admin' }
  const template = async (t: Parameters<FastifyInstance['coupons']['templates']['create']>[0]) => (await app.coupons.templates.create(t, by)).id
  const everyone = await template({ name: '会员日 满 1000 减 80', kind: 'amount', amountFen: 8_000, thresholdFen: 100_000, validity: { days: 3 }, notes: '会员日起 3 天内有效' })
  const gold = await template({ name: '会员日 满 3000 减 300', kind: 'amount', amountFen: 30_000, thresholdFen: 300_000, validity: { days: 3 }, notes: '金卡及以上会员专享，会员日起 3 天内有效' })
  const tiers = await app.tierTable.current()
  await app.memberDay.settings.replace(
    {
      enabled: true,
      days: [18],
      issueMode: 'on-open',
      multiplier: 2,
      tierCoupons: tiers.map((t) => ({ tier: t.code, couponTemplateIds: t.level >= 2 ? [gold] : [everyone] })),
      reminder: { enabled: true, hour: 10 },
    },
    by,
  )
  const today = new Date(app.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
  const next = nextMemberDayDate(today, [18])
  if (next) {
    await app.memberDay.plans.put(
      next,
      {
        theme: { title: '冬日珍藏 会员专享', banner: null, description: '会员日当天购物积分翻倍，珍珠与古法金饰会员价限时一天。' },
        memberPrices: [
          { sku: 'EAR-PRL-201', name: '淡水珍珠耳钉', priceFen: 129_900, memberPriceFen: 99_900 },
          { sku: 'BRAC-AU-004', name: '古法金手镯', priceFen: 158_000, memberPriceFen: 142_000 },
          { sku: 'CHM-AU-008', name: '足金转运珠', priceFen: 52_000, memberPriceFen: 46_800 },
        ],
      },
      by,
    )
  }
  await app.settings.put(MEMBER_DAY_MARKER, { at: app.now().toISOString() }, 'demo seed')
}

/**
 * The birthday program (once per database): a gift per tier three days before — a coupon valid through the birthday
 * month and birthday points, more from gold up — and double points in the birthday month. The day's run issues the
 * gifts due now (erin's).
 */
async function seedBirthday(app: FastifyInstance): Promise<void> {
  if (await app.settings.get(BIRTHDAY_MARKER)) return
  const by = { actor: 'demo seed', role: 'admin' }
  const template = async (t: Parameters<FastifyInstance['coupons']['templates']['create']>[0]) => (await app.coupons.templates.create(t, by)).id
  const basic = await template({ name: '生日礼券 满 500 减 100', kind: 'amount', amountFen: 10_000, thresholdFen: 50_000, validity: { days: 30 }, notes: '生日当月有效，线上线下通用' })
  const gold = await template({ name: '生日臻礼 满 2000 减 300', kind: 'amount', amountFen: 30_000, thresholdFen: 200_000, validity: { days: 30 }, notes: '生日当月有效，线上线下通用' })
  const engraving = await template({ name: '生日免费刻字券', kind: 'amount', amountFen: 30_000, thresholdFen: 0, validity: { days: 30 }, notes: '到店出示券码，免费刻字一次' })
  const tiers = await app.tierTable.current()
  await app.birthday.settings.replace(
    {
      enabled: true,
      daysBefore: 3,
      couponsValidThroughMonthEnd: true,
      gifts: tiers.map((t) => (t.level >= 2 ? { tier: t.code, couponTemplateIds: [gold, engraving], points: 500 } : { tier: t.code, couponTemplateIds: [basic], points: 100 })),
      monthMultiplier: 2,
    },
    by,
  )
  await app.birthday.gifts.runDaily()
  await app.settings.put(BIRTHDAY_MARKER, { at: app.now().toISOString() }, 'demo seed')
}

/** The demo's stores: the flagship, where sam and mia work, and one more. */
const DEMO_STORES = [
  { code: 'SH-01', name: '上海南京西路店', address: '上海市静安区南京西路 1266 号', phone: '021-6288 0001' },
  { code: 'BJ-01', name: '北京国贸店', address: '北京市朝阳区建国门外大街 1 号', phone: '010-6505 0001' },
] as const

/**
 * The stores and their staff (once per database): sam (staff) and mia (manager) of SH-01, bound to their sandbox
 * WeChat identities as if they had redeemed their invitations, and an appointment of alice's at SH-01 so the Staff
 * tab has one to confirm.
 */
async function seedStaff(app: FastifyInstance, appid: string): Promise<void> {
  if (await app.settings.get(STAFF_MARKER)) return
  const by = { actor: 'demo seed', role: 'admin' }
  for (const store of DEMO_STORES) {
    await app.stores.put(
      store.code,
      { ...store, hours: { open: '10:00', close: '21:00' }, slotMinutes: 60, capacity: 3, priorityCapacity: 1, bookingDays: 14, purposes: ['cleaning', 'resizing', 'custom', 'viewing'], status: 'open' },
      { ...by, name: 'demo seed', store: null },
    )
  }
  for (const [user, name, role, store] of [['sam', 'Sam 孙', 'staff', 'SH-01'], ['mia', 'Mia 马', 'manager', 'SH-01'], ['olivia', 'Olivia 欧', 'admin', null]] as const) {
    const { staff } = await app.staff.records.create({ name, role, store }, by)
    await app.staff.records.bind(staff.id, { openid: sandboxOpenid(appid, user), unionid: sandboxUnionid(user) }, by)
  }
  // alice's next visit at SH-01 (open 10:00–21:00): two whole hours from now if the store is open then, else 11:00
  // the next day it is (the Staff tab shows it among today's tasks on the day)
  const alice = await app.members.repo.findByRefKey(`openid:${sandboxOpenid(appid, 'alice')}`)
  if (alice) {
    const now = app.now().getTime()
    const candidate = now - (now % 3_600_000) + 2 * 3_600_000
    const hour = new Date(candidate + 8 * 3_600_000).getUTCHours()
    const day = (offset: number) => new Date(candidate + 8 * 3_600_000 + offset * DAY).toISOString().slice(0, 10)
    const start = hour >= 10 && hour <= 20 ? new Date(candidate) : new Date(`${hour < 10 ? day(0) : day(1)}T11:00:00+08:00`)
    await app.appointments.book.book(alice._id.toString(), { store: 'SH-01', start: start.toISOString(), purpose: 'cleaning', note: '婚戒清洗保养', idempotencyKey: 'demo-alice-visit-1' })
  }
  await app.settings.put(STAFF_MARKER, { at: app.now().toISOString() }, 'demo seed')
}

/**
 * A segment and an outreach (once per database): every member who bought, reached 30 days ago with a care message and
 * a holdout of 20%, so the admin's 触达复盘 page has a review to show (the demo's members are few: its figures are
 * small and its interval wide, as the review says).
 */
async function seedOutreach(app: FastifyInstance): Promise<void> {
  if (await app.settings.get(OUTREACH_MARKER)) return
  const by = { actor: 'demo seed', role: 'admin' }
  const segment = await app.insights.segments.create({ name: '有购买的会员', description: '演示：买过东西的会员', filter: { purchases12m: { min: 1 } } }, by)
  const outreach = await app.insights.outreach.create(
    {
      name: '老客关怀',
      audience: { segmentId: segment.id },
      steps: [{ label: '关怀', afterDays: 0, title: '好久不见', content: '新款首饰已到店，欢迎来看看；保养清洗一直免费。' }],
      startAt: new Date(app.now().getTime() - 30 * DAY).toISOString(),
      holdoutShare: 0.2,
      attributionDays: 14,
    },
    by,
  )
  await app.insights.outreach.launch(outreach.id, by)
  await app.jobs.drain()
  await app.settings.put(OUTREACH_MARKER, { at: app.now().toISOString() }, 'demo seed')
}

/**
 * Every message kind mapped to a template, so the demo's messages work out of the box: a subscribe template for each
 * kind and an Official Account template for each service kind (the sandbox takes any template id; a real app maps
 * its own with PUT /api/admin/message-templates/{kind}/{channel}).
 */
export async function seedMessageTemplates(app: FastifyInstance): Promise<void> {
  const mapped = await app.messaging.mappings.all()
  for (const kind of MESSAGE_KINDS) {
    const def = MESSAGE_CATALOGUE[kind]
    if (!mapped.some((m) => m.kind === kind && m.channel === 'subscribe')) {
      await app.messaging.mappings.set(kind, 'subscribe', { templateId: demoTemplateId(kind, 'subscribe') }, { actor: 'demo seed', role: 'admin' })
    }
    if (def.category === 'service' && def.keys.official_account && !mapped.some((m) => m.kind === kind && m.channel === 'official_account')) {
      await app.messaging.mappings.set(kind, 'official_account', { templateId: demoTemplateId(kind, 'official_account') }, { actor: 'demo seed', role: 'admin' })
    }
  }
}

/** The demo's template id of a kind on a channel (the sandbox's demo templates). */
export function demoTemplateId(kind: MessageKind, channel: 'subscribe' | 'official_account'): string {
  return `${channel === 'subscribe' ? 'demo-sub' : 'demo-oa'}-${kind.replace(/_/g, '-')}`
}

/** The demo's coupon templates (a jewelry brand's usual set). */
const DEMO_TEMPLATES = [
  { key: 'welcome', name: '新客礼遇 满 1000 减 100', kind: 'amount', amountFen: 10_000, thresholdFen: 100_000, validity: { days: 30 }, notes: '线上线下通用，不与其他优惠同享' },
  { key: 'diamond', name: '钻石饰品 9 折券', kind: 'percent', percentOff: 10, capFen: 100_000, thresholdFen: 300_000, scope: { kind: 'categories', categories: ['ring', 'earring'] }, validity: { days: 60 }, perMemberLimit: 2, notes: '限钻石戒指与耳饰，最多减 1000 元' },
  { key: 'care', name: '免费清洗保养券', kind: 'amount', amountFen: 20_000, thresholdFen: 0, validity: { days: 90 }, notes: '到店出示券码，门店专业清洗保养一次' },
] as const

/**
 * Every demo member gets a few coupons (Alice has used one at the counter already), once per database: the issues
 * have fixed business keys, so a seed run again issues nothing new.
 */
async function seedCoupons(app: FastifyInstance, appid: string): Promise<void> {
  if (await app.settings.get(COUPON_MARKER)) return
  const templates = new Map<string, string>()
  for (const { key, ...template } of DEMO_TEMPLATES) {
    const created = await app.coupons.templates.create(template as never, { actor: 'demo seed', role: 'admin' })
    templates.set(key, created.id)
  }
  for (const demo of DEMO_MEMBERS) {
    const member = await app.members.repo.findByRefKey(`openid:${sandboxOpenid(appid, demo.user)}`)
    if (!member) continue
    for (const key of ['welcome', 'care', ...(demo.user === 'dave' ? [] : ['diamond'])]) {
      await app.coupons.issue({ templateId: templates.get(key)!, memberId: member._id, key: `demo:${demo.user}:${key}`, source: 'campaign' })
    }
    if (demo.user === 'alice') {
      const care = await app.coupons.issue({ templateId: templates.get('care')!, memberId: member._id, key: `demo:${demo.user}:care`, source: 'campaign' })
      await app.coupons.usage.useInStore(care.coupon.code, { memberId: member._id.toString(), store: 'SH-01' }, { actor: 'demo-staff', role: 'staff' })
    }
  }
  await app.settings.put(COUPON_MARKER, { at: app.now().toISOString() }, 'demo seed')
}

/** One order's events as the shop would send them, with fixed ids (a re-run is all duplicates). */
function orderEvents(user: string, index: number, order: DemoOrder, member: MemberRef, now: number): ShopEvent[] {
  const orderId = `DEMO-${user.toUpperCase()}-${String(index + 1).padStart(3, '0')}`
  const paidAt = now - order.paidDaysAgo * DAY + (index % 5) * 3_600_000
  const at = (afterDays: number) => new Date(paidAt + afterDays * DAY).toISOString()
  const event = (suffix: string, type: ShopEvent['type'], occurredAt: string, data: Record<string, unknown>) =>
    ({ eventId: `demo-${user}-${index + 1}-${suffix}`, type, occurredAt, data: { orderId, ...data } }) as unknown as ShopEvent
  const events: ShopEvent[] = [
    event('paid', 'order.paid', at(0), {
      member,
      paidAt: at(0),
      channel: order.channel ?? 'mall',
      store: order.channel === 'store' ? 'SH-01' : 'online',
      lines: order.lines.map((line, i) => ({ lineId: String(i + 1), sku: line.sku, name: line.name, quantity: 1, paidFen: line.yuan * 100, ...(line.category ? { category: line.category } : {}) })),
    }),
  ]
  if (order.shippedAfter !== undefined) {
    const carrier = CARRIERS[(user.length + index) % CARRIERS.length]!
    const trackingNo = `${carrier}${String(7_300_000_000 + paidAt / 1000).slice(0, 10)}${index}`
    events.push(event('shipped', 'order.shipped', at(order.shippedAfter), { carrier, trackingNo, shippedAt: at(order.shippedAfter) }))
  }
  for (const [i, update] of (order.logistics ?? []).entries()) {
    events.push(event(`logistics-${i + 1}`, 'order.logistics_update', at(update.afterDays), { status: update.status, description: update.description, at: at(update.afterDays) }))
  }
  if (order.deliveredAfter !== undefined) events.push(event('delivered', 'order.delivered', at(order.deliveredAfter), { deliveredAt: at(order.deliveredAfter) }))
  if (order.refund) {
    events.push(
      event('refund', 'order.refunded', at(order.refund.afterDays), {
        refundId: `${orderId}-R1`,
        refundedAt: at(order.refund.afterDays),
        lines: [{ lineId: String(order.refund.lineIndex + 1), refundFen: order.refund.yuan * 100 }],
      }),
    )
  }
  return events
}
