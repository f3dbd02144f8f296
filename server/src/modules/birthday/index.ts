import fp from 'fastify-plugin'

/**
 * birthday: the member's date-only birthday (set once; staff correct it), the yearly gift issued a few days before
 * (coupons and/or points, per tier), the birthday-month points multiplier. (Being built: see issue 11.)
 */
export default fp(async () => {}, { name: 'birthday', dependencies: ['core', 'members', 'loyalty', 'coupons', 'messaging'] })
