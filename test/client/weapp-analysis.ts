import { parse, type Comment, type Node } from 'acorn'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

/**
 * What WeChat DevTools' code quality scan (代码质量) and its dependency analysis (代码依赖分析) look at, computed on a
 * built mini-program folder: which package each file is in, which files the app reaches from app.json (pages, their
 * json/wxml/wxss, usingComponents, wxml import/include/wxs, wxss @import, js require), components declared but not
 * used, scripts left unminified, and main-package code that only subpackages use — by file, and by webpack module
 * inside the shared chunks. Pure functions of the folder, so test/client can check the real build and also prove
 * each check fails on a package made to break it.
 */

const CODE = ['.js', '.json', '.wxml', '.wxss', '.wxs']
const RESOURCE = ['.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.mp3', '.aac', '.m4a', '.wav']
const PAGE_PARTS = ['.js', '.json', '.wxml', '.wxss']

export interface AppJson {
  pages: string[]
  subPackages?: { root: string; pages: string[] }[]
  subpackages?: { root: string; pages: string[] }[]
  tabBar?: { custom?: boolean; list: { pagePath: string; iconPath?: string; selectedIconPath?: string }[] }
  usingComponents?: Record<string, string>
  lazyCodeLoading?: string
}

export class WeappPackage {
  readonly app: AppJson
  /** every file, relative to the folder, with forward slashes */
  readonly files: string[]
  /** subpackage roots, each ending in '/' */
  readonly roots: string[]

  constructor(readonly dir: string) {
    this.app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as AppJson
    this.files = filesUnder(dir).map((f) => path.relative(dir, f).split(path.sep).join('/'))
    this.roots = (this.app.subPackages ?? this.app.subpackages ?? []).map((p) => p.root.replace(/\/$/, '') + '/')
  }

  read(file: string): string {
    return readFileSync(path.join(this.dir, file), 'utf8')
  }

  has(file: string): boolean {
    return this.files.includes(file)
  }

  /** 'main' or the subpackage root the file is in */
  packageOf(file: string): string {
    return this.roots.find((r) => file.startsWith(r)) ?? 'main'
  }

  /** Page paths by package: main pages from app.json's pages, the rest from each subpackage's root and pages. */
  pagesByPackage(): Map<string, string[]> {
    const pages = new Map<string, string[]>([['main', this.app.pages]])
    for (const sub of this.app.subPackages ?? this.app.subpackages ?? []) {
      const root = sub.root.replace(/\/$/, '') + '/'
      pages.set(root, sub.pages.map((p) => root + p))
    }
    return pages
  }

  /**
   * The files one file leads to, as DevTools' dependency analysis follows them. `allPages: false` leaves out what
   * app.json lists of pages, to see what one package's own pages reach.
   */
  dependencies(file: string, allPages = true): string[] {
    const ext = path.posix.extname(file)
    const dir = path.posix.dirname(file)
    const resolve = (ref: string, withExt?: string) => {
      const base = ref.startsWith('/') ? ref.slice(1) : path.posix.join(dir, ref)
      const candidates = withExt && !base.endsWith(withExt) ? [base + withExt, base] : [base]
      return candidates.find((c) => this.has(c))
    }
    const found: (string | undefined)[] = []
    if (ext === '.json') {
      const json = JSON.parse(this.read(file)) as { usingComponents?: Record<string, string> } & AppJson
      for (const ref of Object.values(json.usingComponents ?? {})) {
        if (/^plugin:|^weui-miniprogram/.test(ref)) continue
        const base = ref.startsWith('/') ? ref.slice(1) : path.posix.join(dir, ref)
        found.push(...PAGE_PARTS.map((e) => base + e).filter((f) => this.has(f)))
      }
      if (file === 'app.json') {
        found.push('app.js', 'app.wxss')
        if (allPages) for (const pages of this.pagesByPackage().values()) for (const page of pages) found.push(...PAGE_PARTS.map((e) => page + e))
        for (const tab of json.tabBar?.list ?? []) found.push(tab.iconPath, tab.selectedIconPath)
        // a custom tab bar is WeChat's custom-tab-bar component, which app.json names by convention only
        if (json.tabBar?.custom) found.push(...PAGE_PARTS.map((e) => `custom-tab-bar/index${e}`))
      }
    } else if (ext === '.wxml') {
      for (const m of this.read(file).matchAll(/<(?:import|include|wxs)\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/g)) found.push(resolve(m[1]!))
    } else if (ext === '.wxss') {
      for (const m of this.read(file).matchAll(/@import\s+["']([^"']+)["']/g)) found.push(resolve(m[1]!, '.wxss'))
    } else if (ext === '.js') {
      for (const m of this.read(file).matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) found.push(resolve(m[1]!, '.js'))
    } else if (ext === '.wxs') {
      for (const m of this.read(file).matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) found.push(resolve(m[1]!, '.wxs'))
    }
    return [...new Set(found.filter((f): f is string => !!f && this.has(f)))]
  }

