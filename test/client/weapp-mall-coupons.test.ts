import { existsSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { WEAPP_DIR } from '../../tools/build-client.js'
import { WeappPackage } from './weapp-analysis.js'

const KB = 1024

/** Text only the named part of the app holds (string literals survive minification). */
const MARKERS = {
  mallService: '/api/mall/redemptions',
  couponService: '/api/me/coupons',
  // jsbarcode's Code 128 encoder
  barcodeEncoder: 'The encoding does not start with a start character.',
}

/**
 * The points mall and the coupon wallet are subpackages of their own (DESIGN.md §3): their pages, their services and
 * the barcode encoder load when a member opens them, and the main package — the tab pages — does not grow with them.
 */
describe('the weapp build: the mall and coupons subpackages', () => {
  let weapp: WeappPackage
  const holding = (marker: string) => weapp.files.filter((f) => f.endsWith('.js') && weapp.read(f).includes(marker))

  beforeAll(() => {
    if (!existsSync(path.join(WEAPP_DIR, 'app.json'))) throw new Error('no weapp build: run `npm run build:weapp` first (npm test does)')
    weapp = new WeappPackage(WEAPP_DIR)
  })

  it('declares both subpackages with their pages, each well under the 2 MB limit', () => {
    const pages = weapp.pagesByPackage()
    expect(pages.get('packages/mall/')).toEqual(
      ['items', 'item', 'confirm', 'result', 'history'].map((p) => `packages/mall/${p}/index`),
    )
    expect(pages.get('packages/coupons/')).toEqual(['wallet', 'detail'].map((p) => `packages/coupons/${p}/index`))
    for (const page of [...pages.get('packages/mall/')!, ...pages.get('packages/coupons/')!]) expect(weapp.has(`${page}.js`), page).toBe(true)
    const { packages } = weapp.sizes()
    expect(packages.get('packages/mall/')!).toBeLessThan(512 * KB)
    expect(packages.get('packages/coupons/')!).toBeLessThan(512 * KB)
  })

  it('keeps the mall service, the coupon service and the barcode encoder in their subpackages, out of the main package', () => {
    expect(holding(MARKERS.mallService).map((f) => weapp.packageOf(f))).toEqual(expect.arrayContaining(['packages/mall/']))
    expect(holding(MARKERS.couponService).map((f) => weapp.packageOf(f))).toEqual(expect.arrayContaining(['packages/coupons/']))
    expect(holding(MARKERS.barcodeEncoder).map((f) => weapp.packageOf(f))).toEqual(['packages/coupons/'])
    for (const marker of Object.values(MARKERS)) expect(holding(marker).filter((f) => weapp.packageOf(f) === 'main'), marker).toEqual([])
  })
})
