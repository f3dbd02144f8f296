import type {
  FollowUp,
  FollowUpReportSchema,
  ReviewRejectionReason,
  ReviewState,
  StaffReview,
  UpdateFollowUp,
} from '@member-center/shared'
import type { Static } from '@sinclair/typebox'
import { apiBase } from './config'
import { staffRequest } from './http'
import { storeQuery } from './staff'

// Review moderation and the follow-up log (subpackage packages/moderation) only. Every call carries the staff token;
// moderation is for managers and admins (staff: 403), the follow-up log for every role (their own store).

export type { FollowUp, StaffReview }
export type FollowUpReport = Static<typeof FollowUpReportSchema>

/** A photo's link as the API gives it (a relative path, signed for an hour), for <Image src>. */
export const photoSrc = (url: string) => (/^https?:\/\//.test(url) ? url : apiBase() + url)

const gone = { NOT_FOUND: '没有找到这条评价，它可能已被删除。' }

/** GET /api/staff/reviews — the queue (checking, pending, held; oldest first), or one state's reviews */
export const getStaffReviews = (state?: ReviewState) =>
  staffRequest<{ items: StaffReview[] }>('GET', `/api/staff/reviews${state ? `?state=${state}` : ''}`)

/** GET /api/staff/reviews/:id — one review with its photos and the checks' verdicts */
export const getStaffReview = (id: string) => staffRequest<StaffReview>('GET', `/api/staff/reviews/${encodeURIComponent(id)}`, undefined, gone)

/** POST /api/staff/reviews/:id/approve — published, its reward granted whatever the rating; held ones need confirmRisky */
export const approveReview = (id: string, confirmRisky = false) =>
  staffRequest<StaffReview>('POST', `/api/staff/reviews/${encodeURIComponent(id)}/approve`, confirmRisky ? { confirmRisky: true } : {}, {
    ...gone,
    CONFLICT: '这条评价已被拒绝或删除，不能再通过。',
  })

/** POST /api/staff/reviews/:id/reject — with a reason about its content (the member sees it) */
export const rejectReview = (id: string, reason: ReviewRejectionReason, note?: string) =>
  staffRequest<StaffReview>('POST', `/api/staff/reviews/${encodeURIComponent(id)}/reject`, note ? { reason, note } : { reason }, {
    ...gone,
    CONFLICT: '这条评价已通过，请改用「删除」。',
  })

/** POST /api/staff/reviews/:id/removal — unpublished, photos deleted, the reward reversed */
export const removeReview = (id: string, reason: ReviewRejectionReason, note?: string) =>
  staffRequest<StaffReview>('POST', `/api/staff/reviews/${encodeURIComponent(id)}/removal`, note ? { reason, note } : { reason }, gone)

/** PUT /api/staff/reviews/:id/reply — the brand's reply to a published review (replaces the last) */
export const replyToReview = (id: string, text: string) =>
  staffRequest<StaffReview>('PUT', `/api/staff/reviews/${encodeURIComponent(id)}/reply`, { text }, {
    ...gone,
    CONFLICT: '只能回复已通过的评价。',
  })

/** GET /api/staff/review-follow-ups — reviews rated 1–3, newest first (my store; an admin the store chosen, or all) */
export const getFollowUps = (status?: FollowUp['status']) =>
  staffRequest<{ items: FollowUp[] }>('GET', `/api/staff/review-follow-ups${status ? `?status=${status}` : ''}${storeQuery(status ? '&' : '?')}`)

/** POST /api/staff/review-follow-ups/:id (the server's PATCH, by POST: wx.request has no PATCH) — classify, move along, note. */
export const updateFollowUp = (id: string, changes: UpdateFollowUp) =>
  staffRequest<FollowUp>('POST', `/api/staff/review-follow-ups/${encodeURIComponent(id)}`, changes, {
    NOT_FOUND: '没有找到这条跟进记录，它可能属于其他门店。',
  })

/** GET /api/staff/review-follow-ups/report?month=YYYY-MM — follow-ups opened that month, by class and status */
export const getFollowUpReport = (month: string) =>
  staffRequest<FollowUpReport>('GET', `/api/staff/review-follow-ups/report?month=${month}${storeQuery('&')}`)
