import Taro from '@tarojs/taro'
import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
import Button from '../../components/button'
import LoginGate from '../../components/login-gate'
import PageState from '../../components/page-state'
import { H5TabBar } from '../../components/tab-bar'
import { type StoredStaff, useSession } from '../../hooks/session'
import { toApiError, useApi } from '../../hooks/use-api'
import { chooseStore, chosenStore, getStoreList, getTasks, markTaskDone, type StaffTask } from '../../services/staff'
import { keyboardScrollable } from '../../components/keyboard-scrollable'
import { type CallState, useCall } from './call'
import './index.scss'

const ROLE_TEXT: Record<StoredStaff['role'], string> = { staff: '店员', manager: '店长', admin: '管理员' }
const TASK_KIND: Record<StaffTask['kind'], string> = { appointment: '预约', birthday: '生日', logistics_exception: '物流异常', at_risk: '待回访' }

const KEYBOARD_SCROLLABLE = keyboardScrollable('门店')

/** 11 digits starting with 1: a mainland mobile number; anything else is taken as a member code. */
const isPhone = (text: string) => /^1\d{10}$/.test(text)

/** Find a member: the rotating member code (scanned in WeChat, typed or pasted in the demo) or a phone number. */
function Lookup() {
  const [text, setText] = useState('')
  const open = (value: string) => {
    const v = value.trim()
    if (!v) return
    const query = isPhone(v) ? `phone=${v}` : `code=${encodeURIComponent(v)}`
    void Taro.navigateTo({ url: `/packages/staff/member/index?${query}` })
  }
  const scan = async () => {
    try {
      const { result } = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] })
      open(result)
    } catch {
      // cancelled
    }
  }
  return (
    <View className='section staff__lookup'>
      <Text className='staff__heading'>查找会员</Text>
      {process.env.TARO_ENV === 'weapp' && (
        <Button variant='primary' onClick={scan}>
          扫描会员码
        </Button>
      )}
      <View className='staff__lookup-row'>
        <Input
          className='staff__input text-input'
          nativeProps={{ 'aria-label': '会员码或手机号' }}
          placeholder='输入会员码或手机号'
          value={text}
          onInput={(e) => setText(e.detail.value)}
          onConfirm={() => open(text)}
          data-testid='staff-lookup-input'
        />
        <Button variant='primary' className='staff__lookup-go button-inline' data-testid='staff-lookup-go' disabled={!text.trim()} onClick={() => open(text)}>
          查找
        </Button>
      </View>
    </View>
  )
}

/** The places of the tab: what a counter does besides looking members up. */
function Links({ staff }: { staff: StoredStaff }) {
  const links: [string, string, string][] = [
    ['核销优惠券', '/packages/staff/coupon/index', 'staff-link-coupon'],
    ['门店预约', '/packages/staff/appointments/index', 'staff-link-appointments'],
    ['我的顾客', '/packages/staff/customers/index', 'staff-link-customers'],
    ['差评跟进', '/packages/moderation/follow-ups/index', 'staff-link-follow-ups'],
    ...(staff.role !== 'staff'
      ? ([
          ['评价审核', '/packages/moderation/queue/index', 'staff-link-moderation'],
          ['操作记录', '/packages/staff/audit/index', 'staff-link-audit'],
          ['经营数据', '/packages/staff/kpis/index', 'staff-link-kpis'],
        ] as [string, string, string][])
      : []),
    ...(staff.role === 'admin' ? ([['触达复盘', '/packages/staff/outreach/index', 'staff-link-outreach']] as [string, string, string][]) : []),
  ]
  return (
    <View className='section'>
      {links.map(([label, url, testId]) => (
        <View key={url} className='staff__row' data-testid={testId} onClick={() => Taro.navigateTo({ url })}>
          <Text>{label}</Text>
          <Text className='muted' aria-hidden='true'>
            ›
          </Text>
        </View>
      ))}
    </View>
  )
}

interface TaskProps {
  task: StaffTask
  onToggle: (task: StaffTask) => void
  onCall: (task: StaffTask) => void
  /** a call from this row is being set up */
  calling: boolean
  /** what the last call from this row did */
  call: CallState | null
}

function Task({ task, onToggle, onCall, calling, call }: TaskProps) {
  const open = () => Taro.navigateTo({ url: `/packages/staff/member/index?memberId=${task.memberId}` })
  const care = () => Taro.navigateTo({ url: `/packages/staff/care/index?memberId=${task.memberId}&name=${encodeURIComponent(task.memberName)}` })
  return (
    <View className={`staff__task${task.done ? ' staff__task--done' : ''}`} data-testid='staff-task' data-kind={task.kind} data-done={task.done}>
      <View className='staff__task-main' onClick={open}>
        <Text className='staff__task-kind'>
          {TASK_KIND[task.kind]}
          {task.memberName ? ` · ${task.memberName}` : ''}
        </Text>
        <Text className='staff__task-title'>{task.title}</Text>
        <Text className='muted'>{task.detail}</Text>
      </View>
      {call && (
        <View role='status' data-testid='staff-task-call-status'>
          <Text className={call.error ? 'staff__error' : 'staff__call'}>{call.error ?? `正在拨打 ${task.memberName}：${call.phoneNumber}`}</Text>
        </View>
      )}
      <View className='staff__task-actions'>
        {task.actions.includes('call') && (
          <Button className='button-inline' data-testid='staff-task-call' disabled={calling} onClick={() => onCall(task)}>
            {calling ? '正在获取号码…' : '拨打电话'}
          </Button>
        )}
        {task.actions.includes('care') && (
          <Button className='button-inline' data-testid='staff-task-care' onClick={care}>
            发送关怀
          </Button>
        )}
        <Button className='staff__task-done button-inline' data-testid='staff-task-done' onClick={() => onToggle(task)}>
          {task.done ? '已完成' : '完成'}
        </Button>
      </View>
    </View>
  )
}

