/**
 * The pages of this app (client/src/app.config.ts; test/client/weapp-messages.test.ts holds this list to the built
 * app.json). A message names the page it opens; the inbox opens it only when it is one of these — a page the app does
 * not have (yet) leaves the member on the inbox, where the whole message is already shown.
 */
export const TAB_PAGES = ['pages/card/index', 'pages/me/index', 'pages/staff/index']
export const APP_PAGES = [
  ...TAB_PAGES,
  'packages/points/history/index',
  'packages/points/tiers/index',
  'packages/mall/items/index',
  'packages/mall/item/index',
  'packages/mall/confirm/index',
  'packages/mall/result/index',
  'packages/mall/history/index',
  'packages/coupons/wallet/index',
  'packages/coupons/detail/index',
  'packages/messages/inbox/index',
  'packages/messages/preferences/index',
  'packages/programs/birthday/index',
  'packages/programs/member-day/index',
  'packages/staff/member/index',
  'packages/staff/coupon/index',
  'packages/staff/purchase/index',
  'packages/staff/care/index',
  'packages/staff/appointments/index',
  'packages/staff/customers/index',
  'packages/staff/audit/index',
  'packages/staff/kpis/index',
  'packages/staff/outreach/index',
  'packages/staff/outreach-review/index',
  'packages/appointments/book/index',
  'packages/appointments/mine/index',
  'packages/reviews/index/index',
  'packages/reviews/write/index',
  'packages/reviews/product/index',
  'packages/moderation/queue/index',
  'packages/moderation/follow-ups/index',
]

/** The inbox's own page (shipping care opens it: it shows the whole message). */
export const INBOX_PAGE = 'packages/messages/inbox/index'

/** Where a message's page leads in this app, or null: a tab page (opened with switchTab, no query) or any other. */
export function targetOf(page: string | null | undefined): { url: string; tab: boolean } | null {
  if (!page) return null
  const [path = '', query] = page.trim().replace(/^\/+/, '').split('?')
  if (!APP_PAGES.includes(path)) return null
  const tab = TAB_PAGES.includes(path)
  return { url: `/${path}${!tab && query ? `?${query}` : ''}`, tab }
}

/** 2026-11-23 15:01 of an instant in Shanghai (business time); only the time for today's. */
export function shanghaiTime(iso: string, now = new Date()): string {
  const shanghai = (ms: number) => new Date(ms + 8 * 3600_000).toISOString()
  const at = shanghai(Date.parse(iso))
  const today = shanghai(now.getTime()).slice(0, 10)
  return at.slice(0, 10) === today ? `今天 ${at.slice(11, 16)}` : `${at.slice(0, 10)} ${at.slice(11, 16)}`
}
