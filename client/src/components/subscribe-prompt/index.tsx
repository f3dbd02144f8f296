import { Text, View } from '@tarojs/components'
import type { MessageKind } from '@member-center/shared'
import { useCallback, useEffect, useState } from 'react'
import { useSession } from '../../hooks/session'
import { toApiError } from '../../hooks/use-api'
import { getSubscriptions, type SubscribeAnswer, type SubscribeTemplate } from '../../services/messages'
import { answerInSandbox, askWechat, reportAnswers, SubscribeError, templatesFor } from '../../services/subscribe'
import Button from '../button'
import Toggle from './toggle'
import './index.scss'

interface Props {
  /** the kinds to ask for, most important first (at most three are asked in one tap) */
  kinds: readonly MessageKind[]
  /** the button: what the member turns on, e.g. 开启订单提醒 */
  label: string
  /** one line on what they will be told */
  description: string
  testId?: string
}

/** A sentence on what a tap's answers turned on. */
function outcome(asked: SubscribeTemplate[], answers: Record<string, SubscribeAnswer>): string {
  const accepted = asked.filter((t) => answers[t.templateId] === 'accept').map((t) => t.title)
  if (accepted.length === 0) return '未开启微信提醒。消息仍会保存在「消息中心」。'
  return `已开启：${accepted.join('、')}。每次允许可收到一次微信提醒。`
}

/** What each "allow" has paid for so far: 订单已发货 1 次 · 订单已签收 2 次 */
function balances(templates: SubscribeTemplate[]): string | null {
  const left = templates.filter((t) => t.balance > 0)
  return left.length ? `可收到的微信提醒：${left.map((t) => `${t.title} ${t.balance} 次`).join(' · ')}` : null
}

/**
 * Asks for subscribe-message consent at a meaningful tap (never on page load): in WeChat its own dialog, which must
 * open synchronously in the tap handler — so the template ids are fetched when the prompt shows; in the H5 demo a
 * dialog like WeChat's, whose answers the WeChat sandbox records for the demo user. Either way the answers go to the
 * server, which counts each accept as one message. Shows nothing when no template is mapped for these kinds.
 */
export default function SubscribePrompt({ kinds, label, description, testId = 'subscribe-prompt' }: Props) {
  const { status, session } = useSession()
  const [templates, setTemplates] = useState<SubscribeTemplate[] | null>(null)
  const [dialog, setDialog] = useState<SubscribeTemplate[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null)

  useEffect(() => {
    if (status !== 'ready') return
    let live = true
    getSubscriptions()
      .then(({ templates: all }) => live && setTemplates(all))
      // without the template ids there is nothing to ask: the prompt stays hidden
      .catch(() => live && setTemplates([]))
    return () => {
      live = false
    }
  }, [status, session?.memberId])

  const asked = templatesFor(templates ?? [], kinds)

  /** After WeChat (or the sandbox) answered: report the answers, show what they turned on. */
  const settle = useCallback(async (answering: Promise<Record<string, SubscribeAnswer>>, offered: SubscribeTemplate[]) => {
    setBusy(true)
    setNote(null)
    try {
      const answers = await answering
      let reported: SubscribeTemplate[]
      try {
        reported = (await reportAnswers(answers)).templates
      } catch (e) {
        setNote({ text: `你的选择已交给微信，但没有同步到会员中心：${toApiError(e).message}`, error: true })
        return
      }
      setTemplates(reported)
      setNote({ text: outcome(offered, answers), error: false })
    } catch (e) {
      setNote({ text: e instanceof SubscribeError ? e.message : '提醒没有开启，请稍后再试。', error: true })
    } finally {
      setBusy(false)
    }
  }, [])

  if (asked.length === 0) return null

  const onTap = () => {
    if (process.env.TARO_ENV === 'weapp') {
      // first and synchronously: after an await WeChat refuses to show its dialog
      const answering = askWechat(asked.map((t) => t.templateId))
      void settle(answering, asked)
      return
    }
    setNote(null)
    setDialog(asked)
  }

  const onDialogClose = (results: Record<string, SubscribeAnswer>) => {
    const offered = dialog ?? asked
    setDialog(null)
    const user = session?.sandboxUser
    if (!user) {
      setNote({ text: '不知道当前的演示用户，请在「我的」中切换演示用户后再试。', error: true })
      return
    }
    void settle(answerInSandbox(user, results), offered)
  }

  const left = balances(asked)
  return (
    <View className='section subscribe-prompt' data-testid={testId}>
      <Text className='subscribe-prompt__description'>{description}</Text>
      {left && (
        <Text className='muted' data-testid={`${testId}-balance`}>
          {left}
        </Text>
      )}
      <Button variant='primary' data-testid={`${testId}-button`} disabled={busy} onClick={onTap}>
        {busy ? '正在开启…' : label}
      </Button>
      {note && (
        <Text className={`subscribe-prompt__note${note.error ? ' subscribe-prompt__note--error' : ''}`} data-testid={`${testId}-note`} aria-live='polite'>
          {note.text}
        </Text>
      )}
      {process.env.TARO_ENV === 'h5' && dialog && <SandboxSubscribeDialog templates={dialog} onClose={onDialogClose} />}
    </View>
  )
}

