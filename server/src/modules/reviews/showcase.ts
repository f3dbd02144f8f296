import { maskNickname } from '@member-center/shared'
import type { MemberRepository } from '../members/repository.js'
import type { ReviewsModels } from './models.js'
import { nicknamesOf, type ReviewDoc, type ReviewViews } from './views.js'

/**
 * A product's public review list: approved reviews with photos, newest published first, with the author's nickname
 * masked and the brand's reply; the count and average rating of all of them (a 1-star review counts like any other).
 */
export class ReviewShowcase {
  constructor(
    private readonly models: ReviewsModels,
    private readonly members: MemberRepository,
    private readonly views: ReviewViews,
  ) {}

  async product(sku: string, query: { limit?: number; before?: string }) {
    const limit = query.limit ?? 20
    const published: Record<string, unknown> = { sku, state: 'approved', publishedAt: { $ne: null } }
    let page = published
    if (query.before) {
      const cursor = await this.models.Review.findOne({ ...published, _id: query.before }, { publishedAt: 1 }).lean<Pick<ReviewDoc, '_id' | 'publishedAt'>>()
      if (cursor?.publishedAt) {
        page = { ...published, $or: [{ publishedAt: { $lt: cursor.publishedAt } }, { publishedAt: cursor.publishedAt, _id: { $lt: cursor._id } }] }
      }
    }
    const [docs, ratings] = await Promise.all([
      this.models.Review.find(page).sort({ publishedAt: -1, _id: -1 }).limit(limit + 1).lean<ReviewDoc[]>(),
      // the ratings themselves (a product has hundreds, not millions): FerretDB 1.24 gets two accumulators in one $group wrong
      this.models.Review.find(published, { rating: 1, _id: 0 }).lean<{ rating: number }[]>(),
    ])
    const shown = docs.slice(0, limit)
    const [photos, nicknames] = await Promise.all([this.views.photoMap(shown), nicknamesOf(this.members, shown.map((d) => d.memberId))])
    const count = ratings.length
    return {
      sku,
      count,
      averageRating: count > 0 ? Math.round((ratings.reduce((sum, r) => sum + r.rating, 0) / count) * 10) / 10 : null,
      items: shown.map((d) => ({
        id: d._id.toString(),
        nickname: maskNickname(nicknames.get(d.memberId.toString())),
        rating: d.rating,
        text: d.text,
        photos: d.photoIds.flatMap((id) => photos.get(id.toString()) ?? []),
        reply: d.reply.text && d.reply.at ? { text: d.reply.text, at: d.reply.at.toISOString() } : null,
        createdAt: d.createdAt.toISOString(),
      })),
      nextBefore: docs.length > limit ? shown[shown.length - 1]!._id.toString() : null,
    }
  }

}
