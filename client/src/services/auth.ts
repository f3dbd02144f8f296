import Taro from '@tarojs/taro'
import type { Session } from '@member-center/shared'
import { request } from './http'
import { sandboxBase } from './config'

/** The staff part of a login or an activation (shared/src/schemas/auth.ts `staff`). */
export interface StaffSession {
  token: string
  role: 'staff' | 'manager' | 'admin'
  store: string | null
  name: string
  /** seconds */
  expiresIn: number
}

/** POST /api/staff/activate — redeem a staff invitation with this member's WeChat identity */
export function activateStaff(inviteCode: string): Promise<{ staff: StaffSession }> {
  return request<{ staff: StaffSession }>('POST', '/api/staff/activate', { inviteCode: inviteCode.replace(/\s+/g, '') }, {
    CONFLICT: '这个微信已绑定另一位员工，请联系管理员。',
  })
}

/** POST /api/auth/wechat */
export function loginWithCode(code: string): Promise<Session> {
  return request<Session>('POST', '/api/auth/wechat', { code })
}

/** In WeChat: a code from wx.login. */
export async function wechatLoginCode(): Promise<string> {
  try {
    const { code } = await Taro.login()
    return code
  } catch {
    throw new Error('微信登录没有成功，请检查网络后重试。')
  }
}

/**
 * In the H5 demo the WeChat sandbox plays wx.login: it hands out a one-time code for the chosen demo user, which the
 * server exchanges exactly as it exchanges a real one.
 */
export async function sandboxLoginCode(user: string): Promise<string> {
  const response = await fetch(`${sandboxBase()}/sandbox/code?user=${encodeURIComponent(user)}`).catch(() => null)
  if (!response) throw new Error('连不上扮演微信的演示沙箱，请确认它正在运行后重试。')
  if (!response.ok) throw new Error(`演示沙箱没有给出登录码（${response.status}），请重试。`)
  const { code } = (await response.json()) as { code: string }
  return code
}

/** The demo users offered on the H5 login panel (tools/wechat-sandbox/users.ts seeds them). */
export const DEMO_USERS = [
  { user: 'alice', label: 'Alice · 金卡' },
  { user: 'bob', label: 'Bob · 银卡' },
  { user: 'carol', label: 'Carol · 铂金' },
  { user: 'dave', label: 'Dave · 新会员' },
  { user: 'erin', label: 'Erin · 生日将至' },
  { user: 'sam', label: 'Sam · 门店员工' },
  { user: 'mia', label: 'Mia · 店长' },
  { user: 'olivia', label: 'Olivia · 管理员' },
]