const DIALOG_TITLE_ID = 'subscribe-dialog-title'

/**
 * H5 demo only: WeChat's subscribe dialog as the member sees it in WeChat — who asks, each template's title with a
 * switch (on by default), 取消 and 允许. 取消 rejects every template; 允许 accepts the ones left on.
 */
function SandboxSubscribeDialog({ templates, onClose }: { templates: SubscribeTemplate[]; onClose: (results: Record<string, SubscribeAnswer>) => void }) {
  const [on, setOn] = useState<Record<string, boolean>>(() => Object.fromEntries(templates.map((t) => [t.templateId, true])))
  const answer = (allow: boolean) =>
    onClose(Object.fromEntries(templates.map((t) => [t.templateId, allow && on[t.templateId] ? 'accept' : 'reject'])) as Record<string, SubscribeAnswer>)

  // a modal: focus moves into it, Escape cancels (as tapping outside does)
  useEffect(() => {
    const sheet = document.querySelector<HTMLElement>('.subscribe-dialog__sheet')
    sheet?.focus()
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && answer(false)
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  return (
    <View className='subscribe-dialog' data-testid='subscribe-dialog'>
      <View className='subscribe-dialog__mask' aria-hidden='true' onClick={() => answer(false)} />
      <View className='subscribe-dialog__sheet' {...DIALOG_ATTRIBUTES}>
        <View className='subscribe-dialog__app'>
          <Text className='subscribe-dialog__logo' aria-hidden='true'>
            会
          </Text>
          <Text className='subscribe-dialog__app-name'>会员中心 申请</Text>
        </View>
        <Text className='subscribe-dialog__title' id={DIALOG_TITLE_ID}>
          发送一次以下信息
        </Text>
        {templates.map((t) => (
          <View className='subscribe-dialog__row' key={t.templateId} data-testid='subscribe-dialog-template' data-kind={t.kind}>
            <Text className='subscribe-dialog__template'>{t.title}</Text>
            <Toggle
              tone='wechat'
              label={t.title}
              checked={on[t.templateId] ?? false}
              data={{ 'data-kind': t.kind }}
              onChange={(value) => setOn((current) => ({ ...current, [t.templateId]: value }))}
            />
          </View>
        ))}
        <Text className='subscribe-dialog__hint'>浏览器演示：由微信沙箱记录你的选择。每次允许可收到一次该提醒。</Text>
        <View className='subscribe-dialog__actions'>
          <Button className='subscribe-dialog__cancel' data-testid='subscribe-dialog-cancel' onClick={() => answer(false)}>
            取消
          </Button>
          <Button className='subscribe-dialog__allow' data-testid='subscribe-dialog-allow' onClick={() => answer(true)}>
            允许
          </Button>
        </View>
      </View>
    </View>
  )
}

/** ViewProps has no role or tabIndex; H5 passes them through (the dialog exists only there). */
const DIALOG_ATTRIBUTES = { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': DIALOG_TITLE_ID, tabIndex: -1 } as Record<string, unknown>
