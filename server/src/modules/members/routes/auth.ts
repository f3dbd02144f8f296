import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SessionSchema, WechatLoginSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/auth/wechat — log in with a wx.login code. */
const wechatLogin: FastifyPluginAsyncTypebox<{ rateLimitPerMinute: number }> = async (app, opts) => {
  app.post(
    '/wechat',
    {
      config: { rateLimit: { max: opts.rateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a wx.login code',
        description:
          'Exchanges the code at WeChat (jscode2session), creates the member on first login and returns a JWT. ' +
          'A code works once and for five minutes. A WeChat user bound to an active staff record (POST /api/staff/activate) ' +
          'also gets `staff`: a separate, short-lived staff token for the staff and admin routes (null for everyone else).',
        body: WechatLoginSchema,
        response: {
          200: SessionSchema,
          ...errorResponses(400, 401, 403, 413, 415, 429, 503),
        },
      },
    },
    async (request) => app.members.login.loginWithWechat(request.body.code),
  )
}
export default wechatLogin
