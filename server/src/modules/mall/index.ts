import fp from 'fastify-plugin'

/**
 * mall: the points mall — items (coupons, gifts), redemptions through the ledger and the coupons service, gift
 * orders. (Being built: see issue 9.)
 */
export default fp(async () => {}, { name: 'mall', dependencies: ['core', 'members', 'loyalty', 'coupons', 'shop'] })
