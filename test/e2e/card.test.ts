import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyMemberCode } from '../../server/src/modules/members/member-code.js'
import { TEST_MEMBER_CODE_SECRET, type TestContext } from '../helpers/app.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, startBrowserApp, openApp as openFirstScreen, settled } from './browser.js'


/**
 * The H5 build in headless Chromium (Debian's chromium), served by the real app on a real port, logging in through
 * the WeChat sandbox exactly as the browser demo does.
 */
describe('the H5 mini-program in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp({ seed: true }))
  })
  afterAll(() => close?.())

  /** A phone-sized page on the demo's first screen. */
  const openApp = (options: { deviceScaleFactor?: number } = {}) => openFirstScreen(browser, appUrl, t.sandbox.url, options)

  it('logs in as a demo user and shows their card, points and a member code that verifies to them', async () => {
    const page = await openApp({ deviceScaleFactor: 2 })
    // the first screen: the demo users, readable (they were white on white once)
    await expect.poll(() => page.locator('[data-user]').count(), { timeout: 15_000 }).toBe(8)
    expect(await page.locator('[data-user=alice]').textContent()).toContain('Alice')
    expect(await page.locator('[data-user=alice]').getAttribute('disabled')).toBeNull()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await expectAccessible(page, 'login')
    await page.screenshot({ path: path.join(ARTIFACTS, 'login.png') })
    await page.locator('[data-user=alice]').click()

    // her card shows what her 14 months of seeded orders earned (the seed goes through the shop-event path)
    const alice = await t.models.Member.findOne({ nickname: 'Alice' }).lean()
    const tier = await t.models.Tier.findOne({ level: alice!.tierLevel }).lean()
    expect(alice!.tierLevel).toBeGreaterThanOrEqual(2)
    expect(alice!.points.pending).toBeGreaterThan(0)
    await expect.poll(() => page.locator('[data-testid=tier-name]').textContent(), { timeout: 15_000 }).toBe(tier!.name)
    expect(await page.locator('[data-testid=points-available]').textContent()).toBe(alice!.points.available.toLocaleString('en-US'))
    expect(await page.locator('[data-testid=points-pending]').textContent()).toBe(alice!.points.pending.toLocaleString('en-US'))
    expect(await page.locator('[data-testid=growth]').textContent()).toContain(alice!.growth.toLocaleString('en-US'))

    const code = await page.locator('[data-code]').first().getAttribute('data-code')
    expect(verifyMemberCode(TEST_MEMBER_CODE_SECRET, code!, new Date())).toBe(alice!._id.toString())
    // the login went through WeChat's protocol: the sandbox saw the code exchange
    expect((await t.sandbox.calls()).map((c) => c.path)).toContain('/sns/jscode2session')

    expect(await page.locator('img[alt]').first().getAttribute('alt')).toContain('会员码')
    // the held tier's first three benefits, from the tier table, and what the next tier adds
    const benefits = (tier!.benefits as { title: string }[]).map((b) => b.title)
    expect(await page.locator('[data-testid=card-benefit]').allTextContents()).toEqual(benefits.slice(0, 3).map((title) => expect.stringContaining(title)))
    expect(await page.locator('[data-testid=card-benefits-all]').textContent()).toContain(`${benefits.length} 项权益`)
    const next = await t.models.Tier.findOne({ level: alice!.tierLevel + 1 }).lean()
    expect(await page.locator('[data-testid=card-next-tier]').textContent()).toContain(`升级${next!.name}可享`)
    await expectAccessible(page, 'card (gold)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'card.png') })

    // the points history subpackage: her orders, newest first, each with its order number
    await page.locator('[data-testid=link-history]').click()
    await expect.poll(() => page.locator('[data-testid=history-entry]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(12)
    expect(await page.locator('[data-testid=history-entry]').first().textContent()).toContain('订单 DEMO-ALICE-007')
    await settled(page)
    await expectAccessible(page, 'points history')
    await page.screenshot({ path: path.join(ARTIFACTS, 'points-history.png') })
    await page.goBack()
    await page.locator('[data-testid=link-tiers]').click()
    await expect.poll(() => page.locator('[data-testid=tier-row]').count(), { timeout: 10_000 }).toBe(6)
    // benefits tier by tier, hers marked (and listed in full); the rules told from the active policy
    await expect.poll(() => page.locator('[data-testid=tier-mine]').count(), { timeout: 10_000 }).toBe(1)
    const mine = page.locator(`[data-testid=tier-row][data-level="${alice!.tierLevel}"]`)
    expect(await mine.locator('[data-testid=tier-mine]').count()).toBe(1)
    expect(await mine.locator('[data-testid=tier-benefit]').count()).toBe(benefits.length)
    for (const row of await page.locator('[data-testid=tier-row]').all()) expect(await row.locator('[data-testid=tier-benefit]').count()).toBeGreaterThan(0)
    const policy = await t.app.policies.current()
    expect(await page.locator('[data-testid=tier-rule-points]').textContent()).toContain(`每消费 1 元获得 ${policy.pointsPerYuan} 积分`)
    expect(await page.locator('[data-testid=tier-rule-points]').textContent()).toContain(`确认收货 ${policy.returnWindowDays} 天后`)
    await settled(page)
    await expectAccessible(page, 'tiers')
    await page.screenshot({ path: path.join(ARTIFACTS, 'tiers.png') })
    await page.goBack()

    await page.getByText('我的').last().click()
    await expect.poll(() => page.locator('[data-testid=nickname]').textContent(), { timeout: 10_000 }).toBe('Alice')
    expect(await page.getByText('138****8000').count()).toBeGreaterThan(0)
    await settled(page)
    await expectAccessible(page, 'me')
    await page.screenshot({ path: path.join(ARTIFACTS, 'me.png') })
    await page.close()
  })

  it('shows a new member the entry tier, an empty points history, and binds their phone', async () => {
    const page = await openApp({ deviceScaleFactor: 2 })
    await page.locator('[data-user=dave]').click()
    await expect.poll(() => page.locator('[data-testid=tier-name]').textContent(), { timeout: 15_000 }).toBe('银卡会员')
    expect(await page.locator('[data-testid=points-available]').textContent()).toBe('0')
    await expectAccessible(page, 'card (silver)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-silver.png') })

    // nothing earned yet: the history says so instead of showing a blank page
    await page.locator('[data-testid=link-history]').click()
    await expect.poll(() => page.locator('[data-testid=page-empty]').isVisible(), { timeout: 10_000 }).toBe(true)
    expect(await page.locator('[data-testid=page-empty]').textContent()).toContain('还没有积分记录')
    await settled(page)
    await expectAccessible(page, 'points history (empty)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'points-history-empty.png') })
    await page.goBack()

    // binding a phone (the sandbox's stand-in for getPhoneNumber) shows it masked on Me
    await page.getByText('我的').last().click()
    const phone = page.locator('input[aria-label="手机号（演示）"]')
    await phone.waitFor({ timeout: 10_000 })
    await settled(page)
    await expectAccessible(page, 'me (phone not bound)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'me-bind-phone.png') })
    await phone.fill('13912345678')
    await page.locator('[data-testid=bind-phone]').click()
    await expect.poll(() => page.getByText('139****5678').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await expectAccessible(page, 'me (phone bound)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'me-phone-bound.png') })
    await page.close()
  })

  it('shows an error with a retry button when the API refuses, and the data after a retry', async () => {
    const page = await openApp({ deviceScaleFactor: 2 })
    // the card request fails as a server that is down would answer (503, the API's error body)
    const unavailable = { statusCode: 503, code: 'SERVICE_UNAVAILABLE', error: 'Service Unavailable', message: 'database down' }
    await page.route('**/api/me/card', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify(unavailable) }))
    await page.locator('[data-user=bob]').click()

    await expect.poll(() => page.locator('[data-testid=page-error]').isVisible(), { timeout: 15_000 }).toBe(true)
    expect(await page.locator('[data-testid=page-error-message]').textContent()).toBe('服务暂时不可用，请稍后再试。')
    expect(await page.locator('[data-testid=tier-name]').count()).toBe(0)
    await expectAccessible(page, 'card (error)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-error-retry.png') })

    // the server is back: retry shows the card
    await page.unroute('**/api/me/card')
    await page.locator('[data-testid=retry]').click()
    await expect.poll(() => page.locator('[data-testid=tier-name]').textContent(), { timeout: 10_000 }).toBe('银卡会员')
    expect(await page.locator('[data-testid=page-error]').count()).toBe(0)

    // the network drops under the points history: its own sentence, and retry loads it
    await page.route('**/api/me/points/history**', (route) => route.abort('internetdisconnected'))
    await page.locator('[data-testid=link-history]').click()
    await expect.poll(() => page.locator('[data-testid=page-error-message]').last().textContent(), { timeout: 10_000 }).toBe('网络不给力，请检查网络后重试。')
    await settled(page)
    await expectAccessible(page, 'points history (error)')
    await page.unroute('**/api/me/points/history**')
    await page.locator('[data-testid=retry]').last().click()
    await expect.poll(() => page.locator('[data-testid=history-entry]').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await page.close()
  })
})
