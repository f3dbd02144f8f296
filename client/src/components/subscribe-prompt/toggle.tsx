import { Switch, View } from '@tarojs/components'
import './toggle.scss'

interface Props {
  /** what it turns on, for screen readers (the text beside it says the same) */
  label: string
  checked: boolean
  disabled?: boolean
  /** green as WeChat's own dialog, or the brand's gold */
  tone?: 'wechat' | 'brand'
  testId?: string
  /** more attributes for the element that takes the tap (data-… for tests) */
  data?: Record<string, string>
  onChange: (on: boolean) => void
}

/**
 * An on/off switch. In WeChat its own <switch>. In H5 an element with role="switch" and aria-checked: Taro's H5 Switch
 * writes its state onto the web component as checked="false" when it is off — present, so CSS [checked] treats it as
 * checked (test/e2e/a11y.ts refuses that) — and it cannot be put back after a refused save without a remount.
 */
export default function Toggle({ label, checked, disabled = false, tone = 'brand', testId, data = {}, onChange }: Props) {
  if (process.env.TARO_ENV !== 'h5') {
    return (
      <Switch
        color={tone === 'wechat' ? '#057a3c' : '#85652f'}
        checked={checked}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => onChange(e.detail.value)}
      />
    )
  }
  const flip = () => {
    if (!disabled) onChange(!checked)
  }
  const attributes = {
    role: 'switch',
    'aria-checked': checked ? 'true' : 'false',
    'aria-label': label,
    'aria-disabled': disabled ? 'true' : undefined,
    tabIndex: disabled ? -1 : 0,
    // Space and Enter flip it, as a native switch
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === ' ' || e.key === 'Enter') {
        e.preventDefault()
        flip()
      }
    },
    ...(testId ? { 'data-testid': testId } : {}),
    ...data,
  } as Record<string, unknown>
  return (
    <View className={`toggle toggle--${tone}${checked ? ' toggle--on' : ''}${disabled ? ' toggle--disabled' : ''}`} {...attributes} onClick={flip}>
      <View className='toggle__knob' />
    </View>
  )
}
