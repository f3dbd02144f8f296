import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const H5_DIR = path.join(ROOT, 'client', 'dist', 'h5')
export const WEAPP_DIR = path.join(ROOT, 'client', 'dist', 'weapp')

/** Builds the mini-program for one target with Taro (env carries TARO_APP_* settings). */
export function buildClient(target: 'h5' | 'weapp', env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['taro', 'build', '--type', target], {
      cwd: path.join(ROOT, 'client'),
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // Taro's progress output is long; keep it, and show it only if the build fails
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) return resolve()
      process.stderr.write(output.slice(-20_000))
      reject(new Error(`taro build --type ${target} exited with ${code}`))
    })
  })
}

/**
 * WeChat DevTools reads project.private.config.json over project.config.json: with a real appid configured, the
 * built mini-program opens under that app instead of the tourist appid. The file is not committed.
 */
export function writeDevtoolsAppid(appid: string | undefined): void {
  if (!appid) return
  writeFileSync(path.join(ROOT, 'project.private.config.json'), JSON.stringify({ appid, projectname: 'member-center' }, null, 2) + '\n')
}
