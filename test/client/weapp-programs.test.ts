import { existsSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { WEAPP_DIR } from '../../tools/build-client.js'
import { WeappPackage } from './weapp-analysis.js'

const KB = 1024

/**
 * The birthday and member-day pages in the weapp build: one subpackage (packages/programs) for both, small; the main
 * package holds only what the card needs to point to them (the banners and the member-day visit).
 */
describe('the weapp build: the programs subpackage', () => {
  let weapp: WeappPackage

  beforeAll(() => {
    if (!existsSync(path.join(WEAPP_DIR, 'app.json'))) throw new Error('no weapp build: run `npm run build:weapp` first (npm test does)')
    weapp = new WeappPackage(WEAPP_DIR)
  })

  it('declares the birthday and member-day pages in their own subpackage, well under the 2 MB limit', () => {
    expect(weapp.pagesByPackage().get('packages/programs/')).toEqual(['packages/programs/birthday/index', 'packages/programs/member-day/index'])
    const size = weapp.sizes().packages.get('packages/programs/')!
    console.log(`packages/programs: ${(size / KB).toFixed(1)} KB`)
    expect(size).toBeLessThan(128 * KB)
  })

  it('keeps the birthday form and the member-day page out of the main package', () => {
    // test ids only those pages hold (string literals survive minification)
    for (const marker of ['birthday-form', 'member-day-prices']) {
      const holders = weapp.files.filter((f) => f.endsWith('.js') && weapp.read(f).includes(marker)).map((f) => weapp.packageOf(f))
      expect(new Set(holders), marker).toEqual(new Set(['packages/programs/']))
    }
  })
})