/** Today's tasks for my store, each a tap from the member (call, care message; the member page for notes) and a done mark. */
function Tasks() {
  const { data, error, loading, reload } = useApi(getTasks)
  const [failure, setFailure] = useState<string | null>(null)
  const { call, busy, last } = useCall()
  const toggle = async (task: StaffTask) => {
    setFailure(null)
    try {
      await markTaskDone(task.id, !task.done)
      await reload()
    } catch (e) {
      setFailure(toApiError(e).message)
    }
  }
  return (
    <View className='section staff__tasks'>
      <Text className='staff__heading'>今日任务</Text>
      {failure && <Text className='staff__error'>{failure}</Text>}
      <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='今天没有待办任务。'>
        {(d) => (
          <View className='staff__task-list'>
            {d.items.map((task) => (
              <Task
                key={task.id}
                task={task}
                onToggle={(t) => void toggle(t)}
                onCall={(t) => void call(t.memberId, t.id)}
                calling={busy === task.id}
                call={last?.taskId === task.id ? last : null}
              />
            ))}
          </View>
        )}
      </PageState>
    </View>
  )
}

/** A member who is not (yet) staff: the invitation an administrator gave them makes this WeChat account staff. */
function Activate() {
  const { activateStaff } = useSession()
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      await activateStaff(code)
    } catch (e) {
      setError(toApiError(e).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='section staff__activate' data-testid='staff-activate'>
      <Text className='staff__heading'>门店员工专用</Text>
      <Text className='muted'>这里是门店员工的工作台。如果你是门店员工，请输入管理员给你的邀请码，绑定当前微信。</Text>
      <Input className='staff__input text-input' nativeProps={{ 'aria-label': '邀请码' }} placeholder='邀请码' value={code} onInput={(e) => setCode(e.detail.value)} data-testid='staff-invite-code' />
      {error && (
        <Text className='staff__error' data-testid='staff-activate-error'>
          {error}
        </Text>
      )}
      <Button variant='primary' disabled={busy || code.trim().length < 6} onClick={() => void submit()} data-testid='staff-activate-submit'>
        {busy ? '正在绑定…' : '绑定为门店员工'}
      </Button>
    </View>
  )
}

/** An admin has no store of their own: they pick the one whose tasks and appointments they look at. */
function StorePicker({ onChosen }: { onChosen: () => void }) {
  const { data, error, loading, reload } = useApi(getStoreList)
  const [current, setCurrent] = useState(chosenStore())
  return (
    <View className='section staff__stores'>
      <Text className='staff__heading'>门店</Text>
      <PageState data={data} error={error} loading={loading} onRetry={reload} isEmpty={(d) => d.items.length === 0} emptyText='还没有门店。'>
        {(d) => (
          <View className='staff__store-list' role='radiogroup' aria-label='门店'>
            {d.items.map((s) => (
              <View
                key={s.code}
                role='radio'
                aria-checked={s.code === current}
                className={`staff__store${s.code === current ? ' staff__store--on' : ''}`}
                data-testid='staff-store'
                onClick={() => {
                  chooseStore(s.code)
                  setCurrent(s.code)
                  onChosen()
                }}
              >
                <Text>{s.name}</Text>
              </View>
            ))}
          </View>
        )}
      </PageState>
    </View>
  )
}

function StaffHome() {
  const { staff } = useSession()
  const [storeKey, setStoreKey] = useState(chosenStore() ?? '')
  if (!staff) return <Activate />
  const needsStore = staff.store === null
  return (
    <View className='staff' {...KEYBOARD_SCROLLABLE}>
      <View className='section staff__header' data-testid='staff-header'>
        <Text className='staff__name'>{staff.name}</Text>
        <Text className='muted'>
          {ROLE_TEXT[staff.role]}
          {staff.store ? ` · 门店 ${staff.store}` : ' · 全部门店'}
        </Text>
      </View>
      <Lookup />
      {needsStore && <StorePicker onChosen={() => setStoreKey(chosenStore() ?? '')} />}
      {(!needsStore || storeKey) && <Tasks key={storeKey} />}
      <Links staff={staff} />
    </View>
  )
}

export default function StaffPage() {
  return (
    <View className='tab-page'>
      <LoginGate>
        <StaffHome />
      </LoginGate>
      <H5TabBar current='pages/staff/index' />
    </View>
  )
}
