import type { InboxSchema, MessageKind, MessagePreferencesSchema, SubscriptionsSchema } from '@member-center/shared'
import type { Static } from '@sinclair/typebox'
import { request } from './http'

// Messaging: the inbox (subpackage packages/messages), subscribe-message consent (components/subscribe-prompt) and
// message preferences. The Me tab page reads the unread count, so this small module stays in the main package.

export type Inbox = Static<typeof InboxSchema>
export type InboxItem = Inbox['items'][number]
export type Subscriptions = Static<typeof SubscriptionsSchema>
export type SubscribeTemplate = Subscriptions['templates'][number]
/** What WeChat answers for one template id of one tap (wx.requestSubscribeMessage). */
export type SubscribeAnswer = 'accept' | 'reject' | 'ban' | 'filter'
export type MessagePreferences = Static<typeof MessagePreferencesSchema> & { kindsOff: MessageKind[] }

/** GET /api/me/inbox — newest first, with the unread count; pass the previous page's nextCursor for the next */
export const getInbox = (cursor?: string | null, limit = 20) =>
  request<Inbox>('GET', `/api/me/inbox?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)

/** The unread count alone (the Me page and its tab badge): the first page of one message. */
export const getUnreadCount = async () => (await getInbox(null, 1)).unread

/** POST /api/me/inbox/:id/read — answers how many are still unread */
export const markRead = (id: string) =>
  // (an empty JSON object: a JSON content type with no body at all is a 400)
  request<{ unread: number }>('POST', `/api/me/inbox/${encodeURIComponent(id)}/read`, {}, {
    NOT_FOUND: '这条消息已不存在，请刷新后再试。',
  })

/** POST /api/me/inbox/read-all */
export const markAllRead = () => request<{ unread: number }>('POST', '/api/me/inbox/read-all', {})

/** GET /api/me/subscriptions — the templates the member can allow (ids for wx.requestSubscribeMessage) and sends left */
export const getSubscriptions = () => request<Subscriptions>('GET', '/api/me/subscriptions')

/** POST /api/me/subscriptions — one tap's answers, as WeChat gave them (at most three template ids) */
export const reportSubscriptions = (results: Record<string, SubscribeAnswer>) =>
  request<Subscriptions>('POST', '/api/me/subscriptions', { results })

/** GET /api/me/message-preferences */
export const getMessagePreferences = () => request<MessagePreferences>('GET', '/api/me/message-preferences')

/** PUT /api/me/message-preferences — marketing on/off, kinds turned off (a service kind still lands in the inbox). */
export const updateMessagePreferences = (changes: Partial<MessagePreferences>) => request<MessagePreferences>('PUT', '/api/me/message-preferences', changes)

/** The unread count on the 我的 tab (our own tab bar: services/tab-bar.ts). */
export { showUnreadOnTab } from './tab-bar'
