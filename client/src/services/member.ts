import type { MemberCard, MemberProfile } from '@member-center/shared'
import { request } from './http'

/** GET /api/me */
export const getProfile = () => request<MemberProfile>('GET', '/api/me')

/** GET /api/me/card */
export const getCard = () => request<MemberCard>('GET', '/api/me/card')

/** POST /api/me/phone — bind the phone behind a getPhoneNumber button's code */
export const bindPhone = (code: string) =>
  request<MemberProfile>('POST', '/api/me/phone', { code }, {
    VALIDATION_FAILED: '手机号授权已失效，请重新点击绑定。',
    CONFLICT: '这个手机号已绑定其他会员，请联系门店工作人员处理。',
    WECHAT_UNAVAILABLE: '暂时连不上微信，手机号没有绑定，请稍后再试。',
  })
