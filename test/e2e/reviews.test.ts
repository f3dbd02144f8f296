import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { H5_DIR } from '../../tools/build-client.js'
import { seedDemo } from '../../tools/seed.js'
import { startTestApp, type TestContext } from '../helpers/app.js'
import { TEST_APPID } from '../helpers/sandbox.js'
import { sandboxOpenid, sandboxUnionid } from '../../tools/wechat-sandbox/users.js'
import { expectAccessible } from './a11y.js'
import { ARTIFACTS, launchBrowser, openAs as openBrowserAs, settled, top } from './browser.js'

/** The token WeChat's message push is signed with: the photo's content verdict reaches the app through it. */
const PUSH_TOKEN = 'e2ereviewpush'

/** A small real photo of "the product": a gold disc on a dark cloth, as a phone would send it (JPEG). */
async function productPhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360">
    <rect width="480" height="360" fill="#2b2521"/>
    <circle cx="170" cy="180" r="60" fill="#d9b36c"/><circle cx="310" cy="180" r="60" fill="#d9b36c"/>
    <circle cx="170" cy="180" r="22" fill="#f4f1ea"/><circle cx="310" cy="180" r="22" fill="#f4f1ea"/>
  </svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}

/**
 * Photo-review campaigns in the H5 build, in headless Chromium, against the real app and the demo seed (campaign
 * "晒单有礼": earrings and charms, 200 points whatever the rating, a photo and 10 characters): alice reviews her
 * diamond studs with two stars, a photo and a few words; WeChat's content checks pass (the text at once, the photo by
 * push); mia, a manager, approves it and replies; ada (admin) follows the two stars up; alice's points history shows
 * the 200 points and the product's public list her review. sam, plain staff, may not moderate.
 *
 * The app is started here as startBrowserApp does, with a push token: the photo's verdict arrives as WeChat's
 * wxa_media_check push, which the sandbox signs with it.
 */
