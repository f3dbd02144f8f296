import type { ErrorCode } from '@member-center/shared'

/** What the client itself can fail with before or without a server answer. */
export type ClientErrorCode = 'NETWORK' | 'UNKNOWN'

/**
 * One clear sentence for every refusal the server can give (shared/src/errors.ts) and for the client's own failures.
 * The server's `message` is English and meant for developers; members read these. Typed against ErrorCode, so a new
 * code in shared/ does not compile until it has a sentence here.
 */
export const ERROR_MESSAGES: Record<ErrorCode | ClientErrorCode, string> = {
  VALIDATION_FAILED: '提交的信息有误，请检查后再试。',
  UNAUTHORIZED: '登录已过期，请重新登录。',
  FORBIDDEN: '你没有权限进行这个操作。',
  NOT_FOUND: '没有找到相关内容，它可能已被删除。',
  CONFLICT: '当前状态已变化，请刷新后再试。',
  INSUFFICIENT_POINTS: '可用积分不足。',
  OUT_OF_STOCK: '已经兑完了，看看其他礼品吧。',
  LIMIT_REACHED: '你已达到每人可兑换的上限。',
  TIER_NOT_ELIGIBLE: '你当前的会员等级暂不能兑换，升级后再来吧。',
  NOT_AVAILABLE: '当前不在兑换时间内，或已暂停兑换。',
  COUPON_NOT_USABLE: '这张券已使用、已过期或不属于该会员。',
  RATE_LIMITED: '操作太频繁了，请稍等一分钟再试。',
  BIRTHDAY_ALREADY_SET: '生日已经设置过了。如需更正，请联系门店顾问。',
  MEMBER_CODE_INVALID: '会员码已过期或无效，请让会员刷新会员码后重新扫码。',
  SLOT_FULL: '这个时段已约满，请选择其他时段。',
  INVITATION_INVALID: '邀请码无效、已使用或已过期，请向管理员索取新的邀请码。',
  REVIEW_EXISTS: '这件商品已经评价过了，每件商品只能评价一次。',
  NOT_REVIEWABLE: '这件商品暂时不能评价：收货后才能评价，已取消或全额退款的商品不能评价。',
  CHECKS_PENDING: '内容检测还没有全部完成，请稍后再审核。',
  CONTENT_RISKY: '内容检测提示有风险，需确认已人工查看后才能通过。',
  PHOTO_TOO_LARGE: '照片超过 10 MB，请选择小一些的照片。',
  PHOTO_NOT_IMAGE: '这个文件不是图片，请选择 JPEG、PNG 或 WebP 格式的照片。',
  PHOTO_UNSUPPORTED: '暂不支持这种图片格式（如 HEIC、GIF），请选择 JPEG、PNG 或 WebP 格式的照片。',
  PHOTO_TOO_MANY_PIXELS: '照片像素过高（超过 2000 万像素），请裁剪或缩小后再上传。',
  PHOTO_NOT_FOUND: '有照片已失效（未使用的照片只保留一天），请删除后重新上传。',
  PHOTO_IN_USE: '有照片已用在另一条评价里，请删除后重新上传。',
  WECHAT_CODE_INVALID: '微信登录凭证无效或已过期，请重新登录。',
  WECHAT_CODE_USED: '微信登录凭证已被使用，请重新登录。',
  WECHAT_USER_RISKY: '微信判定当前账号存在风险，暂时无法登录，请稍后再试或联系客服。',
  WECHAT_UNAVAILABLE: '暂时连不上微信，请稍后再试。',
  SERVICE_UNAVAILABLE: '服务暂时不可用，请稍后再试。',
  DATABASE_UNAVAILABLE: '服务暂时不可用，请稍后再试。',
  METHOD_NOT_ALLOWED: '这个操作暂不支持，请更新小程序后再试。',
  PAYLOAD_TOO_LARGE: '提交的内容太大了，请精简后再试。',
  URI_TOO_LONG: '请求的地址太长了，请返回重试。',
  UNSUPPORTED_MEDIA_TYPE: '提交的格式不受支持，请更新小程序后再试。',
  INTERNAL: '服务出了点问题，我们已记录下来，请稍后再试。',
  NETWORK: '网络不给力，请检查网络后重试。',
  UNKNOWN: '请求没有成功，请稍后再试。',
}

/** The sentence for a code the server sent, falling back on the HTTP status for a code this build does not know. */
export function messageFor(code: string, statusCode: number): string {
  if (code in ERROR_MESSAGES) return ERROR_MESSAGES[code as ErrorCode | ClientErrorCode]
  if (statusCode === 401) return ERROR_MESSAGES.UNAUTHORIZED
  if (statusCode === 403) return ERROR_MESSAGES.FORBIDDEN
  if (statusCode === 404) return ERROR_MESSAGES.NOT_FOUND
  if (statusCode === 409) return ERROR_MESSAGES.CONFLICT
  if (statusCode === 429) return ERROR_MESSAGES.RATE_LIMITED
  if (statusCode >= 500) return ERROR_MESSAGES.SERVICE_UNAVAILABLE
  if (statusCode >= 400) return ERROR_MESSAGES.VALIDATION_FAILED
  return ERROR_MESSAGES.UNKNOWN
}
