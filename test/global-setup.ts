import type { TestProject } from 'vitest/node'
import { startDatabase } from '../tools/database.js'

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string
    databaseKind: string
    databaseDescription: string
  }
}

/** Starts the database server once per test run (tools/database.ts decides which) and stops it afterwards. */
export default async function setup(project: TestProject) {
  const database = await startDatabase()
  project.provide('mongoUri', database.uri)
  project.provide('databaseKind', database.kind)
  project.provide('databaseDescription', database.description)
  return async () => {
    await database.stop()
  }
}
