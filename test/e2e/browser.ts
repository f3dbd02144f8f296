import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { H5_DIR, ROOT } from '../../tools/build-client.js'
import { seedDemo } from '../../tools/seed.js'
import { startTestApp, type TestContext } from '../helpers/app.js'
import { TEST_APPID } from '../helpers/sandbox.js'

/** Where the end-to-end tests save their screenshots (look at them: what a person sees is part of the test). */
export const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e')

/** Headless Chromium: Debian's package (CHROMIUM_PATH elsewhere); `npx playwright install` cannot download here. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/** Chromium for the H5 build's tests, once the build is there. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(path.join(H5_DIR, 'index.html'))) throw new Error('no H5 build: run `npm run build:h5` first (npm test does)')
  mkdirSync(ARTIFACTS, { recursive: true })
  return launchChromium()
}

/** A phone-sized page on the H5 build's first screen (the demo login), the sandbox playing wx.login. */
export async function openApp(browser: Browser, appUrl: string, sandboxUrl: string, options: { deviceScaleFactor?: number } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, ...options })
  await page.goto(`${appUrl}/?sandbox=${encodeURIComponent(sandboxUrl)}`)
  return page
}

/** A phone-sized page, logged in as `user` through the demo login, on the card. */
export async function openAs(browser: Browser, appUrl: string, sandboxUrl: string, user: string): Promise<Page> {
  const page = await openApp(browser, appUrl, sandboxUrl, { deviceScaleFactor: 2 })
  await page.locator('input[aria-label="演示用户名"]').fill(user)
  await page.getByText('登录', { exact: true }).click()
  await page.locator('[data-testid=tier-name]').waitFor({ timeout: 15_000 })
  return page
}

/** Once a page transition has finished: Taro's H5 router slides pages in over 300 ms. */
export const settled = (page: Page) => page.waitForTimeout(500)

/** The element on the page on top (Taro's H5 router keeps the pages below in the document, hidden). */
export const top = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`).filter({ visible: true })

/**
 * The real app serving the H5 build on a real port, with the real clock (the browser's), optionally with the demo
 * seed, and Chromium to drive it. `close` ends both.
 */
export async function startBrowserApp(options: { seed?: boolean } = {}): Promise<{ t: TestContext; appUrl: string; browser: Browser; close: () => Promise<void> }> {
  const t = await startTestApp({ H5_DIR, now: () => new Date() })
  if (options.seed) await seedDemo(t.app, TEST_APPID)
  const appUrl = await t.app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  return {
    t,
    appUrl,
    browser,
    close: async () => {
      await browser.close()
      await t.close()
    },
  }
}
