// The parts of wechat-api 1.35 this project uses (the package ships no types).
declare module 'wechat-api' {
  type Callback<T> = (err: (Error & { code?: number; name: string }) | null, result?: T) => void
  interface AccessToken {
    accessToken: string
    expireTime: number
  }
  class WechatAPI {
    constructor(
      appid: string,
      appsecret: string,
      getToken?: (callback: Callback<AccessToken | null>) => void,
      saveToken?: (token: AccessToken, callback: (err: Error | null) => void) => void,
    )
    appid: string
    appsecret: string
    endpoint: string
    token?: AccessToken
    setOpts(opts: { timeout?: number }): void
    getAccessToken(callback: Callback<AccessToken>): this
    getLatestToken(callback: Callback<AccessToken>): void
    preRequest(method: (...args: any[]) => void, args: any[] | IArguments, retried?: boolean): void
    _sendTemplate(openid: string, templateId: string, dest: string | { url?: string; miniprogram?: { appid: string; pagepath?: string } }, data: Record<string, { value: string }>, callback: Callback<{ errcode: number; errmsg: string; msgid: number }>): void
  }
  export = WechatAPI
}
