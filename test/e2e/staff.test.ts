import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxOpenid, sandboxUnionid } from '../../tools/wechat-sandbox/users.js'
import type { TestContext } from '../helpers/app.js'
import { TEST_APPID } from '../helpers/sandbox.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, openAs as openBrowserAs, settled, startBrowserApp, top } from './browser.js'

/**
 * The Staff tab in the H5 build, in headless Chromium, against the real app and the demo seed: sam (staff of SH-01)
 * logs in through the sandbox, enters alice's current member code as if he had scanned it, sees her at a glance,
 * verifies one of her coupons at the counter — and the coupon is used in alice's wallet. Members never see the tab.
 */
describe('the Staff tab in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp({ seed: true }))
  })
  afterAll(() => close?.())

  const openAs = (user: string) => openBrowserAs(browser, appUrl, t.sandbox.url, user)
  async function asMember(token: string, url: string) {
    const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200)
    return response.json()
  }

  it('lets an admin, who has no store of their own, pick the store whose tasks they see', async () => {
    const by = { actor: 'e2e', role: 'admin' }
    const { staff } = await t.app.staff.records.create({ name: 'Ada 安', role: 'admin', store: null }, by)
    await t.app.staff.records.bind(staff.id, { openid: sandboxOpenid(TEST_APPID, 'ada'), unionid: sandboxUnionid('ada') }, by)
    const page = await openAs('ada')
    await top(page, 'tab-staff').click()
    await expect.poll(() => top(page, 'staff-header').textContent(), { timeout: 10_000 }).toContain('全部门店')
    await expect.poll(() => top(page, 'staff-store').count(), { timeout: 10_000 }).toBe(2)
    expect(await top(page, 'staff-task').count()).toBe(0)
    await top(page, 'staff-store').filter({ hasText: '上海南京西路店' }).click()
    // SH-01's tasks load (which ones depends on the hour: alice's demo visit is today or tomorrow), never an error
    await expect.poll(async () => (await top(page, 'staff-task').count()) + (await top(page, 'page-empty').count()), { timeout: 10_000 }).toBeGreaterThan(0)
    expect(await top(page, 'page-error').count()).toBe(0)
    const tasks = (await t.app.inject({ method: 'GET', url: '/api/staff/tasks?store=SH-01', headers: { authorization: `Bearer ${t.adminToken()}` } })).json()
    expect(await top(page, 'staff-task').count()).toBe(tasks.items.length)
    await settled(page)
    await expectAccessible(page, 'staff tab (admin)')
  })

  it('shows members no Staff tab', async () => {
    const page = await openAs('alice')
    await top(page, 'tab-me').waitFor({ timeout: 10_000 })
    expect(await top(page, 'tab-staff').count()).toBe(0)
  })

  it("lets sam look alice up by her member code, verify one of her coupons, and the coupon is used in alice's wallet", async () => {
    const alice = await t.login('alice')
    const usable = (await asMember(alice.token, '/api/me/coupons?state=usable')).items as { code: string; name: string }[]
    expect(usable.length).toBeGreaterThan(0)

    const page = await openAs('sam')
    await top(page, 'tab-staff').click()
    await expect.poll(() => top(page, 'staff-header').textContent(), { timeout: 10_000 }).toContain('Sam 孙')
    expect(await top(page, 'staff-header').textContent()).toContain('SH-01')
    await settled(page)
    await expectAccessible(page, 'staff tab')
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-tab.png'), fullPage: true })

    // alice shows her card; sam "scans" it: her member code, current this minute
    const card = await asMember(alice.token, '/api/me/card')
    await page.locator('input[aria-label="会员码或手机号"]').filter({ visible: true }).fill(card.memberCode.code)
    await top(page, 'staff-lookup-go').click()
    await expect.poll(() => top(page, 'glance-name').textContent(), { timeout: 10_000 }).toBe('Alice')
    expect(await top(page, 'glance-tier').textContent()).toContain('金卡')
    await expect.poll(() => top(page, 'glance-coupon').count(), { timeout: 10_000 }).toBe(usable.length)
    await settled(page)
    await expectAccessible(page, 'member at a glance')
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-member.png'), fullPage: true })

    // one of her coupons at the counter: checked, then used for her
    const coupon = top(page, 'glance-coupon').first()
    const code = (await coupon.getAttribute('data-code'))!
    await coupon.locator('[data-testid=glance-coupon-use]').click()
    await expect.poll(() => top(page, 'coupon-check').getAttribute('data-usable'), { timeout: 10_000 }).toBe('true')
    await settled(page)
    await expectAccessible(page, 'coupon check')
    await top(page, 'coupon-use-confirm').click()
    await top(page, 'coupon-used').waitFor({ timeout: 10_000 })
    await settled(page)
    await expectAccessible(page, 'coupon used')
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-coupon-used.png'), fullPage: true })

    // in alice's wallet the coupon is used now
    const used = (await asMember(alice.token, '/api/me/coupons?state=used')).items as { code: string }[]
    expect(used.map((c) => c.code)).toContain(code)
    expect(((await asMember(alice.token, '/api/me/coupons?state=usable')).items as { code: string }[]).map((c) => c.code)).not.toContain(code)
    // and the audit log has sam's look-up and the use, with his store
    const audit = await t.app.audit.list({ memberId: alice.memberId })
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['staff.lookup', 'coupon.use-in-store']))
  })
})
