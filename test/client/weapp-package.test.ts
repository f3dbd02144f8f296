import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, WEAPP_DIR } from '../../tools/build-client.js'
import { minificationProblem, WeappPackage, whitespaceProblem } from './weapp-analysis.js'

const KB = 1024
const MB = 1024 * KB

/**
 * The weapp as WeChat DevTools uploads it with this repository's project.config.json, held to its code quality scan
 * (代码质量): package sizes (main and each subpackage ≤ 2 MB, the scan advises ≤ 1.5 MB; all ≤ 20 MB; images and
 * audio ≤ 200 KB), JS/WXML/WXSS compression on, lazy code loading (按需注入), no main-package code or component only
 * subpackages use, no declared component left unused, no file nothing depends on (无依赖文件).
 */
describe('the weapp build, as WeChat DevTools would upload it', () => {
  let weapp: WeappPackage

  beforeAll(() => {
    if (!existsSync(path.join(WEAPP_DIR, 'app.json'))) throw new Error('no weapp build: run `npm run build:weapp` first (npm test does)')
    weapp = new WeappPackage(WEAPP_DIR)
  })

  it('stays within the package limits, with only the tab pages in the main package', () => {
    const { packages, total, media } = weapp.sizes()
    const kb = (n: number) => `${(n / KB).toFixed(0)} KB`
    console.info(
      `weapp packages: ${[...packages].map(([name, size]) => `${name === 'main' ? 'main' : name.replace(/\/$/, '')} ${kb(size)}`).join(', ')}; ` +
        `all ${kb(total)}; images and audio ${kb(media)}`,
    )
    expect(packages.get('main')!).toBeLessThan(1.5 * MB)
    for (const [name, size] of packages) expect(size, name).toBeLessThan(2 * MB)
    expect(total).toBeLessThan(20 * MB)
    expect(media).toBeLessThan(200 * KB)
    expect([...weapp.app.pages].sort()).toEqual(weapp.app.tabBar!.list.map((t) => t.pagePath).sort())
    expect(weapp.roots).toContain('packages/points/')
  })

  it('turns on lazy code loading in the built app.json', () => {
    expect(weapp.app.lazyCodeLoading).toBe('requiredComponents')
  })

  it('is uploaded from project.config.json with JS, WXML and WXSS compression on', () => {
    const project = JSON.parse(readFileSync(path.join(ROOT, 'project.config.json'), 'utf8')) as {
      miniprogramRoot: string
      setting: Record<string, unknown>
    }
    expect(path.resolve(ROOT, project.miniprogramRoot)).toBe(WEAPP_DIR)
    expect(project.setting).toMatchObject({ minified: true, minifyWXML: true, minifyWXSS: true })
  })

  it('ships every script minified and every template and style sheet without layout whitespace', () => {
    const problems = weapp.files.flatMap((file) => {
      const problem = file.endsWith('.js') ? minificationProblem(weapp.read(file)) : /\.(wxml|wxss)$/.test(file) ? whitespaceProblem(weapp.read(file)) : null
      return problem ? [`${file}: ${problem}`] : []
    })
    expect(problems).toEqual([])
    expect(weapp.files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(5)
  })

  it('declares no component a page or component does not use', () => {
    expect(weapp.unusedComponents()).toEqual([])
  })

  it('holds no file that nothing in the app uses', () => {
    expect(weapp.unusedFiles()).toEqual([])
  })

  it('keeps code and components only subpackages use out of the main package (mini.optimizeMainPackage)', () => {
    expect(weapp.mainFilesOnlySubpackagesUse()).toEqual([])
    const { modules, graph } = weapp.mainModulesOnlySubpackagesUse()
    expect(modules).toEqual([])
    // the module graph is whole, so the check above looked at something: every page runs an entry module, and every
    // module required is defined in some script
    for (const pages of weapp.pagesByPackage().values()) for (const page of pages) expect(graph.entries.get(`${page}.js`), page).toHaveLength(1)
    expect([...graph.requires.values()].flat().filter((id) => !graph.definedIn.has(id))).toEqual([])
    expect(graph.definedIn.size).toBeGreaterThan(50)
    // and the points area's own service is in its subpackage
    const pointsService = [...graph.definedIn].filter(([, file]) => file.startsWith('packages/points/')).length
    expect(pointsService).toBeGreaterThan(0)
  })
})

/** The checks above, on a small package built to break each of them: they must be able to fail. */
describe('the weapp package checks', () => {
  let dir: string
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
  const chunk = (ids: number[], modules: Record<number, string>, entry?: number) =>
    `(wx.webpackJsonp=wx.webpackJsonp||[]).push([[${ids.join(',')}],{${Object.entries(modules)
      .map(([id, body]) => `${id}:function(e,t,n){${body}}`)
      .join(',')}}${entry ? `,function(e){var n=function(t){return e(e.s=t)};e.O(0,[2],function(){return n(${entry})});e.O()}` : ''}]);`

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'weapp-checks-'))
    write('app.json', JSON.stringify({ pages: ['pages/index/index'], subPackages: [{ root: 'sub', pages: ['page/index'] }] }))
    write('app.js', 'require("./common");' + chunk([1], { 10: 'n(11)' }, 10))
    write('app.wxss', 'page{color:#000}')
    // module 11 serves the main page; module 12, in the main package's common chunk, only the subpackage's page
    write('common.js', chunk([2], { 11: 't.a=1', 12: 'function x(n){return n(11)}t.b=x' }))
    write('only-sub.js', 'module.exports=1')
    write('pages/index/index.js', 'require("../../common");' + chunk([3], { 20: 'n(11)' }, 20))
    write('pages/index/index.json', JSON.stringify({ usingComponents: { used: '../../components/used/index', unused: '../../components/used/index' } }))
    write('pages/index/index.wxml', '<import src="../../base.wxml"/><template is="t"/>')
    write('base.wxml', '<template name="t"><used/></template>')
    write('components/used/index.js', 'Component({})')
    write('components/used/index.json', '{"component":true}')
    write('components/used/index.wxml', '<view/>')
    write('sub/page/index.js', 'require("../../common");require("../../only-sub");' + chunk([4], { 30: 'n(12)' }, 30))
    write('sub/page/index.json', '{}')
    write('sub/page/index.wxml', '<view/>')
    write('app.js.LICENSE.txt', '/*! MIT */')
    write('icon.png', 'PNG')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds a declared component that no template uses, following <import>', () => {
    expect(new WeappPackage(dir).unusedComponents()).toEqual([{ json: 'pages/index/index.json', name: 'unused' }])
  })

  it('finds files nothing uses', () => {
    expect(new WeappPackage(dir).unusedFiles().sort()).toEqual(['app.js.LICENSE.txt', 'icon.png'])
  })

  it('finds main-package scripts and modules only subpackages use', () => {
    const weapp = new WeappPackage(dir)
    expect(weapp.mainFilesOnlySubpackagesUse()).toEqual(['only-sub.js'])
    // module 12's own `n(11)` is a local function's parameter, not webpack's require: 11 stays the main page's
    expect(weapp.mainModulesOnlySubpackagesUse().modules).toEqual([{ id: '12', file: 'common.js' }])
  })

  it('tells minified scripts, templates and style sheets from formatted ones', () => {
    const formatted = Array.from({ length: 120 }, (_, i) => `function f${i}(a, b) {\n  return a + b + ${i}\n}`).join('\n')
    expect(minificationProblem(formatted)).toMatch(/indented/)
    expect(minificationProblem(formatted.replace(/\n {2}/g, '\n'))).toMatch(/lines of code averaging/)
    expect(minificationProblem('/**\n * @license MIT\n *   kept on purpose\n */\n' + formatted.replace(/\n {0,2}/g, ''))).toBeNull()
    expect(whitespaceProblem('<view>\n  <text>a</text>\n</view>')).toMatch(/indented/)
    expect(whitespaceProblem('.a{color:red}\n.b{color:blue}')).toBeNull()
  })
})
