import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { ErrorSchema } from '@member-center/shared'
import fp from 'fastify-plugin'

/** The OpenAPI document, built from the routes' TypeBox schemas: JSON at /docs/json, a UI at /docs. */
export default fp(
  async (app) => {
    app.addSchema(ErrorSchema)
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Member Center API',
          description: 'A brand membership program inside WeChat: login, member card, points and tiers.',
          version: '0.1.0',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        tags: [
          { name: 'auth', description: 'Login through WeChat' },
          { name: 'member', description: 'The logged-in member' },
          { name: 'integrations', description: "The brand's shop/ERP reports orders (signed webhooks)" },
          { name: 'admin', description: 'Operators (admin tokens)' },
          { name: 'staff', description: 'Store staff (staff, manager or admin tokens)' },
          { name: 'coupons', description: 'Coupon templates, issuing, the wallet, use online and in store' },
          { name: 'mall', description: 'The points mall: items, redemptions, gift orders' },
          { name: 'messages', description: 'The inbox, consent, preferences, templates and the message log' },
          { name: 'birthday', description: 'The birthday: set once, the yearly gift, the settings' },
          { name: 'member-day', description: 'The monthly member day: offers, visits, the multiplier, plans and the report' },
          { name: 'wechat', description: "WeChat's message push" },
          { name: 'ops', description: 'Health' },
        ],
      },
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` },
    })
    await app.register(swaggerUi, { routePrefix: '/docs' })
  },
  { name: 'swagger' },
)
