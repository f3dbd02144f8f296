/**
 * What the tab bar shows besides its tabs: the unread count on 我的, and whether the 门店 (Staff) tab is there. The
 * tab bar is our own component (app.config `tabBar.custom`): WeChat draws it from custom-tab-bar/, one instance per tab
 * page, and in H5 each tab page draws it — so its state lives here, outside React, and every instance listens.
 */
export interface TabBarState {
  unread: number
  staff: boolean
}

let state: TabBarState = { unread: 0, staff: false }
const listeners = new Set<(state: TabBarState) => void>()

export function tabBarState(): TabBarState {
  return state
}

/** Calls `listener` on every change; answers the way to stop. */
export function onTabBarChange(listener: (state: TabBarState) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function update(changes: Partial<TabBarState>): void {
  const next = { ...state, ...changes }
  if (next.unread === state.unread && next.staff === state.staff) return
  state = next
  for (const listener of listeners) listener(state)
}

/** The unread count on the 我的 tab (0: no badge). */
export function showUnreadOnTab(unread: number): void {
  update({ unread: Math.max(0, unread) })
}

/** The 门店 tab: shown to staff only. */
export function showStaffTab(visible: boolean): void {
  update({ staff: visible })
}

/** The tabs, in order; `staff` only for staff. */
export const TABS = [
  { path: 'pages/card/index', text: '会员卡', icon: 'card' },
  { path: 'pages/me/index', text: '我的', icon: 'me' },
  { path: 'pages/staff/index', text: '门店', icon: 'staff', staff: true },
] as const
