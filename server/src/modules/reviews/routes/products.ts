import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProductReviewsParamsSchema, ProductReviewsQuerySchema, ProductReviewsSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/products/{sku}/reviews — a product's published reviews, for anyone. */
const products: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/products/:sku/reviews',
    {
      schema: {
        tags: ['reviews'],
        summary: 'A product’s published reviews (approved, with photos), newest first, nicknames masked, with the brand’s reply',
        description: 'count and averageRating cover every published review of the product. Page on with before=nextBefore.',
        params: ProductReviewsParamsSchema,
        querystring: ProductReviewsQuerySchema,
        response: { 200: ProductReviewsSchema, ...errorResponses(400, 503) },
      },
    },
    async (request) => app.reviews.showcase.product(request.params.sku, request.query),
  )
}
export default products
