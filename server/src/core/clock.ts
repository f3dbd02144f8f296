import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** the clock every service reads; tests pass their own */
    now: () => Date
  }
}

export default fp<{ now?: () => Date }>(
  async (app, opts) => {
    app.decorate('now', opts.now ?? (() => new Date()))
  },
  { name: 'clock' },
)
