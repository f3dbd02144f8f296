import Taro from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import type { PropsWithChildren } from 'react'
import Button from '../../../../components/button'
import LoginGate from '../../../../components/login-gate'
import { useSession } from '../../../../hooks/session'

/** What a staff member without the manager role sees where moderation is (the API answers them 403 too). */
export function ManagerOnly() {
  return (
    <View className='section page-state' data-testid='moderation-forbidden'>
      <Text className='page-state__title'>审核需要店长权限</Text>
      <Text className='page-state__text'>评价审核由店长或品牌管理员处理。如有需要审核的评价，请联系你的店长。门店的差评跟进你可以查看和处理。</Text>
      <Button onClick={() => void Taro.navigateTo({ url: '/packages/moderation/follow-ups/index' })}>查看差评跟进</Button>
    </View>
  )
}

/**
 * The staff pages' door: logged in, then a live staff session (the Staff tab's), then — for moderation — the manager
 * or admin role. The server checks all of it again; this only says it plainly instead of showing an error.
 */
export default function StaffGate({ managerOnly = false, children }: PropsWithChildren<{ managerOnly?: boolean }>) {
  return (
    <LoginGate>
      <StaffOnly managerOnly={managerOnly}>{children}</StaffOnly>
    </LoginGate>
  )
}

function StaffOnly({ managerOnly, children }: PropsWithChildren<{ managerOnly: boolean }>) {
  const { staff } = useSession()
  if (!staff) {
    return (
      <View className='section page-state' data-testid='moderation-no-staff'>
        <Text className='page-state__title'>仅限门店员工</Text>
        <Text className='page-state__text'>这个页面供门店员工使用。员工请先在「门店」页用邀请码绑定身份。</Text>
        <Button onClick={() => void Taro.switchTab({ url: '/pages/staff/index' })}>前往门店页</Button>
      </View>
    )
  }
  if (managerOnly && staff.role === 'staff') return <ManagerOnly />
  return <>{children}</>
}
