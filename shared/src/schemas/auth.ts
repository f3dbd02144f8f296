import { Type, type Static } from '@sinclair/typebox'
import { MemberProfileSchema } from './member.js'
import { StaffSessionSchema } from './staff.js'

export const WechatLoginSchema = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 128, description: 'the code from wx.login (Taro.login)' }) },
  { additionalProperties: false },
)
export type WechatLogin = Static<typeof WechatLoginSchema>

export const SessionSchema = Type.Object({
  token: Type.String({ description: 'a JWT; send it as `Authorization: Bearer <token>`' }),
  expiresIn: Type.Integer({ description: 'seconds until the token expires' }),
  created: Type.Boolean({ description: 'true when this login created the member' }),
  member: MemberProfileSchema,
  staff: Type.Union([StaffSessionSchema, Type.Null()], {
    description: 'for a WeChat user bound to an active staff record: the separate, short-lived staff token (null for everyone else)',
  }),
})
export type Session = Static<typeof SessionSchema>
