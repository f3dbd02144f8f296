import { createSigner } from 'fast-jwt'

/**
 * `npm run admin-token -- <who>`: an operator token (role admin) for the admin API, signed with JWT_SECRET.
 * For scripting only: people get their staff identity through an invitation (`npm run admin` for the first admin,
 * then POST /api/admin/staff) and log in through WeChat. Valid for 12 hours.
 */
const who = process.argv[2]
const secret = process.env.JWT_SECRET
if (!who || !secret) {
  console.error('usage: JWT_SECRET=… npm run admin-token -- <your name or email>')
  process.exit(2)
}
console.log(createSigner({ key: secret, algorithm: 'HS256', expiresIn: 12 * 3600 * 1000 })({ sub: who, role: 'admin' }))
