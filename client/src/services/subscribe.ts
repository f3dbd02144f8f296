import Taro from '@tarojs/taro'
import type { MessageKind } from '@member-center/shared'
import { sandboxBase } from './config'
import { reportSubscriptions, type SubscribeAnswer, type SubscribeTemplate } from './messages'

// Asking for subscribe-message consent (DESIGN.md §3 "Subscribe messages", "Subscribe details that are easy to get
// wrong"). Each "allow" pays for exactly one message with that template; WeChat cannot be asked how many are left, so
// every tap's answers go to the server (POST /api/me/subscriptions), which keeps the balance.

/** WeChat asks about at most three templates in one tap (some docs say five; three is safe). */
export const MAX_TEMPLATES_PER_TAP = 3

const ANSWERS: readonly string[] = ['accept', 'reject', 'ban', 'filter']

/** The templates mapped for these kinds, in the order of the kinds, at most three. */
export function templatesFor(templates: SubscribeTemplate[], kinds: readonly MessageKind[]): SubscribeTemplate[] {
  const picked: SubscribeTemplate[] = []
  for (const kind of kinds) {
    const template = templates.find((t) => t.kind === kind)
    if (template && !picked.some((p) => p.templateId === template.templateId)) picked.push(template)
  }
  return picked.slice(0, MAX_TEMPLATES_PER_TAP)
}

/**
 * One answer per template asked, from what WeChat (or the sandbox playing it) answered: a missing key is not an
 * accept (Taro's H5 build resolves with no per-template keys at all), and neither is anything unknown.
 */
export function answersOf(result: Record<string, unknown> | null | undefined, templateIds: readonly string[]): Record<string, SubscribeAnswer> {
  return Object.fromEntries(
    templateIds.map((id) => {
      const answer = result?.[id]
      return [id, typeof answer === 'string' && ANSWERS.includes(answer) ? (answer as SubscribeAnswer) : 'reject']
    }),
  )
}

/** A refusal of the request itself (no dialog was shown), with a sentence for the member. */
export class SubscribeError extends Error {
  constructor(
    readonly errCode: number | null,
    message: string,
  ) {
    super(message)
    this.name = 'SubscribeError'
  }
}

/** What wx.requestSubscribeMessage's errCode means for the member (WeChat's documented codes). */
function wechatRefusal(errCode: number | null): string {
  switch (errCode) {
    case 20004:
      return '你已在小程序设置中关闭「接收订阅消息」，可在右上角「…」→「设置」中重新开启。'
    case 20001:
    case 20002:
    case 20003:
    case 20005:
      return '提醒暂时无法开启，请稍后再试。'
    case 10002:
    case 10003:
      return '网络不给力，提醒没有开启，请稍后再试。'
    default:
      return '提醒没有开启，请稍后再试。'
  }
}

/**
 * In WeChat: shows WeChat's subscribe dialog. MUST be called synchronously inside the tap handler, before any `await`
 * (afterwards WeChat refuses: "can only be invoked by user TAP gesture"), so the template ids must be at hand already.
 */
export function askWechat(templateIds: string[]): Promise<Record<string, SubscribeAnswer>> {
  const ids = templateIds.slice(0, MAX_TEMPLATES_PER_TAP)
  // (Taro's option type also demands alipay's entityIds; WeChat takes tmplIds only)
  return Taro.requestSubscribeMessage({ tmplIds: ids } as Taro.requestSubscribeMessage.Option).then(
    (result) => answersOf(result as unknown as Record<string, unknown>, ids),
    (failure: { errCode?: number }) => {
      throw new SubscribeError(failure?.errCode ?? null, wechatRefusal(failure?.errCode ?? null))
    },
  )
}

/**
 * In the H5 demo the WeChat sandbox plays the user's answer: it records the taps for the sandbox user WeChat knows
 * (as WeChat would, +1 unused send per accept) and answers what wx.requestSubscribeMessage would answer.
 */
export async function answerInSandbox(user: string, results: Record<string, SubscribeAnswer>): Promise<Record<string, SubscribeAnswer>> {
  const ids = Object.keys(results).slice(0, MAX_TEMPLATES_PER_TAP)
  const response = await fetch(`${sandboxBase()}/sandbox/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, results: Object.fromEntries(ids.map((id) => [id, results[id]])) }),
  }).catch(() => null)
  if (!response) throw new SubscribeError(null, '连不上扮演微信的演示沙箱，提醒没有开启，请确认它正在运行后重试。')
  if (!response.ok) throw new SubscribeError(null, `演示沙箱没有记录这次选择（${response.status}），请重试。`)
  const { result } = (await response.json()) as { result?: Record<string, unknown> }
  return answersOf(result, ids)
}

/** Reports one tap's answers to the server, which counts the accepts; answers the templates with their balances. */
export const reportAnswers = reportSubscriptions
