import { createRequire } from 'node:module'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../helpers/app.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, startBrowserApp, openAs as openBrowserAs, settled, top } from './browser.js'


/** jsbarcode's Code 128 encoder (what the wallet draws with), to check the bars on the page against the coupon's code. */
const CODE128 = (createRequire(import.meta.url)('jsbarcode/bin/barcodes/CODE128/CODE128_AUTO.js') as {
  default: new (data: string, options: object) => { encode(): { data: string } }
}).default

/**
 * The points mall and the coupon wallet in the H5 build, in headless Chromium, against the real app and database:
 * the operator plants a coupon template, mall items and a member's points through the admin API (as an operator
 * would), and the member redeems in the browser.
 */
describe('the points mall and the coupon wallet in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>
  let mia: { token: string; memberId: string }
  const items: Record<'coupon' | 'gift' | 'pendant' | 'lastOne', string> = { coupon: '', gift: '', pendant: '', lastOne: '' }
  let templateRules = ''

  /** An admin API call that must answer `status`; answers the body. */
  async function admin(method: 'POST' | 'PATCH', url: string, payload: object, status: number) {
    const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${t.adminToken()}` }, payload })
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status)
    return response.json()
  }
  const grant = (memberId: string, delta: number, requestId: string) =>
    admin('POST', `/api/admin/members/${memberId}/adjustments`, { kind: 'points', delta, reason: 'e2e: points to redeem', requestId }, 200)
  /** A member API call with a token; answers the body. */
  async function asMember(token: string, method: 'GET' | 'POST', url: string, payload?: object) {
    const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
    return { status: response.statusCode, body: response.json() }
  }

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp())

    // the operator's side: a member with 5,000 points, two coupon templates and four items
    mia = await t.login('mia')
    await grant(mia.memberId, 5000, 'e2e-mall-grant-mia')
    const voucher = await admin(
      'POST',
      '/api/admin/coupon-templates',
      { name: '臻享礼券 满 2000 减 200', kind: 'amount', amountFen: 20_000, thresholdFen: 200_000, validity: { days: 30 }, notes: '不与其他优惠同享。' },
      201,
    )
    templateRules = voucher.rulesText
    const memberDay = await admin('POST', '/api/admin/coupon-templates', { name: '会员日 50 元礼券', kind: 'amount', amountFen: 5000, validity: { days: 7 } }, 201)
    const item = (body: object) => admin('POST', '/api/admin/mall/items', body, 201).then((created: { id: string }) => created.id)
    items.coupon = await item({
      kind: 'coupon',
      name: '臻享礼券 满 2000 减 200',
      description: '全场珠宝适用，可在线上商城与全国门店使用。',
      pointsPrice: 1200,
      stock: 50,
      couponTemplateId: voucher.id,
    })
    items.gift = await item({ kind: 'gift', name: '淡水珍珠耳钉礼盒', description: '精选淡水珍珠，925 银镀金耳针，附品牌礼盒与保养卡。', pointsPrice: 3000, stock: 5 })
    items.pendant = await item({ kind: 'gift', name: '18K 金钻石吊坠', description: '18K 黄金镶嵌天然钻石，附品牌证书。', pointsPrice: 80_000, stock: 2 })
    items.lastOne = await item({ kind: 'coupon', name: '会员日 50 元礼券', pointsPrice: 500, stock: 1, couponTemplateId: memberDay.id })
  })
  afterAll(() => close?.())

  const openAs = (user: string) => openBrowserAs(browser, appUrl, t.sandbox.url, user)


  it('redeems a coupon item and finds the coupon in the wallet, with its code as a QR code and a barcode', async () => {
    const page = await openAs('mia')
    await page.locator('[data-testid=link-mall]').click()
    await expect.poll(() => page.locator('[data-testid=mall-item]').count(), { timeout: 10_000 }).toBe(4)
    expect(await page.locator('[data-testid=mall-points]').textContent()).toBe('5,000')
    await settled(page)
    await expectAccessible(page, 'mall')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-list.png'), fullPage: true })

    // what she can redeem now: within 5,000 points and in stock
    await page.locator('[data-testid=filter-affordable]').click()
    const affordable = await page.locator('[data-testid=mall-item]').evaluateAll((els) => els.map((el) => el.getAttribute('data-item-id')))
    expect(affordable.sort()).toEqual([items.coupon, items.gift, items.lastOne].sort())
    await page.locator('[data-testid=filter-all]').click()

    // the coupon item: detail, then the confirm screen with the points left after it
    await page.locator(`[data-item-id="${items.coupon}"]`).click()
    await expect.poll(() => top(page, 'item-name').textContent(), { timeout: 10_000 }).toBe('臻享礼券 满 2000 减 200')
    await top(page, 'redeem').click()
    await expect.poll(() => top(page, 'points-after').textContent(), { timeout: 10_000 }).toBe('3,800')
    expect(await top(page, 'points-before').textContent()).toBe('5,000')
    expect(await top(page, 'points-spend').textContent()).toBe('−1,200')
    await settled(page)
    await expectAccessible(page, 'mall confirm')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-confirm.png'), fullPage: true })

    await top(page, 'confirm-redeem').click()
    await expect.poll(() => top(page, 'redeem-result').getAttribute('data-status'), { timeout: 10_000 }).toBe('done')
    expect(await top(page, 'result-points').textContent()).toContain('当前可用 3,800 积分')
    expect(await top(page, 'result-coupon-rules').textContent()).toBe(templateRules)
    expect((await t.balances(mia.memberId)).available).toBe(3800)
    await settled(page)
    await expectAccessible(page, 'mall result')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-result.png'), fullPage: true })

    // the coupon is in her wallet, with its rules in words, validity and code
    const wallet = await asMember(mia.token, 'GET', '/api/me/coupons?state=usable')
    expect(wallet.status).toBe(200)
    expect(wallet.body.items).toHaveLength(1)
    const coupon = wallet.body.items[0] as { id: string; code: string; rulesText: string }
    await top(page, 'to-wallet').click()
    await expect.poll(() => top(page, 'coupon').count(), { timeout: 10_000 }).toBe(1)
    expect(await top(page, 'coupon').getAttribute('data-code')).toBe(coupon.code)
    expect(await top(page, 'coupon-rules').textContent()).toBe(coupon.rulesText)
    expect((await top(page, 'coupon-code').textContent())!.replace(/\s/g, '')).toBe(`券码${coupon.code}`)
    await settled(page)
    await expectAccessible(page, 'wallet')
    await page.screenshot({ path: path.join(ARTIFACTS, 'wallet.png'), fullPage: true })

    // its in-store code: a QR code and a Code 128 barcode of exactly the coupon's code, and the code in words
    await top(page, 'coupon').click()
    await expect.poll(() => top(page, 'coupon-qr').getAttribute('data-code'), { timeout: 10_000 }).toBe(coupon.code)
    expect(await top(page, 'coupon-qr').locator('img').getAttribute('alt')).toContain(coupon.code)
    const bits = await top(page, 'coupon-barcode').evaluate((el) =>
      Array.from(el.children)
        .map((run) => (run.className.includes('coupon-codes__bar') ? '1' : '0').repeat(Number(getComputedStyle(run).flexGrow)))
        .join(''),
    )
    expect(bits).toBe(`${'0'.repeat(10)}${new CODE128(coupon.code, {}).encode().data}${'0'.repeat(10)}`)
    const box = (await top(page, 'coupon-barcode').boundingBox())!
    expect(box.width).toBeGreaterThan(280) // as wide as the card: each of its ~190 modules over 1.4 CSS px
    await settled(page)
    await expectAccessible(page, 'coupon detail')
    await page.screenshot({ path: path.join(ARTIFACTS, 'coupon-detail.png'), fullPage: true })
    await page.goBack()

    // nothing used yet: the used tab says so; once store staff use it, it moves there, still readable
    await top(page, 'tab-used').click()
    await expect.poll(() => top(page, 'page-empty').textContent(), { timeout: 10_000 }).toContain('还没有使用过的优惠券')
    const staff = t.app.jwt.sign({ sub: 'staff-e2e', role: 'staff' })
    const used = await t.app.inject({
      method: 'POST',
      url: `/api/staff/coupons/${coupon.code}/use`,
      headers: { authorization: `Bearer ${staff}` },
      payload: { memberId: mia.memberId, store: '上海恒隆广场店' },
    })
    expect(used.statusCode, used.body).toBe(200)
    await top(page, 'tab-usable').click()
    await expect.poll(() => top(page, 'page-empty').count(), { timeout: 10_000 }).toBe(1)
    await top(page, 'tab-used').click()
    await expect.poll(() => top(page, 'coupon').getAttribute('data-state'), { timeout: 10_000 }).toBe('used')
    await settled(page)
    await expectAccessible(page, 'wallet (used)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'wallet-used.png'), fullPage: true })
    await page.close()
  })

  it('says why an item cannot be redeemed: too few points, and sold out while the member was confirming', async () => {
    const page = await openAs('mia')
    const available = (await t.balances(mia.memberId)).available
    await page.locator('[data-testid=link-mall]').click()
    await page.locator(`[data-item-id="${items.pendant}"]`).waitFor({ timeout: 10_000 })
    expect(await page.locator(`[data-item-id="${items.pendant}"] [data-testid=mall-item-refusal]`).textContent()).toBe(
      `还差 ${(80_000 - available).toLocaleString('en-US')} 积分`,
    )
    await page.locator(`[data-item-id="${items.pendant}"]`).click()
    await expect.poll(() => top(page, 'item-refusal').textContent(), { timeout: 10_000 }).toBe(
      `可用积分不足，还差 ${(80_000 - available).toLocaleString('en-US')} 积分。`,
    )
    expect(await top(page, 'redeem').getAttribute('aria-disabled')).toBe('true')
    await settled(page)
    await expectAccessible(page, 'mall item (not enough points)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-item-refused.png'), fullPage: true })
    await page.goBack()

    // the last one of an item: she opens the confirm screen, someone else redeems it, then she confirms
    await page.locator(`[data-item-id="${items.lastOne}"]`).click()
    await top(page, 'redeem').click()
    await top(page, 'confirm-redeem').waitFor({ timeout: 10_000 })
    const nora = await t.login('nora')
    await grant(nora.memberId, 1000, 'e2e-mall-grant-nora')
    const taken = await asMember(nora.token, 'POST', '/api/mall/redemptions', { itemId: items.lastOne, idempotencyKey: 'nora-last-one' })
    expect(taken.status, JSON.stringify(taken.body)).toBe(201)
    await top(page, 'confirm-redeem').click()
    await expect.poll(() => top(page, 'redeem-message').textContent(), { timeout: 10_000 }).toBe('已经兑完了，看看其他礼品吧。')
    expect(await top(page, 'confirm-redeem').count()).toBe(0)
    expect(await top(page, 'back-to-mall').count()).toBe(1)
    expect((await t.balances(mia.memberId)).available).toBe(available)
    await settled(page)
    await expectAccessible(page, 'mall confirm (sold out)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-sold-out.png'), fullPage: true })

    // the way back goes to the list, where the item now reads as sold out
    await top(page, 'back-to-mall').click()
    await expect.poll(() => top(page, 'mall-item').count(), { timeout: 10_000 }).toBe(4)
    await expect.poll(() => page.locator(`[data-item-id="${items.lastOne}"]`).textContent(), { timeout: 10_000 }).toContain('已兑完')
    await page.close()
  })

  it('redeems a gift once when the answer to the first tap is lost, and cancels it before it ships', async () => {
    const page = await openAs('mia')
    const before = (await t.balances(mia.memberId)).available
    await page.locator('[data-testid=link-mall]').click()
    await page.locator(`[data-item-id="${items.gift}"]`).click()
    await top(page, 'redeem').click()
    await top(page, 'address-name').waitFor({ timeout: 10_000 })

    // a gift needs where to send it
    await top(page, 'confirm-redeem').click()
    expect(await top(page, 'redeem-message').textContent()).toBe('请填写收件人、手机号、所在地区、详细地址。')
    const address = { name: '林小姐', phone: '13912345678', region: '上海市 静安区', detail: '南京西路 1266 号 恒隆广场 2 座 18 楼' }
    for (const [field, value] of Object.entries(address)) await top(page, `address-${field}`).locator('input').fill(value)
    await settled(page)
    await expectAccessible(page, 'mall confirm (gift)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-confirm-gift.png'), fullPage: true })

    // the server redeems, but its answer never reaches the phone
    let lost = 0
    await page.route('**/api/mall/redemptions', async (route) => {
      await route.fetch()
      lost += 1
      await route.abort('internetdisconnected')
    })
    await top(page, 'confirm-redeem').click()
    await expect.poll(() => top(page, 'redeem-message').textContent(), { timeout: 10_000 }).toBe('网络不给力，请检查网络后重试。')
    expect(lost).toBe(1)
    expect(await top(page, 'confirm-redeem').textContent()).toBe('重新提交')
    await page.unroute('**/api/mall/redemptions')

    // the retry sends the same key: the same redemption comes back, points taken once
    await top(page, 'confirm-redeem').click()
    await expect.poll(() => top(page, 'redeem-result').getAttribute('data-status'), { timeout: 10_000 }).toBe('done')
    expect((await t.balances(mia.memberId)).available).toBe(before - 3000)
    const history = await asMember(mia.token, 'GET', '/api/me/redemptions')
    expect(history.body.items.filter((r: { itemId: string }) => r.itemId === items.gift)).toHaveLength(1)
    await settled(page)
    await expectAccessible(page, 'mall result (gift)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'mall-result-gift.png'), fullPage: true })

    // the history: the gift waiting to ship (cancellable) and the coupon
    await top(page, 'to-redemptions').click()
    await expect.poll(() => top(page, 'redemption').count(), { timeout: 10_000 }).toBe(2)
    expect(await top(page, 'redemption-status').first().textContent()).toBe('待发货')
    await settled(page)
    await expectAccessible(page, 'redemptions')
    await page.screenshot({ path: path.join(ARTIFACTS, 'redemptions.png'), fullPage: true })

    await top(page, 'cancel-redemption').click()
    await page.getByText('确定取消', { exact: true }).click()
    await expect.poll(() => top(page, 'redemption-status').first().textContent(), { timeout: 10_000 }).toBe('已取消')
    expect(await top(page, 'cancel-redemption').count()).toBe(0)
    expect((await t.balances(mia.memberId)).available).toBe(before)
    await t.expectReconciled()
    await page.close()
  })

  it('shows an error with a retry button when the mall cannot be loaded, and the items after a retry', async () => {
    const page = await openAs('mia')
    const unavailable = { statusCode: 503, code: 'SERVICE_UNAVAILABLE', error: 'Service Unavailable', message: 'database down' }
    await page.route('**/api/mall/items', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify(unavailable) }))
    await page.locator('[data-testid=link-mall]').click()
    await expect.poll(() => top(page, 'page-error-message').textContent(), { timeout: 10_000 }).toBe('服务暂时不可用，请稍后再试。')
    await settled(page)
    await expectAccessible(page, 'mall (error)')
    await page.unroute('**/api/mall/items')
    await top(page, 'retry').click()
    await expect.poll(() => top(page, 'mall-item').count(), { timeout: 10_000 }).toBe(4)
    await page.close()
  })
})
