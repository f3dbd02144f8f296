import { Type, type Static } from '@sinclair/typebox'

const CheckSchema = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), detail: Type.Optional(Type.String()) })

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Object({ database: CheckSchema, wechat: CheckSchema }),
})
export type Health = Static<typeof HealthSchema>
