import { Button as TaroButton, type ButtonProps } from '@tarojs/components'

interface Props extends Omit<ButtonProps, 'disabled' | 'type' | 'plain'> {
  /** primary: the one main action of a screen; secondary: the rest */
  variant?: 'primary' | 'secondary'
  disabled?: boolean
}

/**
 * Every button in the app. It sets the whole look (app.scss `.button`), so neither WeChat's nor Taro's H5 defaults
 * show through, and it passes `disabled` only when true: in H5 React writes `disabled={false}` onto Taro's web
 * component as the attribute disabled="false", which CSS's [disabled] matches — white text on a white button.
 */
export default function Button({ variant = 'secondary', disabled, className, ...props }: Props) {
  return (
    <TaroButton
      {...props}
      className={`button button-${variant}${className ? ` ${className}` : ''}`}
      disabled={disabled ? true : undefined}
      aria-disabled={disabled ? 'true' : undefined}
    />
  )
}
