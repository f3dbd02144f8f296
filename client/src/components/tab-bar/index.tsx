import Taro from '@tarojs/taro'
import { Image, Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import cardActive from '../../assets/tab/card-active.png'
import card from '../../assets/tab/card.png'
import meActive from '../../assets/tab/me-active.png'
import me from '../../assets/tab/me.png'
import { onTabBarChange, TABS, tabBarState } from '../../services/tab-bar'
import './index.scss'

const ICONS: Record<string, [string, string]> = { card: [card, cardActive], me: [me, meActive] }

/** The store glyph of the 门店 tab, drawn (an awning over a shop front with a door). */
function StoreIcon() {
  return (
    <View className='tab-bar__store' aria-hidden='true'>
      <View className='tab-bar__awning' />
      <View className='tab-bar__front'>
        <View className='tab-bar__door' />
      </View>
    </View>
  )
}

/**
 * The app's tab bar: 会员卡, 我的 and — for staff only — 门店, with the unread badge on 我的. `current` is the tab page
 * it sits under. Members never see the 门店 tab (its page also refuses them).
 */
export default function TabBar({ current }: { current: string }) {
  const [state, setState] = useState(tabBarState)
  useEffect(() => onTabBarChange(setState), [])
  const tabs = TABS.filter((t) => !('staff' in t) || state.staff)
  return (
    <View className='tab-bar' role='tablist' data-testid='tab-bar'>
      {tabs.map((tab) => {
        const selected = tab.path === current
        const badge = tab.icon === 'me' && state.unread > 0 ? (state.unread > 99 ? '99+' : String(state.unread)) : null
        return (
          <View
            key={tab.path}
            className={`tab-bar__item${selected ? ' tab-bar__item--selected' : ''}`}
            role='tab'
            aria-selected={selected}
            data-testid={`tab-${tab.icon}`}
            onClick={() => !selected && Taro.switchTab({ url: `/${tab.path}` })}
          >
            <View className='tab-bar__icon'>
              {tab.icon === 'staff' ? <StoreIcon /> : <Image className='tab-bar__image' src={ICONS[tab.icon]![selected ? 1 : 0]} aria-hidden='true' />}
              {badge && (
                <Text className='tab-bar__badge' data-testid='tab-badge' aria-label={`${badge} 条未读`}>
                  {badge}
                </Text>
              )}
            </View>
            <Text className='tab-bar__text'>{tab.text}</Text>
          </View>
        )
      })}
    </View>
  )
}

/** In H5 the router draws no custom tab bar: each tab page draws it (in WeChat, custom-tab-bar/ does). */
export function H5TabBar({ current }: { current: string }) {
  return process.env.TARO_ENV === 'h5' ? <TabBar current={current} /> : null
}
