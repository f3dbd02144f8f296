import fp from 'fastify-plugin'

/** staff: staff records, roles and stores, invitations, staff tokens checked on every request, the audit log. (Being built: issue 12.) */
export default fp(async () => {}, { name: 'staff', dependencies: ['core', 'members'] })
