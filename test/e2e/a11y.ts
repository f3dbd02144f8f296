import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/** axe-core's browser build (npm axe-core), injected into each page we check. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface Finding {
  id: string
  impact: string | null
  help: string
  nodes: { target: string; html: string; summary: string }[]
}

/**
 * Runs axe-core (every rule it has: WCAG 2.x A/AA and its best practices) on what the page shows now and fails on
 * every serious or critical finding, printing each — rule, impact, the elements' selectors and markup, what to fix —
 * so a failure says where to look. Moderate and minor findings are printed and let the test pass.
 *
 * Two things axe leaves to a person are decided here, because they are how invisible text slipped through before:
 * - axe reports text whose colour equals its background ("1:1", as white on white) only as "needs review", since
 *   hidden text is sometimes deliberate; here any contrast axe did measure below AA fails. On a gradient axe measures
 *   nothing; here the text is measured against every colour stop of the gradient behind it.
 * - a boolean attribute written as "false" (React writes `disabled={false}` onto a web component, such as Taro's H5
 *   Button, as disabled="false") is present, so CSS `[disabled]` rules style the element as disabled.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE })
  const { failing, other } = await page.evaluate(async () => {
    interface AxeNode {
      target: unknown[]
      html: string
      failureSummary?: string
      any: { message: string; data: Record<string, unknown> | null }[]
    }
    interface AxeResult {
      id: string
      impact: string | null
      help: string
      nodes: AxeNode[]
    }
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeResult[]; incomplete: AxeResult[] }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations', 'incomplete'] })
    const describe = (n: AxeNode, summary?: string) => ({
      target: n.target.map(String).join(' '),
      html: n.html.slice(0, 200),
      summary: summary ?? n.failureSummary ?? n.any.map((c) => c.message).join('; '),
    })
    const failing: Finding[] = []
    const other: Finding[] = []
    for (const v of result.violations) {
      const finding = { id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => describe(n)) }
      ;(v.impact === 'serious' || v.impact === 'critical' ? failing : other).push(finding)
    }

    // contrast axe could not settle
    const rgba = (css: string) => {
      const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number)
      return { r, g, b, a }
    }
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const [R, G, B] = [r, g, b].map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4))
      return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!
    }
    const ratio = (a: ReturnType<typeof rgba>, b: ReturnType<typeof rgba>) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
      return (hi! + 0.05) / (lo! + 0.05)
    }
    const contrast = result.incomplete.find((r) => r.id === 'color-contrast')
    const unsettled: AxeNode[] = []
    const tooLow: { node: AxeNode; summary: string }[] = []
    for (const node of contrast?.nodes ?? []) {
      const data = node.any[0]?.data ?? {}
      const expected = parseFloat(String(data.expectedContrastRatio ?? '4.5'))
      const measured = Number(data.contrastRatio ?? 0)
      if (measured > 0 && measured < expected) {
        tooLow.push({ node, summary: `${node.any[0]!.message} (${data.fgColor} on ${data.bgColor}); AA needs ${expected}:1` })
        continue
      }
      const el = typeof node.target[0] === 'string' ? document.querySelector(node.target[0]) : null
      if (data.messageKey !== 'bgGradient' || !el) {
        unsettled.push(node)
        continue
      }
      // the text over each stop of the nearest gradient behind it, with its own colour's alpha and the opacity between
      let opacity = 1
      let bg: Element | null = el
      while (bg && !getComputedStyle(bg).backgroundImage.includes('gradient')) {
        opacity *= Number(getComputedStyle(bg).opacity)
        bg = bg.parentElement
      }
      if (!bg) {
        unsettled.push(node)
        continue
      }
      opacity *= Number(getComputedStyle(bg).opacity)
      const fg = rgba(getComputedStyle(el).color)
      const alpha = fg.a * opacity
      const stops = (getComputedStyle(bg).backgroundImage.match(/rgba?\([^)]*\)/g) ?? []).map(rgba)
      const worst = Math.min(
        ...stops.map((s) => ratio({ r: fg.r * alpha + s.r * (1 - alpha), g: fg.g * alpha + s.g * (1 - alpha), b: fg.b * alpha + s.b * (1 - alpha), a: 1 }, s)),
      )
      if (worst < expected) {
        tooLow.push({ node, summary: `text over a gradient: ${worst.toFixed(2)}:1 against its worst stop (${getComputedStyle(bg).backgroundImage}); AA needs ${expected}:1` })
      }
    }
    if (tooLow.length) failing.push({ id: 'color-contrast (measured here)', impact: 'serious', help: contrast!.help, nodes: tooLow.map((t) => describe(t.node, t.summary)) })
    if (unsettled.length) other.push({ id: 'color-contrast (needs review)', impact: null, help: contrast!.help, nodes: unsettled.map((n) => describe(n)) })

    const falseBooleans = Array.from(document.querySelectorAll('[disabled="false"], [hidden="false"], [checked="false"], [readonly="false"], [required="false"], [selected="false"], [loading="false"], [plain="false"]'))
    if (falseBooleans.length) {
      failing.push({
        id: 'boolean-attribute-false',
        impact: 'serious',
        help: 'A boolean attribute written as "false" is still present: CSS [attr] rules treat the element as if it were true. Pass undefined instead of false.',
        nodes: falseBooleans.map((el) => ({ target: el.tagName.toLowerCase(), html: el.outerHTML.slice(0, 200), summary: 'remove the attribute instead of setting it to "false"' })),
      })
    }
    return { failing, other }
  })

  const report = (list: Finding[]) =>
    list.map((f) => `  [${f.impact ?? 'review'}] ${f.id}: ${f.help}\n` + f.nodes.map((n) => `    - ${n.target}\n      ${n.html}\n      ${n.summary.replace(/\n/g, '\n      ')}`).join('\n')).join('\n')
  if (other.length) {
    const brief = other.map((f) => `  [${f.impact ?? 'review'}] ${f.id}: ${f.help} — ${f.nodes.length} element(s), e.g. ${f.nodes[0]?.target}`).join('\n')
    console.info(`axe on "${name}": ${other.length} finding(s) below serious or left for review\n${brief}`)
  }
  if (failing.length) expect.fail(`axe: ${failing.length} serious or critical accessibility finding(s) on "${name}":\n${report(failing)}`)
}
