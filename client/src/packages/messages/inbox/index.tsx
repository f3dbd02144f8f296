import Taro, { useDidShow } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import { useCallback, useEffect, useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import PageState from '../../../components/page-state'
import SubscribePrompt from '../../../components/subscribe-prompt'
import { useSession } from '../../../hooks/session'
import { toApiError } from '../../../hooks/use-api'
import type { ApiError } from '../../../services/http'
import { getInbox, markAllRead, markRead, showUnreadOnTab, type InboxItem } from '../../../services/messages'
import { INBOX_PAGE, shanghaiTime, targetOf } from '../pages'
import { keyboardScrollable } from '../../../components/keyboard-scrollable'
import './index.scss'

const PREFERENCES_PAGE = '/packages/messages/preferences/index'

const KEYBOARD_SCROLLABLE = keyboardScrollable('消息列表', { region: false })

/** Where a message leads from the inbox: its page, unless that is the inbox itself (shipping care shows it all here). */
function elsewhere(page: string | null | undefined) {
  const target = targetOf(page)
  return target && target.url !== `/${INBOX_PAGE}` ? target : null
}

/** One message: unread ones stand out (the title in bold, the body darker, and the words 未读). */
function Message({ item, onOpen }: { item: InboxItem; onOpen: (item: InboxItem) => void }) {
  const target = elsewhere(item.page)
  return (
    <View
      className={`inbox-item${item.read ? '' : ' inbox-item--unread'}`}
      data-testid='inbox-item'
      data-id={item.id}
      data-kind={item.kind}
      data-read={item.read ? 'true' : 'false'}
      onClick={() => onOpen(item)}
    >
      <View className='inbox-item__top'>
        <Text className='inbox-item__title' data-testid='inbox-item-title'>
          {item.title}
        </Text>
        {!item.read && (
          <Text className='inbox-item__unread' data-testid='inbox-item-unread'>
            未读
          </Text>
        )}
        <Text className='inbox-item__time'>{shanghaiTime(item.createdAt)}</Text>
      </View>
      <Text className='inbox-item__body' data-testid='inbox-item-body'>
        {item.body}
      </Text>
      {target && <Text className='inbox-item__link'>查看详情 ›</Text>}
    </View>
  )
}

function InboxView() {
  const { status } = useSession()
  const [items, setItems] = useState<InboxItem[] | null>(null)
  const [unread, setUnread] = useState(0)
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [note, setNote] = useState<string | null>(null)

  /** the first page (from = null) or the one after `from` */
  const load = useCallback(async (from: string | null) => {
    setLoading(true)
    try {
      const page = await getInbox(from)
      setItems((current) => (from && current ? [...current, ...page.items] : page.items))
      setUnread(page.unread)
      setCursor(page.nextCursor)
      setError(null)
    } catch (e) {
      setError(toApiError(e))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    if (status === 'ready') void load(null)
  }, [status, load])
  // back on the inbox (from a message's page, or after a while): the newest messages again
  useDidShow(() => {
    if (status === 'ready' && items !== null && !loading) void load(null)
  })
  // the Me tab's badge follows (WeChat shows it only from a tab page: the Me page sets it again when it shows)
  const loaded = items !== null
  useEffect(() => {
    if (loaded) showUnreadOnTab(unread)
  }, [loaded, unread])

  const open = (item: InboxItem) => {
    setNote(null)
    if (!item.read) {
      setItems((current) => current && current.map((m) => (m.id === item.id ? { ...m, read: true } : m)))
      setUnread((n) => Math.max(0, n - 1))
      markRead(item.id)
        .then((answer) => setUnread(answer.unread))
        .catch((e) => {
          setItems((current) => current && current.map((m) => (m.id === item.id ? { ...m, read: false } : m)))
          setUnread((n) => n + 1)
          setNote(toApiError(e).message)
        })
    }
    const target = elsewhere(item.page)
    if (target) void (target.tab ? Taro.switchTab({ url: target.url }) : Taro.navigateTo({ url: target.url })).catch(() => undefined)
  }

  const readAll = async () => {
    setNote(null)
    try {
      setUnread((await markAllRead()).unread)
      setItems((current) => current && current.map((m) => ({ ...m, read: true })))
    } catch (e) {
      setNote(toApiError(e).message)
    }
  }

  return (
    <View className='inbox'>
      <View className='section inbox__header'>
        <Text className='inbox__count' data-testid='inbox-unread'>
          {unread > 0 ? `${unread} 条未读` : '没有未读消息'}
        </Text>
        <View className='inbox__actions'>
          <Button className='inbox__action' data-testid='inbox-read-all' disabled={unread === 0} onClick={() => void readAll()}>
            全部已读
          </Button>
          <Button className='inbox__action' data-testid='inbox-preferences' onClick={() => Taro.navigateTo({ url: PREFERENCES_PAGE })}>
            消息设置
          </Button>
        </View>
      </View>
      <SubscribePrompt
        kinds={['shipped', 'delivered', 'logistics_exception']}
        label='开启订单提醒'
        description='订单发货、签收或物流异常时，通过微信提醒你。'
        testId='subscribe-orders'
      />
      {note && (
        <Text className='section inbox__note' aria-live='polite' data-testid='inbox-note'>
          {note}
        </Text>
      )}
      <PageState
        data={items}
        error={error}
        loading={loading}
        onRetry={() => void load(items ? cursor : null)}
        isEmpty={(list) => list.length === 0}
        emptyText='还没有消息。订单发货、积分到账等消息会出现在这里。'
      >
        {(list) => (
          <View className='section inbox__list' {...KEYBOARD_SCROLLABLE}>
            {list.map((item) => (
              <Message key={item.id} item={item} onOpen={open} />
            ))}
            {cursor && !error && (
              <Button className='inbox__more' data-testid='inbox-more' disabled={loading} onClick={() => void load(cursor)}>
                {loading ? '加载中…' : '加载更多'}
              </Button>
            )}
          </View>
        )}
      </PageState>
    </View>
  )
}

export default function InboxPage() {
  return (
    <LoginGate>
      <InboxView />
    </LoginGate>
  )
}
