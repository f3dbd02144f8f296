import { describe, expect, it } from 'vitest'
import { MESSAGE_CATALOGUE, MESSAGE_KINDS, formatValue, templateData, truncate, valueTypeOf } from '../../shared/src/messages.js'
import { subscribeValueFits } from '../../tools/wechat-sandbox/sandbox.js'
import { APP_PAGES } from '../../client/src/packages/messages/pages.js'

/** The catalogue and WeChat's value types: every value fitted at each type's limit, never one WeChat rejects. */
describe('message values', () => {
  it('cuts a thing at 20 characters counting an emoji as one, and leaves 20 alone', () => {
    expect(formatValue('thing', '一二三四五六七八九十一二三四五六七八九十')).toBe('一二三四五六七八九十一二三四五六七八九十')
    expect(formatValue('thing', '一二三四五六七八九十一二三四五六七八九十一')).toBe('一二三四五六七八九十一二三四五六七八九…')
    expect([...formatValue('thing', '💍'.repeat(30))]).toHaveLength(20)
    expect(truncate('abc', 3)).toBe('abc')
  })

  it('keeps a character_string to 32 printable ASCII characters, a phrase to 5 CJK, a name to 10', () => {
    expect(formatValue('character_string', 'SF-123 顺丰 456')).toBe('SF-123456')
    expect(formatValue('character_string', 'x'.repeat(40))).toHaveLength(32)
    expect(formatValue('phrase', '已发货（顺丰）ok')).toBe('已发货顺丰')
    expect(formatValue('phrase', 'in_transit')).toBe('已处理')
    expect(formatValue('name', '王小明王小明王小明王小明')).toHaveLength(10)
    expect(formatValue('thing', '第一行\n第二行')).toBe('第一行 第二行')
  })

  it('writes amounts from fen, dates and times in Shanghai, and numbers as digits', () => {
    expect(formatValue('amount', 329_900, 'amountFen')).toBe('3299.00元')
    expect(formatValue('amount', '12.5')).toBe('12.50元')
    expect(formatValue('date', '2026-11-23T16:30:00Z')).toBe('2026年11月24日')
    expect(formatValue('date', '2026-02-28')).toBe('2026年2月28日')
    expect(formatValue('time', '2026-11-23T07:05:00Z')).toBe('2026年11月23日 15:05')
    expect(formatValue('number', 1234)).toBe('1234')
    expect(formatValue('number', null)).toBe('0')
    expect(formatValue('thing', '')).toBe('-')
  })

  it('maps every kind’s fields onto values the sandbox (playing WeChat) accepts, even with hostile field values', () => {
    const hostile = { default: '😀'.repeat(50) + '\n' + 'x'.repeat(100) }
    for (const kind of MESSAGE_KINDS) {
      const def = MESSAGE_CATALOGUE[kind]
      const data = Object.fromEntries(def.fields.map((f) => [f, f.endsWith('Fen') ? 1e12 : hostile.default]))
      for (const keys of Object.values(def.keys)) {
        for (const [key, { value }] of Object.entries(templateData(data, keys!))) {
          expect(valueTypeOf(key), `${kind} ${key}`).not.toBeNull()
          expect(subscribeValueFits(key, value), `${kind} ${key}: ${value}`).toBe(true)
        }
      }
      expect(def.body(data).length).toBeGreaterThan(0)
    }
  })

  it('tells an appointment change with the visit’s Shanghai time, the store and a status word that is a phrase', () => {
    const def = MESSAGE_CATALOGUE.appointment
    expect(def.category).toBe('service')
    const data = { store: '上海国金中心店', time: '2026-03-11T02:00:00.000Z', purpose: '定制设计', status: '已确认', note: '请按时到店，如需改期请联系门店' }
    expect(def.body(data)).toBe('您在 上海国金中心店 的定制设计预约（2026年3月11日 10:00）已确认。请按时到店，如需改期请联系门店')
    expect(templateData(data, def.keys.subscribe!)).toEqual({
      thing1: { value: '上海国金中心店' },
      time2: { value: '2026年3月11日 10:00' },
      thing3: { value: '定制设计' },
      phrase4: { value: '已确认' },
      thing5: { value: '请按时到店，如需改期请联系门店' },
    })
    for (const status of ['已提交', '已确认', '已改期', '已取消']) expect(formatValue('phrase', status)).toBe(status)
  })

  it('opens only pages the mini-program has (WeChat refuses a push naming another: 41030)', () => {
    for (const kind of MESSAGE_KINDS) expect(APP_PAGES, kind).toContain(MESSAGE_CATALOGUE[kind].page)
  })
})
