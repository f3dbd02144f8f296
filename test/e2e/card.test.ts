import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyMemberCode } from '../../server/src/modules/members/member-code.js'
import { H5_DIR, ROOT } from '../../tools/build-client.js'
import { seedDemo } from '../../tools/seed.js'
import { startTestApp, TEST_MEMBER_CODE_SECRET, type TestContext } from '../helpers/app.js'
import { TEST_APPID } from '../helpers/sandbox.js'

const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e')

/**
 * The H5 build in headless Chromium (Debian's chromium), served by the real app on a real port, logging in through
 * the WeChat sandbox exactly as the browser demo does.
 */
describe('the H5 mini-program in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser

  beforeAll(async () => {
    if (!existsSync(path.join(H5_DIR, 'index.html'))) throw new Error('no H5 build: run `npm run build:h5` first (npm test does)')
    t = await startTestApp({ H5_DIR, now: () => new Date() })
    await seedDemo(t.app, TEST_APPID)
    appUrl = await t.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    mkdirSync(ARTIFACTS, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('logs in as a demo user and shows their card, points and a member code that verifies to them', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
    await page.goto(`${appUrl}/?sandbox=${encodeURIComponent(t.sandbox.url)}`)
    await page.locator('[data-user=alice]').click()

    await expect.poll(() => page.locator('[data-testid=tier-name]').textContent(), { timeout: 15_000 }).toBe('金卡会员')
    expect(await page.locator('[data-testid=points-available]').textContent()).toBe('3,560')
    expect(await page.locator('[data-testid=points-pending]').textContent()).toBe('420')
    expect(await page.locator('[data-testid=growth]').textContent()).toContain('67,321')

    const code = await page.locator('[data-code]').first().getAttribute('data-code')
    const alice = await t.models.Member.findOne({ nickname: 'Alice' }).lean()
    expect(verifyMemberCode(TEST_MEMBER_CODE_SECRET, code!, new Date())).toBe(alice!._id.toString())
    // the login went through WeChat's protocol: the sandbox saw the code exchange
    expect((await t.sandbox.calls()).map((c) => c.path)).toContain('/sns/jscode2session')

    await page.screenshot({ path: path.join(ARTIFACTS, 'card.png') })

    // the points history subpackage: alice's opening balance is in her ledger
    await page.locator('[data-testid=link-history]').click()
    await expect.poll(() => page.locator('[data-testid=history-entry]').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=history-entry]').first().textContent()).toContain('+3560 可用')
    await page.waitForTimeout(800) // let the page transition finish before the picture
    await page.screenshot({ path: path.join(ARTIFACTS, 'points-history.png') })
    await page.goBack()
    await page.locator('[data-testid=link-tiers]').click()
    await expect.poll(() => page.locator('[data-testid=tier-row]').count(), { timeout: 10_000 }).toBe(6)
    await page.goBack()

    await page.getByText('我的').last().click()
    await expect.poll(() => page.locator('[data-testid=nickname]').textContent(), { timeout: 10_000 }).toBe('Alice')
    expect(await page.getByText('138****8000').count()).toBeGreaterThan(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'me.png') })
    await page.close()
  })

  it('shows a new member the entry tier after their first login', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
    await page.goto(`${appUrl}/?sandbox=${encodeURIComponent(t.sandbox.url)}`)
    await page.locator('[data-user=dave]').click()
    await expect.poll(() => page.locator('[data-testid=tier-name]').textContent(), { timeout: 15_000 }).toBe('银卡会员')
    expect(await page.locator('[data-testid=points-available]').textContent()).toBe('0')

    // binding a phone (the sandbox's stand-in for getPhoneNumber) shows it masked on Me
    await page.getByText('我的').last().click()
    await page.locator('input[placeholder="演示：输入手机号"]').fill('13912345678')
    await page.locator('[data-testid=bind-phone]').click()
    await expect.poll(() => page.getByText('139****5678').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'me-phone-bound.png') })
    await page.close()
  })
})
