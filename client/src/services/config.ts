/**
 * Where the API and (in the H5 demo) the WeChat sandbox are. The weapp build calls an absolute API origin
 * (TARO_APP_API_BASE); the H5 build calls the origin that served it.
 */
export function apiBase(): string {
  if (process.env.TARO_ENV === 'h5') return ''
  return API_BASE
}

/** The sandbox that plays WeChat in the H5 demo: ?sandbox=<url>, TARO_APP_SANDBOX_URL, or this host on port 3001. */
export function sandboxBase(): string {
  const fromQuery = typeof location !== 'undefined' ? new URLSearchParams(location.search).get('sandbox') : null
  if (fromQuery) return fromQuery.replace(/\/$/, '')
  if (SANDBOX_URL) return SANDBOX_URL
  return typeof location !== 'undefined' ? `${location.protocol}//${location.hostname}:3001` : 'http://localhost:3001'
}
