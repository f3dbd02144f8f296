import fp from 'fastify-plugin'

/** appointments: the brand's stores and their slots, members booking visits, staff confirming, rescheduling, cancelling. (Being built: issue 12.) */
export default fp(async () => {}, { name: 'appointments', dependencies: ['core', 'members', 'loyalty', 'messaging'] })