describe('photo reviews in a browser', () => {
  let t: TestContext
  let appUrl: string
  let browser: Browser

  beforeAll(async () => {
    t = await startTestApp({ H5_DIR, now: () => new Date(), WECHAT_PUSH_TOKEN: PUSH_TOKEN })
    await seedDemo(t.app, TEST_APPID)
    appUrl = await t.app.listen({ port: 0, host: '127.0.0.1' })
    await t.sandbox.configurePush({ appid: TEST_APPID, url: `${appUrl}/api/wechat/push`, token: PUSH_TOKEN, mode: 'plain', format: 'json', verify: true })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const openAs = (user: string) => openBrowserAs(browser, appUrl, t.sandbox.url, user)
  const scrollToTop = (page: Page) => page.evaluate(() => document.querySelectorAll('.taro_page').forEach((p) => p.scrollTo(0, 0)))
  const goTo = (page: Page, route: string) => page.goto(`${appUrl}/?sandbox=${encodeURIComponent(t.sandbox.url)}#/${route}`)

  it('lets alice review her studs with two stars and a photo, mia approve it, and alice gets 200 points', async () => {
    const page = await openAs('alice')

    // the Me tab links the reviews; her studs are offered first, with the reward and that the stars do not matter
    await top(page, 'tab-me').click()
    await top(page, 'me-link-reviews').click()
    const studs = top(page, 'reviewable').filter({ hasText: '钻石耳钉' })
    await studs.first().waitFor({ timeout: 10_000 })
    expect(await studs.first().getAttribute('data-sku')).toBe('EAR-DM-007')
    // lines with an offer come first
    expect(await top(page, 'reviewable').first().locator('[data-testid=reviewable-offer]').count()).toBe(1)
    expect(await studs.first().locator('[data-testid=reviewable-reward]').textContent()).toBe('审核通过可得 200 积分，与评分无关')
    expect(await studs.first().locator('[data-testid=reviewable-offer]').textContent()).toContain('至少 1 张商品照片')
    await settled(page)
    await expectAccessible(page, 'reviews (to review)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'reviews-list.png'), fullPage: true })

    // the write page: the product, the offer, two stars, a few honest words, one photo
    await studs.first().locator('[data-testid=reviewable-write]').click()
    await expect.poll(() => top(page, 'write-product').textContent(), { timeout: 10_000 }).toBe('钻石耳钉')
    expect(await top(page, 'write-offer').textContent()).toContain('审核通过可得 200 积分，与评分无关')
    expect(await top(page, 'write-note').textContent()).toContain('与评分无关')
    expect(await top(page, 'write-note').textContent()).toContain('只有在本小程序发表的评价参与奖励')
    expect(await top(page, 'review-submit').getAttribute('aria-disabled')).toBe('true')
    await top(page, 'rate-2').click()
    expect(await top(page, 'rate-2').getAttribute('aria-pressed')).toBe('true')
    expect(await top(page, 'rate-2').getAttribute('aria-label')).toBe('2 星，不满意')
    expect(await top(page, 'rating-word').textContent()).toBe('2 星 · 不满意')
    const text = '耳钉很闪，但是耳堵有点松，戴久了耳朵不太舒服。'
    await page.locator('textarea[aria-label="评价内容"]').filter({ visible: true }).fill(text)
    await expect.poll(() => top(page, 'review-count').textContent(), { timeout: 5_000 }).toBe(`已写 ${[...text].length} 字，已满足字数要求`)
    await page.locator('input[type=file][aria-label="添加照片"]').filter({ visible: true }).setInputFiles({ name: 'studs.jpg', mimeType: 'image/jpeg', buffer: await productPhoto() })
    await expect.poll(() => top(page, 'photo-thumb').count(), { timeout: 15_000 }).toBe(1)
    expect(await top(page, 'photo-error').count()).toBe(0)
    // the thumbnail is the server's (re-encoded, signed link) and it loads
    await expect.poll(() => top(page, 'photo-thumb').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true)
    expect(await top(page, 'photo-count').textContent()).toContain('已添加 1/9 张')
    await settled(page)
    await expectAccessible(page, 'write a review')
    // the page scrolls inside Taro's page element: one picture of its top, one of its bottom
    await page.screenshot({ path: path.join(ARTIFACTS, 'reviews-write-photo.png'), fullPage: true })
    await scrollToTop(page)
    await page.screenshot({ path: path.join(ARTIFACTS, 'reviews-write.png'), fullPage: true })

    await top(page, 'review-submit').click()
    await top(page, 'review-submitted').waitFor({ timeout: 10_000 })
    expect(await top(page, 'review-submitted').textContent()).toContain('200 积分')
    await top(page, 'review-to-mine').click()
    const mine = top(page, 'my-review').filter({ hasText: '钻石耳钉' })
    await mine.first().waitFor({ timeout: 10_000 })
    expect(['内容检测中', '待审核']).toContain(await mine.first().locator('[data-testid=my-review-state]').textContent())
    expect(await mine.first().locator('[data-testid=stars]').getAttribute('aria-label')).toBe('2 星')

    // WeChat's checks: the job sends the text (answered at once) and the photo (its verdict pushed); then 待审核
    await expect
      .poll(
        async () => {
          await t.app.jobs.drain()
          await t.sandbox.releaseMediaChecks()
          await top(page, 'reviews-tab-todo').click()
          await top(page, 'reviews-tab-mine').click()
          await top(page, 'my-review').first().waitFor({ timeout: 10_000 })
          return top(page, 'my-review').filter({ hasText: '钻石耳钉' }).first().getAttribute('data-state')
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe('pending')
    expect(await mine.first().locator('[data-testid=my-review-state]').textContent()).toBe('待审核')
    expect(await mine.first().locator('[data-testid=my-review-reward]').textContent()).toBe('审核通过后可得 200 积分（与评分无关）')
    await expect.poll(() => mine.first().locator('[data-testid=review-photo] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true)
    await settled(page)
    await expectAccessible(page, 'my reviews')
    await page.screenshot({ path: path.join(ARTIFACTS, 'reviews-mine.png'), fullPage: true })

    // mia, a manager, sees it in the queue with the verdicts in words, and approves it
    const mia = await openAs('mia')
    await goTo(mia, 'packages/moderation/queue/index')
    const card = top(mia, 'mod-review').filter({ hasText: '钻石耳钉' })
    await card.first().waitFor({ timeout: 10_000 })
    expect(await card.first().locator('[data-testid=mod-check-text]').textContent()).toBe('文字检测：通过')
    expect(await card.first().locator('[data-testid=mod-check-photo]').textContent()).toBe('照片检测：通过')
    expect(await card.first().locator('[data-testid=stars]').getAttribute('aria-label')).toBe('2 星')
    expect(await card.first().locator('[data-testid=mod-photo]').count()).toBe(1)
    await expect.poll(() => card.first().locator('[data-testid=mod-photo] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true)
    await settled(mia)
    await expectAccessible(mia, 'moderation queue')
    await mia.screenshot({ path: path.join(ARTIFACTS, 'moderation-queue.png'), fullPage: true })
    await card.first().locator('[data-testid=mod-approve]').click()
    await expect.poll(() => top(mia, 'mod-notice').textContent(), { timeout: 10_000 }).toContain('已通过：钻石耳钉')
    await top(mia, 'mod-tab-approved').click()
    const approved = top(mia, 'mod-review').filter({ hasText: '钻石耳钉' })
    await approved.first().waitFor({ timeout: 10_000 })
    expect(await approved.first().getAttribute('data-state')).toBe('approved')
    // the brand replies (评价解释), shown under the published review
    await approved.first().locator('[data-testid=mod-reply]').click()
    await mia.locator('textarea[aria-label="品牌回复"]').filter({ visible: true }).fill('感谢反馈！耳堵松动可到门店免费更换，我们会尽快联系你。')
    await top(mia, 'mod-reply-confirm').click()
    await expect.poll(() => top(mia, 'mod-notice').textContent(), { timeout: 10_000 }).toContain('已回复：钻石耳钉')
    await expect.poll(() => approved.first().textContent(), { timeout: 10_000 }).toContain('感谢反馈！耳堵松动可到门店免费更换')
    await settled(mia)
    await expectAccessible(mia, 'moderation approved')
    await mia.screenshot({ path: path.join(ARTIFACTS, 'moderation-approved.png'), fullPage: true })

    // two stars: the review is in the follow-up log of the sale's store — alice's studs were bought online, so the
    // service team's: ada, an admin, who sees every store's, calls alice and notes it
    const by = { actor: 'e2e', role: 'admin' }
    const { staff } = await t.app.staff.records.create({ name: 'Ada 安', role: 'admin', store: null }, by)
    await t.app.staff.records.bind(staff.id, { openid: sandboxOpenid(TEST_APPID, 'ada'), unionid: sandboxUnionid('ada') }, by)
    const ada = await openAs('ada')
    await goTo(ada, 'packages/moderation/queue/index')
    await ada.getByText('差评跟进 ›').filter({ visible: true }).click()
    const followUp = top(ada, 'follow-up').filter({ hasText: '钻石耳钉' })
    await followUp.first().waitFor({ timeout: 10_000 })
    expect(await followUp.first().locator('[data-testid=follow-up-status]').textContent()).toBe('待跟进')
    expect(await followUp.first().locator('[data-testid=stars]').getAttribute('aria-label')).toBe('2 星')
    await followUp.first().locator('input[aria-label="跟进备注"]').fill('已电话联系，约周末到店更换耳堵')
    await followUp.first().getByText('添加备注').click()
    await expect.poll(() => followUp.first().textContent(), { timeout: 10_000 }).toContain('已电话联系，约周末到店更换耳堵')
    await followUp.first().locator('[data-testid=follow-up-contacted]').click()
    await expect.poll(() => followUp.first().locator('[data-testid=follow-up-status]').textContent(), { timeout: 10_000 }).toBe('已联系')
    await expect.poll(() => top(ada, 'follow-up-report-row').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await settled(ada)
    await expectAccessible(ada, 'follow-ups')
    await ada.screenshot({ path: path.join(ARTIFACTS, 'moderation-follow-ups.png'), fullPage: true })

    // alice: 200 points in her history, named as the review's reward — for a two-star review
    await goTo(page, 'packages/points/history/index')
    const entry = top(page, 'history-entry').filter({ hasText: '晒单奖励' })
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(1)
    expect(await entry.first().textContent()).toContain('+200')
    expect(await entry.first().textContent()).toContain('钻石耳钉')
    await settled(page)
    await expectAccessible(page, 'points history (review reward)')
    await page.screenshot({ path: path.join(ARTIFACTS, 'reviews-points-history.png'), fullPage: true })

    // and her review says so
    // (Taro's H5 router shows the list page already in its history as it was: choose the tab)
    await goTo(page, 'packages/reviews/index/index?tab=mine')
    await top(page, 'reviews-tab-mine').click()
    const granted = top(page, 'my-review').filter({ hasText: '钻石耳钉' })
    await expect.poll(() => granted.first().locator('[data-testid=my-review-reward]').getAttribute('data-reward'), { timeout: 10_000 }).toBe('granted')
    expect(await granted.first().locator('[data-testid=my-review-reward]').textContent()).toBe('已获得晒单奖励：200 积分')
    expect(await granted.first().locator('[data-testid=my-review-state]').textContent()).toBe('已通过')
    expect(await granted.first().locator('[data-testid=my-review-reply]').textContent()).toContain('品牌回复')

    // the product's public list: her review, nickname masked, the photo, the brand's reply
    await top(page, 'reviews-tab-todo').click()
    await top(page, 'reviewable').filter({ hasText: '钻石耳钉' }).first().getByText('看看评价').click()
    await expect.poll(() => top(page, 'product-count').textContent(), { timeout: 10_000 }).toBe('共 1 条评价')
    const published = top(page, 'public-review')
    expect(await published.count()).toBe(1)
    expect(await published.first().locator('[data-testid=public-review-nickname]').textContent()).not.toBe('Alice')
    expect(await published.first().locator('[data-testid=public-review-reply]').textContent()).toContain('品牌回复')
    await expect.poll(() => published.first().locator('[data-testid=review-photo] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true)
    await settled(page)
    await expectAccessible(page, 'product reviews')
    await page.screenshot({ path: path.join(ARTIFACTS, 'reviews-product.png'), fullPage: true })
    // the average of one two-star review is two, as the API says it
    const list = await t.app.inject({ method: 'GET', url: '/api/products/EAR-DM-007/reviews' })
    expect(list.statusCode, list.body).toBe(200)
    expect(list.json().averageRating, list.body).toBe(2)
    expect(await top(page, 'product-average').textContent()).toBe('2.0')
  }, 120_000)

  it('says why a file is refused, and lets alice delete a review after confirming', async () => {
    const page = await openAs('alice')
    await goTo(page, 'packages/reviews/index/index')
    const charm = top(page, 'reviewable').filter({ hasText: '足金转运珠' })
    await charm.first().waitFor({ timeout: 10_000 })
    await charm.first().locator('[data-testid=reviewable-write]').click()
    await expect.poll(() => top(page, 'write-product').textContent(), { timeout: 10_000 }).toBe('足金转运珠')
    // a file named .jpg that is not an image: the server's refusal, in a sentence, and nothing added
    const input = page.locator('input[type=file][aria-label="添加照片"]').filter({ visible: true })
    await input.setInputFiles({ name: 'charm.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a photo at all') })
    await expect.poll(() => top(page, 'photo-error').textContent(), { timeout: 10_000 }).toBe('这个文件不是图片，请选择 JPEG、PNG 或 WebP 格式的照片。')
    expect(await top(page, 'photo-thumb').count()).toBe(0)
    // a real one, then removed and added again
    await input.setInputFiles({ name: 'charm.jpg', mimeType: 'image/jpeg', buffer: await productPhoto() })
    await expect.poll(() => top(page, 'photo-thumb').count(), { timeout: 15_000 }).toBe(1)
    expect(await top(page, 'photo-error').count()).toBe(0)
    await top(page, 'photo-remove').click()
    expect(await top(page, 'photo-thumb').count()).toBe(0)
    await input.setInputFiles({ name: 'charm.jpg', mimeType: 'image/jpeg', buffer: await productPhoto() })
    await expect.poll(() => top(page, 'photo-thumb').count(), { timeout: 15_000 }).toBe(1)
    await top(page, 'rate-5').click()
    await page.locator('textarea[aria-label="评价内容"]').filter({ visible: true }).fill('转运珠做工精细，送给妈妈她很喜欢。')
    await top(page, 'review-submit').click()
    await top(page, 'review-to-mine').click()
    const mine = top(page, 'my-review').filter({ hasText: '足金转运珠' })
    await mine.first().waitFor({ timeout: 10_000 })

    // delete: asked first (kept when she keeps it), then gone from the public and marked deleted
    await mine.first().locator('[data-testid=my-review-delete]').click()
    const modal = page.locator('.taro-modal__foot').filter({ visible: true })
    await modal.waitFor({ timeout: 10_000 })
    expect(await page.locator('.taro-modal__text').filter({ visible: true }).textContent()).toContain('删除后评价和照片将不再展示')
    await modal.getByText('保留', { exact: true }).click()
    expect(await mine.first().getAttribute('data-state')).not.toBe('removed')
    await mine.first().locator('[data-testid=my-review-delete]').click()
    await modal.waitFor({ timeout: 10_000 })
    await modal.getByText('删除', { exact: true }).click()
    await expect.poll(() => mine.first().getAttribute('data-state'), { timeout: 10_000 }).toBe('removed')
    expect(await mine.first().locator('[data-testid=my-review-state]').textContent()).toBe('已删除')
    expect(await mine.first().locator('[data-testid=my-review-delete]').count()).toBe(0)
    await settled(page)
    await expectAccessible(page, 'my reviews (deleted)')
  })

  it('tells sam, who is staff and not a manager, that moderation needs a manager', async () => {
    const page = await openAs('sam')
    await goTo(page, 'packages/moderation/queue/index')
    await top(page, 'moderation-forbidden').waitFor({ timeout: 10_000 })
    expect(await top(page, 'moderation-forbidden').textContent()).toContain('审核需要店长权限')
    // and the server agrees: the queue is 403 to his staff token
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code: await t.sandbox.code('sam') } })
    expect(login.statusCode, login.body).toBe(200)
    const queue = await t.app.inject({ method: 'GET', url: '/api/staff/reviews', headers: { authorization: `Bearer ${login.json().staff.token}` } })
    expect(queue.statusCode, queue.body).toBe(403)
    await settled(page)
    await expectAccessible(page, 'moderation (staff)')
  })
})
