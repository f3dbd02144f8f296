import Taro, { useRouter } from '@tarojs/taro'
import { Text, Textarea, View } from '@tarojs/components'
import type { CarePreview } from '@member-center/shared'
import { useState } from 'react'
import Button from '../../../components/button'
import LoginGate from '../../../components/login-gate'
import { toApiError } from '../../../hooks/use-api'
import { previewCare, sendCare } from '../../../services/staff-counter'
import { requestId } from '../format'
import './index.scss'

const CHANNELS: Record<string, string> = { subscribe: '微信订阅消息', official_account: '公众号消息', inbox: '消息中心' }

/**
 * A care message from the approved kind (门店关怀): the words, then a preview of exactly what the member will see and
 * how it will reach them (or why it will not), then send — once, whatever the taps.
 */
function Care({ memberId, name }: { memberId: string; name: string }) {
  const [content, setContent] = useState('')
  const [preview, setPreview] = useState<CarePreview | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [sent, setSent] = useState(false)
  const [key] = useState(() => requestId('care'))

  const showPreview = async () => {
    setBusy(true)
    setError(null)
    try {
      setPreview(await previewCare(memberId, content.trim()))
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  const send = async () => {
    setBusy(true)
    setError(null)
    try {
      await sendCare(memberId, content.trim(), key)
      setSent(true)
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  if (sent) {
    return (
      <View className='section care__done' data-testid='care-sent'>
        <Text className='care__heading'>已发送给 {name}</Text>
        <Text className='muted'>消息已放入会员的「消息中心」，并按会员的设置通过微信提醒。</Text>
        <Button variant='primary' onClick={() => Taro.navigateBack()}>
          返回
        </Button>
      </View>
    )
  }
  return (
    <View className='care'>
      <View className='section care__form'>
        <Text className='care__heading'>给 {name} 发送门店关怀</Text>
        <Textarea
          className='care__text'
          nativeProps={{ 'aria-label': '关怀内容' }}
          placeholder='例如：您的戒指已保养完毕，欢迎到店取回。'
          value={content}
          maxlength={200}
          onInput={(e) => {
            setContent(e.detail.value)
            setPreview(null)
          }}
          data-testid='care-content'
        />
        <Button disabled={busy || !content.trim()} onClick={() => void showPreview()} data-testid='care-preview'>
          预览
        </Button>
      </View>
      {preview && (
        <View className='section care__preview' data-testid='care-preview-card'>
          <Text className='muted'>会员将看到</Text>
          <Text className='care__title'>{preview.title}</Text>
          <Text data-testid='care-preview-body'>{preview.body}</Text>
          <Text className='muted'>送达方式：{preview.channels.map((c) => CHANNELS[c] ?? c).join(' + ')}</Text>
          {preview.blocked && (
            <Text className='care__error' data-testid='care-blocked'>
              {preview.blocked}
            </Text>
          )}
          <Button variant='primary' disabled={busy || preview.blocked !== null} onClick={() => void send()} data-testid='care-send'>
            {busy ? '正在发送…' : '发送'}
          </Button>
        </View>
      )}
      {error && (
        <View className='section'>
          <Text className='care__error'>{error}</Text>
        </View>
      )}
    </View>
  )
}

export default function StaffCarePage() {
  const { params } = useRouter()
  return (
    <LoginGate>
      {params.memberId ? <Care memberId={params.memberId} name={decodeURIComponent(params.name ?? '会员')} /> : <View className='section page-state'><Text className='page-state__text'>请先查找会员。</Text></View>}
    </LoginGate>
  )
}
