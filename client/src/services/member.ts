import type { MemberCard, MemberProfile } from '@member-center/shared'
import { request } from './http'

/** GET /api/me */
export const getProfile = () => request<MemberProfile>('GET', '/api/me')

/** GET /api/me/card */
export const getCard = () => request<MemberCard>('GET', '/api/me/card')
