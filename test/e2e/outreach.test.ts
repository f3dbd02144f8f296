import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../helpers/app.js'
import { shop } from '../helpers/shop.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, openAs as openBrowserAs, settled, startBrowserApp, top } from './browser.js'

const DAY = 86_400_000

/**
 * The outreach review (触达复盘) in the H5 build, in headless Chromium: olivia (an admin of the demo) opens it from the
 * Staff tab, picks an outreach and reads its results against the holdout — the groups, the lift with its interval,
 * the cost and the written review — the same figures the API gives.
 */
describe('the outreach review (触达复盘) in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp({ seed: true }))
  })
  afterAll(() => close?.())

  it('shows olivia an outreach’s review with the numbers the API gives', async () => {
    // 40 members of a campaign segment, reached 10 days ago; some bought since
    const members: string[] = []
    for (let i = 0; i < 40; i++) {
      const { memberId } = await t.login(`outreach-e2e-${i}`)
      members.push(memberId)
    }
    const by = { actor: 'e2e', role: 'admin' }
    const segment = await t.app.insights.segments.create({ name: '复盘演示', filter: { purchases12m: { max: 0 }, hasPhone: false } }, by)
    const outreach = await t.app.insights.outreach.create(
      {
        name: '新客首购礼',
        audience: { segmentId: segment.id },
        steps: [{ label: '关怀', afterDays: 0, title: '欢迎加入', content: '新人礼已放入卡包。' }],
        startAt: new Date(Date.now() - 10 * DAY).toISOString(),
        holdoutShare: 0.3,
      },
      by,
    )
    await t.app.insights.outreach.launch(outreach.id, by)
    await t.app.jobs.drain()
    const groups = (await t.app.db.connection.model('OutreachMember').find({ outreachId: outreach.id }).lean()) as unknown as { memberId: { toString(): string }; group: string }[]
    const treated = groups.filter((g) => g.group === 'treated').map((g) => g.memberId.toString())
    const holdout = groups.filter((g) => g.group === 'holdout').map((g) => g.memberId.toString())
    for (const memberId of [...treated.slice(0, 6), ...holdout.slice(0, 1)]) {
      await t.sendAccepted(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 52_000 }], new Date(Date.now() - 5 * DAY).toISOString()))
    }
    await t.app.jobs.drain()
    const r = (await t.app.insights.results.results(outreach.id))
    expect(r.treated.buyers).toBe(6)

    const page = await openBrowserAs(browser, appUrl, t.sandbox.url, 'olivia')
    await top(page, 'tab-staff').click()
    await expect.poll(() => top(page, 'staff-header').textContent(), { timeout: 10_000 }).toContain('Olivia 欧')
    await top(page, 'staff-link-outreach').click()
    const row = top(page, 'outreach-row').filter({ hasText: '新客首购礼' })
    await row.waitFor({ timeout: 15_000 })
    expect(await row.textContent()).toContain(`接触组 ${r.treated.members}`)
    await row.click()
    await top(page, 'review-text').waitFor({ timeout: 15_000 })
    await settled(page)
    const groupsText = await top(page, 'review-group').allTextContents()
    expect(groupsText[0]).toContain(`${r.treated.buyers} / ${r.treated.members} 人购买`)
    expect(groupsText[1]).toContain(`${r.holdout.buyers} / ${r.holdout.members} 人购买`)
    const lift = await top(page, 'review-lift').textContent()
    expect(lift).toContain(`${r.lift.diff! >= 0 ? '+' : ''}${(r.lift.diff! * 100).toFixed(1)} 个百分点`)
    expect(lift).toContain('95% 置信区间')
    const review = await top(page, 'review-text').textContent()
    for (const line of r.review) expect(review).toContain(line)
    await expectAccessible(page, 'outreach review')
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-outreach-review.png'), fullPage: true })
  })

  it('keeps the review from a manager: no link, and the page says why', async () => {
    const page = await openBrowserAs(browser, appUrl, t.sandbox.url, 'mia')
    await top(page, 'tab-staff').click()
    await expect.poll(() => top(page, 'staff-header').textContent(), { timeout: 10_000 }).toContain('Mia 马')
    expect(await top(page, 'staff-link-outreach').count()).toBe(0)
    await page.goto(`${appUrl}/?sandbox=${encodeURIComponent(t.sandbox.url)}#/packages/staff/outreach/index`)
    await expect.poll(() => page.locator('body').textContent(), { timeout: 10_000 }).toContain('触达复盘只对管理员开放')
  })
})
