import { existsSync } from 'node:fs'
import path from 'node:path'
import { MESSAGE_CATALOGUE } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { APP_PAGES, TAB_PAGES, targetOf } from '../../client/src/packages/messages/pages.js'
import { WEAPP_DIR } from '../../tools/build-client.js'
import { WeappPackage } from './weapp-analysis.js'

const KB = 1024

/** Text only the subscribe prompt holds (its H5 stand-in for WeChat's dialog posts there; string literals survive minification). */
const SUBSCRIBE_PROMPT = '/sandbox/subscribe'

/**
 * Messaging in the weapp build: the inbox and the preferences are a subpackage of their own; the subscribe prompt,
 * used from five subpackages, travels with them and stays out of the main package (only the small messages service
 * the Me tab reads the unread count with is there). And the inbox opens a message's page only when the app has it.
 */
describe('the weapp build: the messages subpackage and the subscribe prompt', () => {
  let weapp: WeappPackage
  const holding = (marker: string) => weapp.files.filter((f) => f.endsWith('.js') && weapp.read(f).includes(marker))

  beforeAll(() => {
    if (!existsSync(path.join(WEAPP_DIR, 'app.json'))) throw new Error('no weapp build: run `npm run build:weapp` first (npm test does)')
    weapp = new WeappPackage(WEAPP_DIR)
  })

  it('declares the messages subpackage with the inbox and the preferences, well under the 2 MB limit', () => {
    expect(weapp.pagesByPackage().get('packages/messages/')).toEqual(['packages/messages/inbox/index', 'packages/messages/preferences/index'])
    expect(weapp.sizes().packages.get('packages/messages/')!).toBeLessThan(256 * KB)
  })

  it('keeps the subscribe prompt in the subpackages that ask for consent, out of the main package', () => {
    expect(new Set(holding(SUBSCRIBE_PROMPT).map((f) => weapp.packageOf(f)))).toEqual(new Set(['packages/mall/', 'packages/points/', 'packages/messages/', 'packages/programs/', 'packages/appointments/']))
  })

  it('knows every page of the app, and only those, as a message’s page to open', () => {
    expect([...APP_PAGES].sort()).toEqual([...weapp.pagesByPackage().values()].flat().sort())
    expect([...TAB_PAGES].sort()).toEqual(weapp.app.tabBar!.list.map((t) => t.pagePath).sort())
  })
})

describe('a message’s page in the inbox', () => {
  it('opens a page of the app, a tab page with switchTab and without a query', () => {
    expect(targetOf('packages/points/history/index')).toEqual({ url: '/packages/points/history/index', tab: false })
    expect(targetOf('/packages/mall/result/index?id=42')).toEqual({ url: '/packages/mall/result/index?id=42', tab: false })
    expect(targetOf('pages/me/index?from=message')).toEqual({ url: '/pages/me/index', tab: true })
  })

  it('opens nothing for a page the app does not have, or none', () => {
    expect(targetOf('packages/orders/detail/index')).toBeNull()
    expect(targetOf('https://example.com/')).toBeNull()
    expect(targetOf(null)).toBeNull()
    expect(targetOf('')).toBeNull()
  })

  it('opens the pages the catalogue names where the app has them', () => {
    const opened = Object.values(MESSAGE_CATALOGUE).filter((d) => targetOf(d.page)).map((d) => d.kind)
    expect(opened).toEqual(expect.arrayContaining(['points_confirmed', 'refund_progress', 'tier_upgrade', 'birthday', 'member_day', 'staff_care']))
  })
})
