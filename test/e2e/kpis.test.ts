import path from 'node:path'
import { Types } from 'mongoose'
import type { KpiReport } from '@member-center/shared'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../helpers/app.js'
import { shop } from '../helpers/shop.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, openAs as openBrowserAs, settled, startBrowserApp, top } from './browser.js'

const DAY = 86_400_000

/** 1,234 and 38.5%, written independently of the client's own formatting */
const count = (n: number) => n.toLocaleString('en-US')
const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`)

/**
 * The manager view of the Staff tab (经营数据) in the H5 build, in headless Chromium, against the real app, the demo
 * seed and purchases the shop sends for members of SH-01 over the past year: mia (manager of SH-01) opens it from the
 * tab and sees each KPI as a chart — drawn, not blank — with its numbers written beside it, the same numbers the API
 * gives her; a shorter range redraws with fewer months. sam (staff) has no link, and the page refuses him in a sentence.
 */
describe('the manager view (经营数据) in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser
  let close: () => Promise<void>

  beforeAll(async () => {
    ({ t, appUrl, browser, close } = await startBrowserApp({ seed: true }))
  })
  afterAll(() => close?.())

  const openAs = (user: string) => openBrowserAs(browser, appUrl, t.sandbox.url, user)

  /** The staff token the Staff tab of `user` carries (their WeChat login through the sandbox). */
  async function staffToken(user: string): Promise<string> {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code: await t.sandbox.code(user) } })
    expect(response.statusCode, response.body).toBe(200)
    return response.json().staff.token
  }

  /** A member of SH-01 (their home store) who paid for an order in the store on each of these days before today. */
  async function customer(user: string, paidDaysAgo: number[]) {
    const { memberId } = await t.login(user)
    await t.app.members.repo.assignStoreAndAdvisor(new Types.ObjectId(memberId), { homeStore: 'SH-01' })
    for (const [i, daysAgo] of paidDaysAgo.entries()) {
      const paid = shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 128_000 + i * 10_000, category: 'ring' }], new Date(Date.now() - daysAgo * DAY).toISOString())
      await t.sendAccepted({ ...paid, data: { ...paid.data, channel: 'store', store: 'SH-01' } })
    }
    return memberId
  }

  /** Each chart's canvas with how many of its pixels are not white: a drawn chart has many. */
  const inkedPixels = (page: Page) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('[data-testid$="-chart"]'))
        .filter((el) => el.offsetParent !== null)
        .map((el) => {
          const canvas = el.querySelector('canvas')!
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
          let inked = 0
          for (let i = 0; i < data.length; i += 4) if (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235) inked++
          const box = canvas.getBoundingClientRect()
          return { chart: el.dataset.testid!, width: canvas.width, boxWidth: Math.round(box.width * window.devicePixelRatio), inked }
        }),
    )

  it('shows mia her store’s KPIs as drawn charts, each with the numbers the API gives her beside it', async () => {
    // a year of purchases at SH-01: a repeat customer, one who bought twice on one day (one purchase day), a lapsed
    // one, and new ones this month
    await customer('kpi-wen', [320, 150, 20])
    await customer('kpi-li', [200, 200])
    await customer('kpi-zhao', [260])
    await customer('kpi-qian', [40, 6])
    await customer('kpi-sun', [3])
    await t.app.shopEvents.idle()
    await t.app.jobs.drain()

    const page = await openAs('mia')
    await top(page, 'tab-staff').click()
    await expect.poll(() => top(page, 'staff-header').textContent(), { timeout: 10_000 }).toContain('Mia 马')
    await top(page, 'staff-link-kpis').click()
    const report = top(page, 'kpis-report')
    await report.waitFor({ timeout: 15_000 })
    expect(await top(page, 'kpis-store').textContent()).toBe('门店 SH-01')

    // what the page asked for (the last 12 months to today), as mia, straight from the API
    const from = (await report.getAttribute('data-from'))!
    const to = (await report.getAttribute('data-to'))!
    const response = await t.app.inject({ method: 'GET', url: `/api/admin/kpis?from=${from}&to=${to}`, headers: { authorization: `Bearer ${await staffToken('mia')}` } })
    expect(response.statusCode, response.body).toBe(200)
    const r = response.json() as KpiReport
    expect(r.store).toBe('SH-01')
    expect(r.customers.series).toHaveLength(12)
    expect(r.customers.value).toBeGreaterThanOrEqual(5)

    // every figure as text, as the API has it
    const text = (testId: string) => top(page, testId).textContent()
    expect(await text('kpi-customers-value')).toContain(count(r.customers.value))
    expect(await text('kpi-old-customers-value')).toContain(percent(r.oldCustomerRatio.value))
    expect(await text('kpi-old-customers-value')).toContain(`${count(r.oldCustomerRatio.oldCustomers)} / ${count(r.oldCustomerRatio.customers)}`)
    expect(await text('kpi-repeat-value')).toContain(percent(r.repeatRate.value))
    expect(await text('kpi-repeat-value')).toContain(`${count(r.repeatRate.repeatCustomers)} / ${count(r.repeatRate.customers)}`)
    expect(await text('kpi-members-total')).toContain(count(r.members.total))
    expect(await text('kpi-members-active')).toContain(count(r.members.active30))
    expect(await text('kpi-members-new')).toContain(count(r.members.newByMonth.reduce((sum, m) => sum + m.members, 0)))
    expect(await text('kpi-points-available')).toContain(count(r.pointsLiability.available))
    expect(await text('kpi-points-pending')).toContain(count(r.pointsLiability.pending))
    expect(await text('kpi-coupons-issued')).toContain(count(r.coupons.issued))
    expect(await text('kpi-coupons-used')).toContain(count(r.coupons.used))
    expect(await top(page, 'kpi-messages-step').allTextContents()).toEqual(
      [
        ['写入', r.messages.total],
        ['已推送', r.messages.sent],
        ['已送达', r.messages.delivered],
        ['已读', r.messages.read],
      ].map(([label, n]) => `${label}${count(n as number)}`),
    )
    expect(await top(page, 'kpi-cohort').count()).toBe(r.cohorts.length)
    for (const c of r.cohorts) {
      const row = page.locator(`[data-testid=kpi-cohort][data-month="${c.month}"]`).filter({ visible: true })
      expect(await row.textContent()).toContain(c.rate30 !== null ? `${percent(c.rate30)}${c.within30} 人` : c.firstBuyers === 0 ? '—' : '未满')
    }
    expect(await top(page, 'kpi-tier').count()).toBe(r.tierMix.length)
    for (const tier of r.tierMix) {
      const row = page.locator(`[data-testid=kpi-tier][data-level="${tier.level}"]`).filter({ visible: true })
      expect(await row.textContent()).toContain(`${tier.name}${count(tier.members)} 人`)
    }
    if (r.outreach.length === 0) expect(await text('kpi-outreach-empty')).toContain('暂无提升数据')
    else expect(await top(page, 'kpi-outreach-row').count()).toBe(r.outreach.length)

    // the month-by-month values of the customers chart, as text on request
    await top(page, 'kpi-customers-months-toggle').click()
    const rows = top(page, 'kpi-customers-months').locator('.kpis__table-row')
    expect(await rows.count()).toBe(12)
    expect(await rows.last().textContent()).toContain(`${count(r.customers.series.at(-1)!.customers)} 人`)

    // every chart is drawn: a canvas the size of its box (at the device's pixel ratio), with ink on it
    await settled(page)
    const charts = await inkedPixels(page)
    expect(charts.map((c) => c.chart).sort()).toEqual(
      ['kpi-customers-chart', 'kpi-old-customers-chart', 'kpi-repeat-chart', 'kpi-members-chart', 'kpi-tiers-chart', 'kpi-coupons-chart', 'kpi-messages-chart'].sort(),
    )
    for (const c of charts) {
      expect(c.width, c.chart).toBe(c.boxWidth)
      expect(c.width, c.chart).toBeGreaterThan(200)
      expect(c.inked, c.chart).toBeGreaterThan(1_000)
    }

    await expectAccessible(page, 'manager view (经营数据)')
    // the page scrolls inside Taro's page container: a viewport as tall as the report, for one whole screenshot
    const height = await page.evaluate(() => Math.ceil(document.querySelector<HTMLElement>('[data-testid=kpis-report]')!.getBoundingClientRect().height + 400))
    await page.setViewportSize({ width: 390, height })
    await settled(page)
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-kpis.png'), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })

    // the last 6 months: asked again, drawn again with 6 months
    await top(page, 'kpis-range').filter({ hasText: '近 6 个月' }).click()
    await expect.poll(async () => (await top(page, 'kpis-report').getAttribute('data-from').catch(() => null)) ?? '', { timeout: 10_000 }).not.toBe(from)
    expect(await top(page, 'kpis-range').filter({ hasText: '近 6 个月' }).getAttribute('aria-checked')).toBe('true')
    await top(page, 'kpi-customers-months-toggle').click()
    expect(await top(page, 'kpi-customers-months').locator('.kpis__table-row').count()).toBe(6)
    await settled(page)
    for (const c of await inkedPixels(page)) expect(c.inked, c.chart).toBeGreaterThan(1_000)
  }, 90_000)

  it('shows sam, a staff member, no link to it, and refuses him there in a sentence', async () => {
    const refused = await t.app.inject({ method: 'GET', url: '/api/admin/kpis', headers: { authorization: `Bearer ${await staffToken('sam')}` } })
    expect(refused.statusCode).toBe(403)

    const page = await openAs('sam')
    await top(page, 'tab-staff').click()
    await expect.poll(() => top(page, 'staff-header').textContent(), { timeout: 10_000 }).toContain('Sam 孙')
    await top(page, 'staff-link-customers').waitFor({ timeout: 10_000 })
    expect(await top(page, 'staff-link-kpis').count()).toBe(0)
    // typed in by hand: the page says why not
    await page.evaluate(() => {
      window.location.hash = '#/packages/staff/kpis/index'
    })
    await expect.poll(() => top(page, 'kpis-forbidden').textContent(), { timeout: 10_000 }).toContain('只对店长和管理员开放')
    await settled(page)
    await expectAccessible(page, 'manager view refused (staff)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-kpis-refused.png') })
  }, 60_000)
})
