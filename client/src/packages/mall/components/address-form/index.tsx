import { Input, Text, View } from '@tarojs/components'
import type { ShippingAddress } from '../../../../services/mall'
import './index.scss'

const FIELDS: { key: keyof ShippingAddress; label: string; placeholder: string; max: number; type?: 'number' }[] = [
  { key: 'name', label: '收件人', placeholder: '收件人姓名', max: 20 },
  { key: 'phone', label: '手机号', placeholder: '11 位手机号', max: 11, type: 'number' },
  { key: 'region', label: '所在地区', placeholder: '省、市、区，如：上海市 静安区', max: 60 },
  { key: 'detail', label: '详细地址', placeholder: '街道、门牌号、楼层', max: 120 },
]

export const EMPTY_ADDRESS: ShippingAddress = { name: '', phone: '', region: '', detail: '' }

/** What is missing or wrong in an address, as one sentence; null when it can be sent. */
export function addressProblem(address: ShippingAddress): string | null {
  const missing = FIELDS.filter((f) => !address[f.key].trim()).map((f) => f.label)
  if (missing.length > 0) return `请填写${missing.join('、')}。`
  if (!/^1\d{10}$/.test(address.phone.trim())) return '请填写 11 位手机号。'
  return null
}

/** Where a gift is sent: four labelled fields. */
export default function AddressForm({ value, onChange, disabled }: { value: ShippingAddress; onChange: (next: ShippingAddress) => void; disabled?: boolean }) {
  return (
    <View className='address-form'>
      {FIELDS.map((field) => (
        <View className='address-form__field' key={field.key}>
          <Text className='address-form__label' aria-hidden='true'>
            {field.label}
          </Text>
          <Input
            className='text-input'
            data-testid={`address-${field.key}`}
            type={field.type ?? 'text'}
            maxlength={field.max}
            placeholder={field.placeholder}
            value={value[field.key]}
            disabled={disabled ? true : undefined}
            onInput={(e) => onChange({ ...value, [field.key]: e.detail.value })}
            nativeProps={{ 'aria-label': field.label }}
          />
        </View>
      ))}
    </View>
  )
}
