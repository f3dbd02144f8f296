/** WeChat answered with a non-zero errcode. */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
  ) {
    super(`WeChat ${path} answered ${errcode}: ${errmsg}`)
    this.name = 'WechatApiError'
  }
}

/** WeChat could not be reached, timed out, answered 5xx or something that is not JSON, or said "system busy" (-1). */
export class WechatUnreachableError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`WeChat ${path} unreachable: ${reason}`)
    this.name = 'WechatUnreachableError'
  }
}

/** The access token was rejected as invalid (40001) or expired (42001). */
export function isStaleTokenError(error: unknown): boolean {
  return error instanceof WechatApiError && (error.errcode === 40001 || error.errcode === 42001)
}
