import fp from 'fastify-plugin'

/** staff counter: member look-up, the member at a glance, clienteling notes, in-store purchases, care previews, today's tasks. (Being built: issue 12.) */
export default fp(async () => {}, { name: 'staff-counter', dependencies: ['core', 'members', 'loyalty', 'coupons', 'shop', 'messaging', 'staff'] })
