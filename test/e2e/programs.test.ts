import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../helpers/app.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, startBrowserApp, openAs as openBrowserAs, settled, top } from './browser.js'

/** YYYY-MM-DD in Shanghai. */
const shanghaiDate = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)

/**
 * The birthday and the member day in the H5 build, in headless Chromium, against the real app and the demo seed (the
 * clock is the real one): erin's birthday is in two days and was set a year ago, so her gift is waiting; the member
 * day is the 18th with a coupon for her tier, double points, and the next one planned with a theme and member prices.
 */
describe('the birthday gift and the member day in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp({ seed: true }))
  })
  afterAll(() => close?.())

  const openAs = (user: string) => openBrowserAs(browser, appUrl, t.sandbox.url, user)

  it("shows erin's birthday banner on the card and her gift, issued, on the birthday page", async () => {
    const page = await openAs('erin')
    const banner = top(page, 'birthday-banner')
    await banner.waitFor({ timeout: 10_000 })
    expect(await banner.textContent()).toContain('生日礼遇已送达')
    await settled(page)
    await expectAccessible(page, 'card (birthday week)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-birthday.png'), fullPage: true })

    await banner.click()
    await expect.poll(() => top(page, 'birthday-gift').getAttribute('data-status'), { timeout: 10_000 }).toBe('issued')
    const coupons = top(page, 'birthday-coupon')
    expect(await coupons.count()).toBe(1)
    expect(await coupons.first().textContent()).toContain('生日礼券 满 500 减 100')
    // valid through the end of the birthday month
    const birthday = new Date(Date.now() + 2 * 86_400_000)
    const month = shanghaiDate(birthday).slice(0, 7)
    const lastOfMonth = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10)
    expect(await coupons.first().textContent()).toContain(`有效期至 ${lastOfMonth}`)
    expect(await top(page, 'birthday-points').textContent()).toBe('生日积分 +100')
    expect(await top(page, 'birthday-multiplier').textContent()).toContain('积分 ×2')
    await settled(page)
    await expectAccessible(page, 'birthday')
    await page.screenshot({ path: path.join(ARTIFACTS, 'birthday.png'), fullPage: true })

    // the coupon is in her wallet too
    await top(page, 'birthday-to-wallet').click()
    await expect.poll(() => top(page, 'coupon-name').allTextContents(), { timeout: 10_000 }).toContain('生日礼券 满 500 减 100')
  })

  it('asks a member without a birthday to set it, once, and then tells when the gift comes', async () => {
    const page = await openAs('fay-birthday')
    await top(page, 'link-birthday').click()
    await top(page, 'birthday-form').waitFor({ timeout: 10_000 })
    expect(await top(page, 'birthday-save').getAttribute('aria-disabled')).toBe('true')
    await settled(page)
    await expectAccessible(page, 'birthday form')
    await page.screenshot({ path: path.join(ARTIFACTS, 'birthday-form.png'), fullPage: true })

    // the pickers' first rows: 1 月, then 1 日 (Taro's H5 picker: open it, confirm)
    for (const picker of ['birthday-month', 'birthday-day']) {
      await top(page, picker).click()
      await page.locator('.weui-picker__action').filter({ hasText: '确定' }).filter({ visible: true }).click()
      await settled(page)
    }
    expect(await top(page, 'birthday-month').textContent()).toContain('1 月')
    expect(await top(page, 'birthday-day').textContent()).toContain('1 日')
    await top(page, 'birthday-save').click()
    // set once: the member confirms it first
    const confirmText = page.getByText('设置后不能自行修改').filter({ visible: true })
    await confirmText.waitFor({ timeout: 10_000 })
    expect(await confirmText.textContent()).toContain('1月1日')
    await page.getByText('确认', { exact: true }).filter({ visible: true }).click()
    // 1 January next year, set more than 30 days before it: the gift comes three days before
    const nextYear = Number(shanghaiDate(new Date()).slice(0, 4)) + 1
    const daysTo = Math.round((Date.UTC(nextYear, 0, 1) - Date.parse(`${shanghaiDate(new Date())}T00:00:00Z`)) / 86_400_000)
    const expected = daysTo > 30 ? 'upcoming' : 'not_eligible'
    await expect.poll(() => top(page, 'birthday-gift').getAttribute('data-status'), { timeout: 10_000 }).toBe(expected)
    if (expected === 'upcoming') expect(await top(page, 'birthday-status-text').textContent()).toContain('12月29日')
    expect(await top(page, 'birthday-date').textContent()).toContain('1月1日')
    await settled(page)
    await expectAccessible(page, 'birthday set')
    await page.screenshot({ path: path.join(ARTIFACTS, 'birthday-upcoming.png'), fullPage: true })
  })

  it("shows the member-day page: the next day's theme and countdown, erin's tier coupon, member prices, and remind me", async () => {
    const page = await openAs('erin')
    await top(page, 'link-member-day').click()
    await top(page, 'member-day-hero').waitFor({ timeout: 10_000 })
    const today = shanghaiDate(new Date())
    const isMemberDay = today.slice(8, 10) === '18'
    expect(await top(page, 'member-day-title').textContent()).toBe('冬日珍藏 会员专享')
    expect(await top(page, 'member-day-countdown').textContent()).toContain(isMemberDay ? '今天是会员日' : '距开始')
    expect(await top(page, 'member-day-multiplier').textContent()).toContain('积分 ×2')
    // her tier's coupon: offered before the day, in her wallet on the day
    const mine = top(page, isMemberDay ? 'member-day-issued' : 'member-day-offer')
    await expect.poll(() => mine.count(), { timeout: 10_000 }).toBe(1)
    expect(await mine.first().textContent()).toContain('会员日 满 1000 减 80')
    expect(await top(page, 'member-day-price').count()).toBe(3)
    await settled(page)
    await expectAccessible(page, 'member day')
    await page.screenshot({ path: path.join(ARTIFACTS, 'member-day.png'), fullPage: true })

    if (isMemberDay) return
    // remind me: WeChat's dialog (the sandbox's stand-in) with the member-day template; allowed, the server knows
    await top(page, 'subscribe-member-day-button').click()
    const dialog = top(page, 'subscribe-dialog')
    await dialog.waitFor({ timeout: 10_000 })
    expect(await dialog.locator('[data-testid=subscribe-dialog-template]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))).toEqual(['member_day'])
    await dialog.locator('[data-testid=subscribe-dialog-allow]').click()
    await expect.poll(() => top(page, 'subscribe-member-day-note').textContent(), { timeout: 10_000 }).toBe('已开启：会员日提醒。每次允许可收到一次微信提醒。')
    const { token } = await t.login('erin')
    const view = await t.app.inject({ method: 'GET', url: '/api/member-day', headers: { authorization: `Bearer ${token}` } })
    expect(view.statusCode).toBe(200)
    expect(view.json().mine.reminded).toBe(true)
  })
})
