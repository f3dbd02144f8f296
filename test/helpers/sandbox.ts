import type { FastifyInstance } from 'fastify'
import { createSandbox, type Fault, type RecordedMessage } from '../../tools/wechat-sandbox/sandbox.js'

export const TEST_APPID = 'wxtest0000000000001'
export const TEST_SECRET = 'test-secret-0123456789'
export const TEST_OA_APPID = 'wxtestoa00000000001'
export const TEST_OA_SECRET = 'test-oa-secret-0123456789'

/** A WeChat sandbox on a free port, driven over HTTP like the server's client drives it. */
export interface TestSandbox {
  url: string
  server: FastifyInstance
  code(user: string): Promise<string>
  fault(fault: Fault): Promise<void>
  expireTokens(): Promise<void>
  revokeTokens(): Promise<void>
  messages(): Promise<RecordedMessage[]>
  calls(): Promise<{ path: string }[]>
  close(): Promise<void>
}

export async function startSandbox(options: { tokenTtlSeconds?: number } = {}): Promise<TestSandbox> {
  const server = createSandbox({
    apps: [
      { appid: TEST_APPID, secret: TEST_SECRET },
      { appid: TEST_OA_APPID, secret: TEST_OA_SECRET },
    ],
    tokenTtlSeconds: options.tokenTtlSeconds,
  })
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`sandbox ${path}: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
  return {
    url,
    server,
    code: async (user) => (await call<{ code: string }>(`/sandbox/code?user=${encodeURIComponent(user)}`)).code,
    fault: async (fault) => void (await call('/sandbox/faults', fault)),
    expireTokens: async () => void (await call('/sandbox/tokens/expire', {})),
    revokeTokens: async () => void (await call('/sandbox/tokens/revoke', {})),
    messages: async () => (await call<{ messages: RecordedMessage[] }>('/sandbox/messages')).messages,
    calls: async () => (await call<{ calls: { path: string }[] }>('/sandbox/calls')).calls,
    close: () => server.close(),
  }
}
