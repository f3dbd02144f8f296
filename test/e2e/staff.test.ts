import path from 'node:path'
import { Types } from 'mongoose'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxOpenid, sandboxUnionid } from '../../tools/wechat-sandbox/users.js'
import { shanghaiDate } from '@member-center/shared'
import type { TestContext } from '../helpers/app.js'
import { TEST_APPID } from '../helpers/sandbox.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, openAs as openBrowserAs, settled, startBrowserApp, top } from './browser.js'

/**
 * The Staff tab in the H5 build, in headless Chromium, against the real app and the demo seed: sam (staff of SH-01)
 * logs in through the sandbox, enters alice's current member code as if he had scanned it, sees her at a glance,
 * verifies one of her coupons at the counter — and the coupon is used in alice's wallet. Members never see the tab.
 * mia (manager of SH-01) calls a member from a task, and on alice's page adds an anniversary, makes sam her dedicated
 * advisor and calls her.
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

  it('lets mia, a manager, call a member from a task, and on alice’s page add an anniversary, make sam her advisor and call her', async () => {
    // a member of SH-01 whose birthday is today, with a phone: a task of the store's day with "call"
    const carol = await t.login('carol-e2e')
    const carolId = new Types.ObjectId(carol.memberId)
    await t.app.members.repo.assignStoreAndAdvisor(carolId, { homeStore: 'SH-01' })
    await t.app.members.repo.updateProfile(carolId, { birthday: shanghaiDate(new Date()).slice(5) })
    await t.app.members.repo.setPhone(carolId, '13900139555')
    const carolName = ((await t.models.Member.findById(carolId).lean()) as unknown as { nickname: string }).nickname
    const alice = await t.login('alice')
    const reveals = async (memberId: string) => (await t.app.audit.list({ memberId, action: 'staff.phone-reveal' })).map((e) => ({ actorName: e.actorName, store: e.store, details: e.details }))
    // H5's makePhoneCall opens tel:, which a browser hands to the phone app: the page stays where it is. (Headless
    // Chromium has no phone app and keeps the tab's clicks for its "open an app?" prompt, which nobody answers here:
    // so each call below is the last tap on its page.)
    const stays = (page: Page) => {
      const left: string[] = []
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame() && !frame.url().startsWith(appUrl)) left.push(frame.url())
      })
      return left
    }

    // the tab: carol's birthday task, with a call
    const tab = await openAs('mia')
    const leftTab = stays(tab)
    await top(tab, 'tab-staff').click()
    await expect.poll(() => top(tab, 'staff-header').textContent(), { timeout: 10_000 }).toContain('Mia 马')
    const task = top(tab, 'staff-task').filter({ hasText: carolName }).filter({ hasText: '生日' })
    await task.waitFor({ timeout: 10_000 })
    await task.locator('[data-testid=staff-task-call]').click()
    await expect.poll(() => task.locator('[data-testid=staff-task-call-status]').textContent(), { timeout: 10_000 }).toContain('13900139555')
    const [fromTask] = await reveals(carol.memberId)
    expect(fromTask).toEqual({ actorName: 'Mia 马', store: 'SH-01', details: { phone: '139****9555', taskId: expect.stringMatching(new RegExp(`^birthday:\\d{4}-\\d{2}-\\d{2}:${carol.memberId}$`)) } })
    await settled(tab)
    expect(leftTab).toEqual([])
    expect(await top(tab, 'staff-header').textContent()).toContain('Mia 马')
    await expectAccessible(tab, 'staff tab (manager, after a call)')
    await tab.screenshot({ path: path.join(ARTIFACTS, 'staff-tab-manager.png'), fullPage: true })
    await tab.close()

    // alice, by her phone number
    const page = await openAs('mia')
    const left = stays(page)
    await top(page, 'tab-staff').click()
    await page.locator('input[aria-label="会员码或手机号"]').filter({ visible: true }).fill('13800138000')
    await top(page, 'staff-lookup-go').click()
    await expect.poll(() => top(page, 'glance-name').textContent(), { timeout: 10_000 }).toBe('Alice')
    await settled(page)

    // an anniversary: a label, then month and day from the pickers (their first rows: 1 月, 1 日)
    const before = await top(page, 'glance-anniversary').count()
    await page.locator('input[aria-label="纪念日名称"]').filter({ visible: true }).fill('结婚纪念日')
    for (const picker of ['glance-anniversary-month', 'glance-anniversary-day']) {
      await top(page, picker).click()
      await page.locator('.weui-picker__action').filter({ hasText: '确定' }).filter({ visible: true }).click()
      await settled(page)
    }
    expect(await top(page, 'glance-anniversary-month').textContent()).toContain('1 月')
    expect(await top(page, 'glance-anniversary-day').textContent()).toContain('1 日')
    await top(page, 'glance-anniversary-add').click()
    await expect.poll(() => top(page, 'glance-anniversary').count(), { timeout: 10_000 }).toBe(before + 1)
    expect(await top(page, 'glance-anniversary').last().textContent()).toContain('结婚纪念日 · 1月1日')
    expect(await top(page, 'glance-anniversary-row').filter({ hasText: '1月1日' }).count()).toBeGreaterThan(0)

    // the dedicated advisor: sam, picked from SH-01's staff
    const sam = top(page, 'advisor-choice').filter({ hasText: 'Sam 孙' })
    await sam.waitFor({ timeout: 10_000 })
    expect(await top(page, 'advisor-choice').filter({ hasText: 'Mia 马' }).count()).toBe(1)
    await sam.click()
    await top(page, 'advisor-save').click()
    await expect.poll(() => top(page, 'advisor-saved').textContent(), { timeout: 10_000 }).toContain('Sam 孙')
    await expect.poll(() => top(page, 'glance-advisor-name').textContent(), { timeout: 10_000 }).toBe('Sam 孙')

    // call alice: her whole number is revealed to mia (audited) and dialled
    await top(page, 'glance-call').click()
    await expect.poll(() => top(page, 'glance-call-status').textContent(), { timeout: 10_000 }).toContain('13800138000')
    await settled(page)
    expect(left).toEqual([])
    expect(await top(page, 'glance-name').textContent()).toBe('Alice')
    await expectAccessible(page, 'member page (manager)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'staff-member-manager.png'), fullPage: true })
    // the page scrolls inside Taro's page container: the advisor picker and the anniversaries further down, each on its own
    await top(page, 'glance-advisor').screenshot({ path: path.join(ARTIFACTS, 'staff-member-advisor.png') })
    await top(page, 'glance-anniversaries').screenshot({ path: path.join(ARTIFACTS, 'staff-member-anniversaries.png') })

    // what the server kept: the anniversary, sam as advisor, mia's reveal of alice's number — all audited
    const glance = (await t.app.inject({ method: 'GET', url: `/api/staff/members/${alice.memberId}`, headers: { authorization: `Bearer ${t.adminToken()}` } })).json()
    expect(glance.clienteling.anniversaries).toContainEqual({ label: '结婚纪念日', date: '01-01' })
    expect(glance.member.advisor.name).toBe('Sam 孙')
    expect(await reveals(alice.memberId)).toEqual([{ actorName: 'Mia 马', store: 'SH-01', details: { phone: '138****8000' } }])
    const actions = (await t.app.audit.list({ memberId: alice.memberId })).filter((e) => e.actorName === 'Mia 马').map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['staff.lookup', 'staff.clienteling', 'staff.advisor-assign', 'staff.phone-reveal']))
  }, 60_000)
})
