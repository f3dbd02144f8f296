import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { WEAPP_DIR } from '../../tools/build-client.js'

/** WeChat's package limits (DESIGN.md §3): main ≤ 2 MB, each subpackage ≤ 2 MB, all together ≤ 20 MB. */
const MB = 1024 * 1024

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? filesUnder(full) : [full]
  })
}

describe('the weapp build', () => {
  const appJsonPath = path.join(WEAPP_DIR, 'app.json')

  it('exists (npm test builds it with `npm run build:weapp`)', () => {
    expect(existsSync(appJsonPath)).toBe(true)
  })

  it('stays within WeChat package limits, with only the tab pages in the main package', () => {
    const appJson = JSON.parse(readFileSync(appJsonPath, 'utf8')) as {
      pages: string[]
      tabBar: { list: { pagePath: string }[] }
      subPackages?: { root: string }[]
      subpackages?: { root: string }[]
    }
    const roots = (appJson.subPackages ?? appJson.subpackages ?? []).map((p) => p.root.replace(/\/$/, '') + '/')
    const sizes = { main: 0, total: 0, sub: new Map<string, number>() }
    for (const file of filesUnder(WEAPP_DIR)) {
      if (file.endsWith('.map')) continue
      const rel = path.relative(WEAPP_DIR, file)
      const size = statSync(file).size
      sizes.total += size
      const root = roots.find((r) => rel.startsWith(r))
      if (root) sizes.sub.set(root, (sizes.sub.get(root) ?? 0) + size)
      else sizes.main += size
    }
    console.info(`weapp main package ${(sizes.main / 1024).toFixed(0)} KB, all ${(sizes.total / 1024).toFixed(0)} KB`)
    expect(sizes.main).toBeLessThan(2 * MB)
    for (const [root, size] of sizes.sub) expect(size, root).toBeLessThan(2 * MB)
    expect(sizes.total).toBeLessThan(20 * MB)
    expect(appJson.pages.sort()).toEqual(appJson.tabBar.list.map((t) => t.pagePath).sort())
  })
})
