import { Type, type Static } from '@sinclair/typebox'

const CheckSchema = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), detail: Type.Optional(Type.String()) })

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Object({ database: CheckSchema, wechat: CheckSchema }),
  configuration: Type.Optional(
    Type.Array(Type.Object({ area: Type.String(), problem: Type.String() }), {
      description: 'to an admin token: configuration that is missing (a message kind without a template, …); not an outage, the status stays ok',
    }),
  ),
})
export type Health = Static<typeof HealthSchema>
