import { CreateStaffSchema, type CreateStaff } from '@member-center/shared'
import Fastify from 'fastify'
import { randomBytes } from 'node:crypto'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import app from '../server/src/app.js'
import { compileCheck, describeFirstError } from '../server/src/core/strict-input.js'
import { invitationQrText } from '../server/src/modules/staff/invitation-codes.js'

/**
 * `npm run admin -- --name "王芳" [--store SH-01] [--role admin|manager|staff]` (MONGODB_URI must name the database):
 * creates a staff record — by default an admin (every store), or staff of the store given — and prints its one-time
 * invitation code and a QR code of it. This is how the first admin gets in: they open the mini-program, log in, and
 * enter the code (or scan the QR) on the staff activation page; their later logins carry a staff token. Audited as
 * `staff.create` by `npm run admin (<OS user>)`. `npm run admin-token` stays for scripting the admin API.
 */
const usage = 'usage: MONGODB_URI=… npm run admin -- --name "王芳" [--store SH-01] [--role admin|manager|staff]'

let args: { name?: string; store?: string; role?: string; help?: boolean }
try {
  args = parseArgs({
    options: { name: { type: 'string' }, store: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }).values
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`)
  process.exit(2)
}
if (args.help || !args.name) {
  console.error(usage)
  process.exit(args.help ? 0 : 2)
}
const input = { name: args.name, role: args.role ?? (args.store ? 'staff' : 'admin'), ...(args.store !== undefined ? { store: args.store } : {}) }
const check = compileCheck(CreateStaffSchema)
if (!check.Check(input)) {
  console.error(`${describeFirstError(check.Errors(input), '', 'input')}\n${usage}`)
  process.exit(2)
}
const uri = process.env.MONGODB_URI
if (!uri) {
  console.error(`set MONGODB_URI to the program's database, e.g. MONGODB_URI=mongodb://127.0.0.1:27017/member_center\n${usage}`)
  process.exit(2)
}

// the app without its worker: nothing is served, WeChat is not called, no token is signed (no secrets needed)
const unused = randomBytes(32).toString('hex')
const server = Fastify({ logger: { level: 'warn' } })
await server.register(app, {
  MONGODB_URI: uri,
  JWT_SECRET: unused,
  JWT_EXPIRES_IN_SECONDS: 60,
  MEMBER_CODE_SECRET: unused,
  WECHAT_APPID: 'unused',
  WECHAT_SECRET: 'unused',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  WECHAT_TIMEOUT_MS: 1000,
  LOGIN_RATE_LIMIT_PER_MINUTE: 1,
  WORKER_ENABLED: false,
})
try {
  await server.ready()
  const actor = `npm run admin (${userInfo().username})`
  const { staff, invitation } = await server.staff.records.create(input as CreateStaff, { actor, role: 'admin', actorName: actor, store: null })
  const until = new Date(invitation.expiresAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
  console.log(`✔ staff record ${staff.id}: ${staff.name} · ${staff.role} · ${staff.store ?? 'every store'} (invited)`)
  console.log('')
  console.log(`Invitation code — usable once, until ${until} (Shanghai):`)
  console.log('')
  console.log(`    ${invitation.code}`)
  console.log('')
  console.log(invitationQrText(invitation.code))
  console.log('Open the mini-program, log in, and enter this code (or scan the QR code) on the staff activation page.')
  console.log(`A new code, if this one expires: POST /api/admin/staff/${staff.id}/invitations (admin).`)
} catch (error) {
  console.error(`✘ ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await server.close()
}
