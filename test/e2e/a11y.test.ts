import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible } from './a11y.js'
import { launchChromium } from './browser.js'

/** The accessibility check itself: it must fail on what once reached the demo, and pass a page that is fine. */
describe('expectAccessible', () => {
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 390, height: 844 } })
  })
  afterAll(async () => {
    await browser?.close()
  })

  const show = (body: string) =>
    page.setContent(`<!doctype html><html lang="zh-CN"><head><title>t</title><style>body{font:16px sans-serif}</style></head><body><main>${body}</main></body></html>`)
  const failureOf = (name: string) => expectAccessible(page, name).then(() => '', (e: Error) => e.message)

  it('passes a readable page', async () => {
    await show('<h1>会员卡</h1><p style="color:#6b625b">可用积分</p><button>重试</button><img src="data:," alt="会员码">')
    await expectAccessible(page, 'fine')
  })

  it('fails on axe violations: low contrast, an image without alternative, no lang', async () => {
    await page.setContent('<!doctype html><html><head><title>t</title></head><body><main><p style="color:#b08d57">3,560</p><img src="data:,"></main></body></html>')
    const message = await failureOf('bad')
    expect(message).toContain('color-contrast')
    expect(message).toContain('image-alt')
    expect(message).toContain('html-has-lang')
    expect(message).toContain('#b08d57') // says which colour, on which element
  })

  it('fails on white text on a white button, which axe itself only marks for review', async () => {
    await show('<p>选择演示用户登录</p><div role="button" tabindex="0" style="background:#fff;color:rgba(255,255,255,.6)">Alice · 金卡</div>')
    expect(await failureOf('white on white')).toContain('color-contrast (measured here)')
  })

  it('measures text on a gradient against its lightest stop', async () => {
    await show('<div style="background:linear-gradient(135deg,#8e9aa6,#c9d1d8);color:#fff;padding:20px"><p>银卡会员</p></div>')
    expect(await failureOf('light gradient')).toMatch(/text over a gradient: 1\.\d+:1/)
    await show('<div style="background:linear-gradient(135deg,#4a5561,#687684);color:#fff;padding:20px"><p>银卡会员</p></div>')
    await expectAccessible(page, 'dark gradient')
  })

  it('fails on a boolean attribute written as "false"', async () => {
    await show('<p>登录</p><taro-button-core disabled="false">登录</taro-button-core>')
    expect(await failureOf('disabled="false"')).toContain('boolean-attribute-false')
  })
})
