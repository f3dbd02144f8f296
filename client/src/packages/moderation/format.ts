import { FOLLOW_UP_CLASS_LABELS, FOLLOW_UP_STATUS_LABELS, REVIEW_REJECTION_LABELS, REVIEW_REJECTION_REASONS, REVIEW_STATE_LABELS, type ContentSuggest } from '@member-center/shared/reviews'

export { FOLLOW_UP_CLASS_LABELS, FOLLOW_UP_STATUS_LABELS, REVIEW_REJECTION_LABELS, REVIEW_REJECTION_REASONS, REVIEW_STATE_LABELS }

/** YYYY-MM-DD HH:mm of an instant in Shanghai (business time). */
export function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** YYYY-MM of now in Shanghai, and the month `delta` months from a YYYY-MM. */
export const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7)
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const d = new Date(Date.UTC(y, m - 1 + delta, 1))
  return d.toISOString().slice(0, 7)
}

/** WeChat's verdict in a word: null means WeChat has not answered yet. */
export function verdictWord(suggest: ContentSuggest | null): string {
  if (suggest === 'pass') return '通过'
  if (suggest === 'review') return '需复核'
  if (suggest === 'risky') return '有风险'
  return '检测中'
}

/** What WeChat's content-security labels mean (msg_sec_check / media_check_async v2). */
const LABELS: Record<number, string> = {
  10001: '广告',
  20001: '时政',
  20002: '色情',
  20003: '辱骂',
  20006: '违法犯罪',
  20008: '欺诈',
  20012: '低俗',
  20013: '版权',
  21000: '其他',
}

/** A verdict with its label's meaning when it is not a pass: "有风险（广告）". */
export function verdictText(v: { suggest: ContentSuggest | null; label: number | null }): string {
  const word = verdictWord(v.suggest)
  if (v.suggest === null || v.suggest === 'pass' || v.label === null || v.label === 100) return word
  return `${word}（${LABELS[v.label] ?? `标签 ${v.label}`}）`
}