  /** Every file reached from `entries` (see `dependencies` for `allPages`). */
  reach(entries: string[], allPages = true): Set<string> {
    const seen = new Set<string>()
    const queue = entries.filter((e) => this.has(e))
    while (queue.length) {
      const file = queue.pop()!
      if (seen.has(file)) continue
      seen.add(file)
      queue.push(...this.dependencies(file, allPages))
    }
    return seen
  }

  /**
   * Files nothing reaches from app.json: code files the dependency analysis calls 无依赖文件, and any other file
   * (an image no code names, a *.LICENSE.txt, a source map) that only adds to the package.
   */
  unusedFiles(): string[] {
    const reached = this.reach(['app.json'])
    const code = [...reached].filter((f) => CODE.includes(path.posix.extname(f))).map((f) => this.read(f))
    return this.files.filter((file) => {
      if (reached.has(file)) return false
      if (RESOURCE.includes(path.posix.extname(file))) return !code.some((text) => text.includes(path.posix.basename(file)))
      return true
    })
  }

  /** usingComponents entries whose tag appears in neither the page's wxml nor any wxml it imports or includes. */
  unusedComponents(): { json: string; name: string }[] {
    const unused: { json: string; name: string }[] = []
    for (const json of this.files.filter((f) => f.endsWith('.json') && f !== 'app.json')) {
      const declared = Object.keys((JSON.parse(this.read(json)) as { usingComponents?: Record<string, string> }).usingComponents ?? {})
      if (declared.length === 0) continue
      const wxml = json.replace(/\.json$/, '.wxml')
      const markup = [...this.reach([wxml])].filter((f) => f.endsWith('.wxml')).map((f) => this.read(f)).join('\n')
      const tags = new Set([...markup.matchAll(/<([A-Za-z][\w-]*)/g)].map((m) => m[1]))
      const generics = new Set([...markup.matchAll(/\bgeneric:[\w-]+\s*=\s*["']([\w-]+)["']/g)].map((m) => m[1]))
      for (const name of declared) if (!tags.has(name) && !generics.has(name)) unused.push({ json, name })
    }
    return unused
  }

  /**
   * Main-package files that only subpackages reach: scripts (主包存在仅被其他分包依赖的JS) and components
   * (…的组件). A file the main package reaches too, or nothing reaches, is not one.
   */
  mainFilesOnlySubpackagesUse(): string[] {
    const reachedBy = new Map<string, Set<string>>()
    for (const [pkg, pages] of this.pagesByPackage()) {
      const entries = pkg === 'main' ? ['app.json', ...pages.flatMap((p) => PAGE_PARTS.map((e) => p + e))] : pages.flatMap((p) => PAGE_PARTS.map((e) => p + e))
      for (const file of this.reach(entries, false)) reachedBy.set(file, new Set([...(reachedBy.get(file) ?? []), pkg]))
    }
    return this.files.filter((f) => this.packageOf(f) === 'main' && reachedBy.has(f) && !reachedBy.get(f)!.has('main') && /\.(js|json)$/.test(f))
  }

  /**
   * Webpack modules defined in main-package scripts that only subpackage pages use: what Taro's
   * mini.optimizeMainPackage moves out. Reads the chunks webpack writes (`webpackJsonp.push([[ids], {id: function(module,
   * exports, require) {...}}, entry])`) and follows `require(id)` calls from each page's entry modules.
   */
  mainModulesOnlySubpackagesUse(): { modules: { id: string; file: string }[]; graph: ModuleGraph } {
    const graph = moduleGraph(this)
    const reachedBy = (pkg: string) => {
      const pages = (this.pagesByPackage().get(pkg) ?? []).flatMap((p) => PAGE_PARTS.map((e) => p + e))
      const scripts = [...this.reach(pkg === 'main' ? ['app.json', ...pages] : pages, false)].filter((f) => f.endsWith('.js'))
      return graph.reach(scripts.flatMap((s) => graph.entries.get(s) ?? []))
    }
    const main = reachedBy('main')
    const sub = new Set(this.roots.flatMap((r) => [...reachedBy(r)]))
    const modules = [...graph.definedIn]
      .filter(([id, file]) => this.packageOf(file) === 'main' && sub.has(id) && !main.has(id))
      .map(([id, file]) => ({ id, file }))
    return { modules, graph }
  }

  /** Bytes per package (source maps excluded), all together, and images and audio together. */
  sizes(): { packages: Map<string, number>; total: number; media: number } {
    const packages = new Map<string, number>([['main', 0], ...this.roots.map((r) => [r, 0] as [string, number])])
    let total = 0
    let media = 0
    for (const file of this.files) {
      if (file.endsWith('.map')) continue
      const size = statSync(path.join(this.dir, file)).size
      packages.set(this.packageOf(file), packages.get(this.packageOf(file))! + size)
      total += size
      if (RESOURCE.includes(path.posix.extname(file))) media += size
    }
    return { packages, total, media }
  }
}

export interface ModuleGraph {
  /** module id → the script that defines it */
  definedIn: Map<string, string>
  /** module id → module ids it requires */
  requires: Map<string, string[]>
  /** script → the module ids it runs when loaded (a page's or the app's entry module) */
  entries: Map<string, string[]>
  /** every module the given ones require, directly or not, themselves included */
  reach(from: string[]): Set<string>
}

/** The webpack module graph of every script in the package. */
export function moduleGraph(weapp: WeappPackage): ModuleGraph {
  const definedIn = new Map<string, string>()
  const requires = new Map<string, string[]>()
  const entries = new Map<string, string[]>()
  for (const file of weapp.files.filter((f) => f.endsWith('.js'))) {
    const ast = parse(weapp.read(file), { ecmaVersion: 'latest', sourceType: 'script' })
    walk(ast, (node) => {
      // (…).push([[chunk ids], {id: function (module, exports, require) {…}}, function (require) { entry }])
      if (node.type !== 'CallExpression') return
      const call = node as unknown as { callee: AnyNode; arguments: AnyNode[] }
      if (call.callee.type !== 'MemberExpression' || call.callee.property?.name !== 'push') return
      const chunk = call.arguments[0]
      if (chunk?.type !== 'ArrayExpression' || chunk.elements?.[1]?.type !== 'ObjectExpression') return
      for (const prop of chunk.elements[1].properties ?? []) {
        const id = String(prop.key.value ?? prop.key.name)
        const fn = prop.value
        definedIn.set(id, file)
        const requireName = fn.params?.[2]?.name
        requires.set(id, requireName ? numericCalls(fn.body, (callee) => callee.type === 'Identifier' && callee.name === requireName, requireName) : [])
      }
      const runtime = chunk.elements[2]
      if (runtime) entries.set(file, [...(entries.get(file) ?? []), ...numericCalls(runtime, (callee) => callee.type === 'Identifier')])
      return false
    })
  }
  return {
    definedIn,
    requires,
    entries,
    reach(from) {
      const seen = new Set<string>()
      const queue = [...from]
      while (queue.length) {
        const id = queue.pop()!
        if (seen.has(id)) continue
        seen.add(id)
        queue.push(...(requires.get(id) ?? []))
      }
      return seen
    },
  }
}

/**
 * How far a script is from minified: its code (comments aside — license banners are kept on purpose) should be
 * a handful of very long lines with no indentation, as terser writes it.
 */
export function minificationProblem(source: string): string | null {
  const comments: Comment[] = []
  parse(source, { ecmaVersion: 'latest', sourceType: 'script', onComment: comments })
  let code = ''
  let at = 0
  for (const c of comments) {
    code += source.slice(at, c.start)
    at = c.end
  }
  code += source.slice(at)
  const lines = code.split('\n').filter((l) => l.trim())
  const indented = lines.filter((l) => /^[ \t]{2,}\S/.test(l)).length
  if (indented > 0) return `${indented} indented line(s) of code`
  const mean = code.length / Math.max(1, lines.length)
  if (code.length > 2000 && mean < 500) return `${lines.length} lines of code averaging ${mean.toFixed(0)} characters`
  return null
}

/** Markup or styles with layout whitespace left in: a line break followed by indentation. */
export function whitespaceProblem(source: string): string | null {
  const indented = source.split('\n').filter((l) => /^[ \t]+\S/.test(l)).length
  return indented > 0 ? `${indented} indented line(s)` : null
}

type AnyNode = Node & Record<string, any>

function walk(node: unknown, visit: (node: AnyNode) => boolean | void): void {
  if (!node || typeof node !== 'object') return
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit))
  const n = node as AnyNode
  if (typeof n.type === 'string' && visit(n) === false) return
  for (const key of Object.keys(n)) if (key !== 'type' && key !== 'start' && key !== 'end') walk(n[key], visit)
}

/**
 * The numeric literal arguments of calls whose callee passes `isCallee`, skipping functions inside that declare
 * their own `shadowed` name (minified code reuses short names in nested scopes).
 */
function numericCalls(node: unknown, isCallee: (callee: AnyNode) => boolean, shadowed?: string): string[] {
  const ids: string[] = []
  walk(node, (n) => {
    if (shadowed && /Function/.test(n.type) && declares(n, shadowed)) return false
    if (n.type === 'CallExpression' && isCallee(n.callee) && n.arguments.length === 1 && n.arguments[0].type === 'Literal' && typeof n.arguments[0].value === 'number') {
      ids.push(String(n.arguments[0].value))
    }
  })
  return ids
}

/** Whether a function declares `name` itself: as a parameter, a var/let/const or a function in its own body. */
function declares(fn: AnyNode, name: string): boolean {
  if (fn.params.some((p: AnyNode) => p.type === 'Identifier' && p.name === name)) return true
  let found = false
  walk(fn.body, (n) => {
    if (found) return false
    if (n !== fn.body && /Function/.test(n.type)) {
      if (n.type === 'FunctionDeclaration' && n.id?.name === name) found = true
      return false
    }
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && n.id.name === name) found = true
  })
  return found
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? filesUnder(full) : [full]
  })
}
