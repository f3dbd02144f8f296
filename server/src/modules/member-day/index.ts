import fp from 'fastify-plugin'

/**
 * member-day: one to three fixed days a month with tier coupons, a points multiplier, a reminder the day before, a
 * theme and member prices planned by month, and a results report. (Being built: see issue 11.)
 */
export default fp(async () => {}, { name: 'member-day', dependencies: ['core', 'members', 'loyalty', 'coupons', 'messaging'] })
