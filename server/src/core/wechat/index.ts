import fp from 'fastify-plugin'
import { WechatClient } from './client.js'
import { wechatTokenModel } from './token-model.js'
import { WechatTokenRepository } from './tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** the one WeChat client: login, phone numbers, subscribe and Official Account messages */
    wechat: WechatClient
    wechatTokens: WechatTokenRepository
  }
}

export interface WechatOptions {
  appid: string
  secret: string
  baseUrl: string
  timeoutMs: number
  officialAccount?: { appid: string; secret: string }
}

/** The WeChat client, its access tokens kept in the database so every process shares one (DESIGN.md §3). */
export default fp<WechatOptions>(
  async (app, opts) => {
    const { WechatToken } = await app.db.register({ WechatToken: wechatTokenModel(app.db.connection) })
    const tokens = new WechatTokenRepository(WechatToken)
    app.decorate('wechatTokens', tokens)
    app.decorate('wechat', new WechatClient({ ...opts, tokens }))
  },
  { name: 'wechat', dependencies: ['database'] },
)
