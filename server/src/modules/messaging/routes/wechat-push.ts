import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ServiceUnavailable, Unauthorized } from '../../../core/errors.js'
import { PushRefused, signedByWechat, type PushSecrets, type WechatPush } from '../push.js'

export interface PushRouteOptions {
  push: WechatPush
  miniProgram?: PushSecrets
  officialAccount?: PushSecrets
}

const Query = Type.Object(
  {
    signature: Type.Optional(Type.String({ maxLength: 64 })),
    timestamp: Type.Optional(Type.String({ maxLength: 16 })),
    nonce: Type.Optional(Type.String({ maxLength: 64 })),
    echostr: Type.Optional(Type.String({ maxLength: 256 })),
    openid: Type.Optional(Type.String({ maxLength: 64 })),
    encrypt_type: Type.Optional(Type.String({ maxLength: 16 })),
    msg_signature: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)
type PushQuery = Record<string, string | undefined>

/**
 * /api/wechat/push (the mini-program) and /api/wechat/oa-push (the Official Account): WeChat's message push. GET is
 * the console's URL check (answer `echostr` when the signature matches); POST carries events as JSON or XML, plain
 * or encrypted (secure mode), answered `success` — a bad signature is a 401 and changes nothing. Without the
 * configured Token the route answers 503.
 */
const wechatPush: FastifyPluginAsync<PushRouteOptions> = async (app, opts) => {
  // WeChat posts XML (always for the Official Account): taken as text here only, parsed by the push handler
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body))

  const secretsFor = (which: 'mp' | 'oa') => {
    const secrets = which === 'mp' ? opts.miniProgram : opts.officialAccount
    if (!secrets) throw new ServiceUnavailable(`message push is not configured (${which === 'mp' ? 'WECHAT_PUSH_TOKEN' : 'WECHAT_OA_PUSH_TOKEN'})`)
    return secrets
  }
  const schema = (summary: string) => ({
    tags: ['wechat'],
    summary,
    querystring: Query,
    // XML or JSON, plain or encrypted: checked by signature, parsed by the handler (no body schema to hold it)
  })

  for (const [path, which] of [
    ['/push', 'mp'],
    ['/oa-push', 'oa'],
  ] as const) {
    app.get(path, { schema: schema(`WeChat's check of the ${which === 'mp' ? 'mini-program' : 'Official Account'} push URL`) }, async (request: FastifyRequest, reply: FastifyReply) => {
      const q = request.query as PushQuery
      if (!signedByWechat(secretsFor(which), q)) throw new Unauthorized('the signature does not match')
      return reply.type('text/plain').send(q.echostr ?? '')
    })
    app.post(
      path,
      { schema: schema(`WeChat's ${which === 'mp' ? 'mini-program' : 'Official Account'} message push`), config: { acceptsUnknownFields: true, maxBodyDepth: 8 } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const secrets = secretsFor(which)
        let message: Record<string, unknown>
        try {
          message = opts.push.open(secrets, request.query as PushQuery, request.body)
        } catch (error) {
          if (error instanceof PushRefused) throw new Unauthorized(error.message)
          throw error
        }
        if (which === 'mp') await opts.push.miniProgram(message)
        else await opts.push.officialAccount(message)
        return reply.type('text/plain').send('success')
      },
    )
  }
}
export default wechatPush
