import fp from 'fastify-plugin'
import { jobModel } from './model.js'
import { JobRunner } from './runner.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** the durable job queue: modules register handlers and schedule keyed jobs */
    jobs: JobRunner
  }
}

export interface JobsOptions {
  /** run the worker in this process (tests drain jobs themselves) */
  worker: boolean
  /** a job whose worker died is taken over after this */
  leaseMs?: number
  pollMs?: number
}

/** The job queue; its worker starts when the app is ready (every module has registered its handlers by then). */
export default fp<JobsOptions>(
  async (app, opts) => {
    const { Job } = await app.db.register({ Job: jobModel(app.db.connection) })
    const jobs = new JobRunner(Job, { now: app.now, leaseMs: opts.leaseMs, pollMs: opts.pollMs, log: app.log })
    app.decorate('jobs', jobs)
    if (opts.worker) {
      app.addHook('onReady', async () => jobs.start())
      app.addHook('onClose', async () => jobs.stop())
    }
  },
  { name: 'jobs', dependencies: ['database', 'clock'] },
)
