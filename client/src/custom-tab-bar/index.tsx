import Taro from '@tarojs/taro'
import TabBar from '../components/tab-bar'

/**
 * WeChat's custom tab bar (app.config `tabBar.custom`): one instance per tab page, which knows its page from the page
 * stack when it is created.
 */
export default function CustomTabBar() {
  const pages = Taro.getCurrentPages()
  const current = (pages[pages.length - 1]?.route ?? 'pages/card/index').replace(/^\//, '')
  return <TabBar current={current} />
}
