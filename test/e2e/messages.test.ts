import path from 'node:path'
import { MESSAGE_KINDS } from '@member-center/shared'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../helpers/app.js'
import { shop } from '../helpers/shop.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, startBrowserApp, openAs as openBrowserAs, settled, top } from './browser.js'

const tpl = (kind: string) => `tpl-${kind}`

/**
 * Messaging in the H5 build, in headless Chromium, against the real app and database and the WeChat sandbox: the
 * operator maps the message kinds to templates, the member allows one in the sandbox's stand-in for WeChat's subscribe
 * dialog, the shop ships an order, the dispatcher pushes it through the sandbox (which holds it to the member's
 * consent), and the member finds it in the inbox — and the next shipment, with the one accept used, in the inbox only.
 */
describe('messages in a browser: consent, a shipment pushed and in the inbox, preferences', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>

  /** An API call as `token` that must answer `status`; answers the body. */
  async function api(token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, status: number, payload?: object) {
    const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status)
    return response.json()
  }
  /** Shop events applied, then every job due run: domain-event consumers, the outbox's dispatch. */
  async function settle() {
    await t.app.shopEvents.idle()
    await t.app.jobs.drain()
    await t.app.jobs.drain()
  }
  /** An order paid and then shipped by the shop, for this member; answers its tracking number. */
  async function shipOrder(memberId: string, item: string): Promise<{ orderId: string; trackingNo: string }> {
    const orderId = shop.orderId()
    const paid = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 329_900, category: 'ring' }], new Date().toISOString())
    await t.sendAccepted({ ...paid, data: { ...paid.data, lines: paid.data.lines.map((l) => ({ ...l, name: item })) } })
    const shipped = shop.shipped(orderId, new Date().toISOString())
    await t.sendAccepted(shipped)
    await settle()
    return { orderId, trackingNo: shipped.data.trackingNo }
  }

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp())
    // the operator maps every kind to its WeChat subscribe template, as an operator would
    for (const kind of MESSAGE_KINDS) await api(t.adminToken(), 'PUT', `/api/admin/message-templates/${kind}/subscribe`, 200, { templateId: tpl(kind) })
  })
  afterAll(() => close?.())

  const openAs = (user: string) => openBrowserAs(browser, appUrl, t.sandbox.url, user)
  const toMe = async (page: Page) => {
    await top(page, 'tab-me').click()
    await top(page, 'nickname').waitFor({ timeout: 10_000 })
  }
  const meTabBadge = (page: Page) => top(page, 'tab-me').locator('[data-testid=tab-badge]')

  it('asks at a tap, pushes the shipment the member allowed through WeChat, and keeps it and the next one in the inbox', async () => {
    const user = 'lin-messages'
    const lin = await t.login(user)
    const page = await openAs(user)

    // Me: the way to the inbox, nothing unread yet, no badge on the tab
    await toMe(page)
    await top(page, 'me-link-inbox').waitFor({ timeout: 10_000 })
    expect(await top(page, 'me-unread').count()).toBe(0)
    expect(await meTabBadge(page).count()).toBe(0)

    // the inbox, empty; nothing asked on the way in (consent is asked at a tap only)
    await top(page, 'me-link-inbox').click()
    await expect.poll(() => top(page, 'page-empty').textContent(), { timeout: 10_000 }).toContain('还没有消息')
    expect(await top(page, 'subscribe-dialog').count()).toBe(0)
    await top(page, 'subscribe-orders-button').waitFor({ timeout: 10_000 })

    // "开启订单提醒": the dialog WeChat would show, with the three order templates, each on
    await top(page, 'subscribe-orders-button').click()
    const dialog = top(page, 'subscribe-dialog')
    await dialog.waitFor({ timeout: 10_000 })
    expect(await dialog.locator('[data-testid=subscribe-dialog-template]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))).toEqual([
      'shipped',
      'delivered',
      'logistics_exception',
    ])
    expect(await dialog.locator('[data-testid=subscribe-dialog-template]').allTextContents()).toEqual(['订单已发货', '订单已签收', '物流异常提醒'])
    expect(await dialog.locator('[role=dialog]').getAttribute('aria-modal')).toBe('true')
    // she allows the shipping notice only
    for (const kind of ['delivered', 'logistics_exception']) await dialog.locator(`[role=switch][data-kind=${kind}]`).click()
    expect(await dialog.locator('[role=switch]').evaluateAll((switches) => switches.map((s) => s.getAttribute('aria-checked')))).toEqual(['true', 'false', 'false'])
    await settled(page)
    await expectAccessible(page, 'subscribe dialog')
    await page.screenshot({ path: path.join(ARTIFACTS, 'subscribe-dialog.png') })
    await dialog.locator('[data-testid=subscribe-dialog-allow]').click()
    await expect.poll(() => top(page, 'subscribe-orders-note').textContent(), { timeout: 10_000 }).toBe('已开启：订单已发货。每次允许可收到一次微信提醒。')
    expect(await top(page, 'subscribe-orders-balance').textContent()).toBe('可收到的微信提醒：订单已发货 1 次')
    await settled(page)
    await expectAccessible(page, 'inbox (subscribed)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'inbox-subscribed.png') })

    // WeChat (the sandbox) holds one unused accept for her, and the server counts the same one
    expect((await t.sandbox.subscriptions(user)).balances).toEqual({ [tpl('shipped')]: 1 })
    const subscriptions = await api(lin.token, 'GET', '/api/me/subscriptions', 200)
    const balance = (kind: string) => subscriptions.templates.find((s: { kind: string }) => s.kind === kind)?.balance
    expect([balance('shipped'), balance('delivered'), balance('logistics_exception')]).toEqual([1, 0, 0])

    // the shop ships an order of hers: the dispatcher pushes it with her accept, WeChat records exactly one message
    const first = await shipOrder(lin.memberId, '18K 金钻石戒指')
    const openid = (await t.sandbox.subscriptions(user)).openid
    const pushed = (await t.sandbox.messages()).filter((m) => m.body.touser === openid)
    expect(pushed).toHaveLength(1)
    expect(pushed[0]!.body.template_id).toBe(tpl('shipped'))
    expect((pushed[0]!.body.data as Record<string, { value: string }>).character_string3!.value).toBe(first.trackingNo)
    expect((await t.sandbox.subscriptions(user)).balances).toEqual({})

    // Me shows one unread, and so does the tab's badge
    await page.goBack()
    await expect.poll(() => top(page, 'me-unread').textContent(), { timeout: 10_000 }).toBe('1 条未读')
    await expect.poll(() => meTabBadge(page).textContent(), { timeout: 10_000 }).toBe('1')
    await settled(page)
    await expectAccessible(page, 'me (1 unread)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'me-unread.png') })

    // the inbox: 订单已发货 with the tracking number, unread
    await top(page, 'me-link-inbox').click()
    await expect.poll(() => top(page, 'inbox-item').count(), { timeout: 10_000 }).toBe(1)
    const item = top(page, 'inbox-item').first()
    expect(await item.locator('[data-testid=inbox-item-title]').textContent()).toBe('订单已发货')
    expect(await item.locator('[data-testid=inbox-item-body]').textContent()).toContain(first.trackingNo)
    expect(await item.getAttribute('data-read')).toBe('false')
    expect(await top(page, 'inbox-unread').textContent()).toBe('1 条未读')
    await settled(page)
    await expectAccessible(page, 'inbox (1 unread)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'inbox.png') })

    // a tap reads it (its page is not one this app has yet: she stays on the inbox, which shows it all)
    await item.click()
    await expect.poll(() => item.getAttribute('data-read'), { timeout: 10_000 }).toBe('true')
    expect(await top(page, 'inbox-unread').textContent()).toBe('没有未读消息')
    await expect.poll(async () => (await api(lin.token, 'GET', '/api/me/inbox', 200)).unread, { timeout: 10_000 }).toBe(0)
    expect(await top(page, 'inbox-read-all').getAttribute('aria-disabled')).toBe('true')

    // a second shipment: the one accept is used, so WeChat gets nothing — the inbox has it all the same
    const second = await shipOrder(lin.memberId, '淡水珍珠耳钉')
    expect((await t.sandbox.messages()).filter((m) => m.body.touser === openid)).toHaveLength(1)
    const box = await api(lin.token, 'GET', '/api/me/inbox', 200)
    expect(box.unread).toBe(1)
    expect(box.items.map((m: { kind: string; read: boolean }) => [m.kind, m.read])).toEqual([
      ['shipped', false],
      ['shipped', true],
    ])
    const admin = await api(t.adminToken(), 'GET', `/api/admin/messages?memberId=${lin.memberId}&kind=shipped`, 200)
    expect(admin.items.map((m: { status: string; channel: string | null }) => [m.status, m.channel])).toEqual([
      ['inbox', null],
      ['sent', 'subscribe'],
    ])
    await page.goBack()
    await expect.poll(() => meTabBadge(page).textContent(), { timeout: 10_000 }).toBe('1')
    await top(page, 'me-link-inbox').click()
    await expect.poll(() => top(page, 'inbox-item').count(), { timeout: 10_000 }).toBe(2)
    expect(await top(page, 'inbox-item').first().locator('[data-testid=inbox-item-body]').textContent()).toContain(second.trackingNo)
    expect(await top(page, 'inbox-item').first().getAttribute('data-read')).toBe('false')
    expect(await top(page, 'inbox-item').nth(1).getAttribute('data-read')).toBe('true')
    await settled(page)
    await page.screenshot({ path: path.join(ARTIFACTS, 'inbox-second.png') })

    // message preferences: shipping notices off WeChat (they stay in the inbox), marketing off
    await top(page, 'inbox-preferences').click()
    await top(page, 'pref-shipping').waitFor({ timeout: 10_000 })
    expect(await top(page, 'pref-shipping').getAttribute('aria-checked')).toBe('true')
    await top(page, 'pref-shipping').click()
    await expect.poll(async () => (await api(lin.token, 'GET', '/api/me/message-preferences', 200)).kindsOff.sort(), { timeout: 10_000 }).toEqual(['delivered', 'shipped'])
    await top(page, 'pref-marketing').click()
    await expect.poll(async () => (await api(lin.token, 'GET', '/api/me/message-preferences', 200)).marketing, { timeout: 10_000 }).toBe(false)
    expect(await top(page, 'pref-campaign').getAttribute('aria-disabled')).toBe('true')
    expect(await top(page, 'pref-shipping').getAttribute('aria-checked')).toBe('false')
    await settled(page)
    await expectAccessible(page, 'message preferences')
    await page.screenshot({ path: path.join(ARTIFACTS, 'message-preferences.png') })
    // below: what her "allow" taps paid for — used up by the first shipment
    await top(page, 'prefs-subscriptions').scrollIntoViewIfNeeded()
    expect(await top(page, 'prefs-subscriptions').textContent()).toContain('暂无')
    await settled(page)
    await page.screenshot({ path: path.join(ARTIFACTS, 'message-preferences-end.png') })
    await page.close()
  }, 60_000)

  it('pages through a long inbox, reads everything at once, and records nothing when the member cancels the dialog', async () => {
    const user = 'ming-messages'
    const ming = await t.login(user)
    const drafts = Array.from({ length: 25 }, (_, i) => ({
      dedupeKey: `e2e-care:${user}:${i}`,
      kind: 'staff_care' as const,
      memberId: ming.memberId,
      data: { advisor: '王顾问', content: `第 ${i + 1} 条：新到的珍珠系列已为您留样，欢迎到店试戴。` },
    }))
    expect(await t.app.messaging.enqueue(drafts)).toMatchObject({ created: 25 })
    await t.app.jobs.drain()

    const page = await openAs(user)
    await toMe(page)
    await expect.poll(() => top(page, 'me-unread').textContent(), { timeout: 10_000 }).toBe('25 条未读')
    await expect.poll(() => meTabBadge(page).textContent(), { timeout: 10_000 }).toBe('25')
    await top(page, 'me-link-inbox').click()

    // newest first, twenty to a page, then the rest
    await expect.poll(() => top(page, 'inbox-item').count(), { timeout: 10_000 }).toBe(20)
    expect(await top(page, 'inbox-item').first().textContent()).toContain('第 25 条')
    await top(page, 'inbox-more').click()
    await expect.poll(() => top(page, 'inbox-item').count(), { timeout: 10_000 }).toBe(25)
    expect(await top(page, 'inbox-item').last().textContent()).toContain('第 1 条')
    expect(await top(page, 'inbox-more').count()).toBe(0)

    // 全部已读
    await top(page, 'inbox-read-all').click()
    await expect.poll(() => top(page, 'inbox-unread').textContent(), { timeout: 10_000 }).toBe('没有未读消息')
    expect(await page.locator('[data-testid=inbox-item][data-read=false]').filter({ visible: true }).count()).toBe(0)
    expect((await api(ming.token, 'GET', '/api/me/inbox', 200)).unread).toBe(0)
    await settled(page)
    await expectAccessible(page, 'inbox (all read)')

    // 取消 in the dialog: WeChat records nothing, no balance
    await top(page, 'subscribe-orders-button').click()
    await top(page, 'subscribe-dialog').waitFor({ timeout: 10_000 })
    await top(page, 'subscribe-dialog').locator('[data-testid=subscribe-dialog-cancel]').click()
    await expect.poll(() => top(page, 'subscribe-orders-note').textContent(), { timeout: 10_000 }).toBe('未开启微信提醒。消息仍会保存在「消息中心」。')
    expect(await top(page, 'subscribe-dialog').count()).toBe(0)
    expect((await t.sandbox.subscriptions(user)).balances).toEqual({})
    const subscriptions = await api(ming.token, 'GET', '/api/me/subscriptions', 200)
    expect(subscriptions.templates.every((s: { balance: number }) => s.balance === 0)).toBe(true)

    // back on Me: nothing unread, no badge
    await page.goBack()
    await expect.poll(() => top(page, 'me-unread').count(), { timeout: 10_000 }).toBe(0)
    await expect.poll(() => meTabBadge(page).count(), { timeout: 10_000 }).toBe(0)
    await page.close()
  })

  it('asks at the other meaningful taps: 到账提醒 on the points history, and after a redemption for what it will bring', async () => {
    const user = 'qing-messages'
    const qing = await t.login(user)
    const page = await openAs(user)

    // the points history: points confirmed and expiring
    await page.locator('[data-testid=link-history]').click()
    await top(page, 'subscribe-points-button').waitFor({ timeout: 10_000 })
    expect(await top(page, 'subscribe-points-button').textContent()).toBe('开启到账提醒')
    expect(await top(page, 'subscribe-dialog').count()).toBe(0)
    await top(page, 'subscribe-points-button').click()
    const dialog = top(page, 'subscribe-dialog')
    await dialog.waitFor({ timeout: 10_000 })
    expect(await dialog.locator('[data-testid=subscribe-dialog-template]').allTextContents()).toEqual(['积分已到账', '积分即将过期'])
    await dialog.locator('[data-testid=subscribe-dialog-allow]').click()
    await expect.poll(() => top(page, 'subscribe-points-note').textContent(), { timeout: 10_000 }).toBe('已开启：积分已到账、积分即将过期。每次允许可收到一次微信提醒。')
    expect((await t.sandbox.subscriptions(user)).balances).toEqual({ [tpl('points_confirmed')]: 1, [tpl('points_expiring')]: 1 })
    await settled(page)
    await expectAccessible(page, 'points history (subscribed)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'points-history-subscribed.png') })

    // a coupon redeemed: its expiry and the points' — not shipping, a coupon does not ship
    const admin = t.adminToken()
    await api(admin, 'POST', `/api/admin/members/${qing.memberId}/adjustments`, 200, { kind: 'points', delta: 2000, reason: 'e2e: points to redeem', requestId: 'e2e-messages-qing' })
    const template = await api(admin, 'POST', '/api/admin/coupon-templates', 201, { name: '臻享礼券 满 1000 减 100', kind: 'amount', amountFen: 10_000, thresholdFen: 100_000, validity: { days: 30 } })
    const item = await api(admin, 'POST', '/api/admin/mall/items', 201, { kind: 'coupon', name: '臻享礼券 满 1000 减 100', pointsPrice: 800, stock: 10, couponTemplateId: template.id })
    const redemption = await api(qing.token, 'POST', '/api/mall/redemptions', 201, { itemId: item.id, idempotencyKey: 'e2e-messages-qing-1' })
    await page.goto(`${appUrl}/?sandbox=${encodeURIComponent(t.sandbox.url)}#/packages/mall/result/index?id=${redemption.id}`)
    await expect.poll(() => top(page, 'redeem-result').getAttribute('data-status'), { timeout: 15_000 }).toBe('done')
    await top(page, 'subscribe-redemption-button').waitFor({ timeout: 10_000 })
    expect(await top(page, 'subscribe-redemption-button').textContent()).toBe('开启到期提醒')
    await top(page, 'subscribe-redemption-button').click()
    await dialog.waitFor({ timeout: 10_000 })
    expect(await dialog.locator('[data-testid=subscribe-dialog-template]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))).toEqual(['coupon_expiring', 'points_expiring'])
    await dialog.locator('[role=switch][data-kind=points_expiring]').click()
    await dialog.locator('[data-testid=subscribe-dialog-allow]').click()
    await expect.poll(() => top(page, 'subscribe-redemption-note').textContent(), { timeout: 10_000 }).toBe('已开启：优惠券即将过期。每次允许可收到一次微信提醒。')
    expect((await t.sandbox.subscriptions(user)).balances).toEqual({ [tpl('points_confirmed')]: 1, [tpl('points_expiring')]: 1, [tpl('coupon_expiring')]: 1 })
    const balances = (await api(qing.token, 'GET', '/api/me/subscriptions', 200)).templates.filter((s: { balance: number }) => s.balance > 0)
    expect(Object.fromEntries(balances.map((s: { kind: string; balance: number }) => [s.kind, s.balance]))).toEqual({ points_confirmed: 1, points_expiring: 1, coupon_expiring: 1 })
    await settled(page)
    await expectAccessible(page, 'mall result (subscribed)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-result-subscribed.png') })
    await page.close()
  })
})
