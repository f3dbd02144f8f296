import { FormatRegistry, Kind, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError, type ValueErrorIterator } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { MethodNotAllowed, NotFound, UriTooLong, ValidationFailed } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the deepest nesting of objects and arrays the route's JSON body may have (default DEFAULT_MAX_DEPTH) */
    maxBodyDepth?: number
    /** keep the body's exact text as request.rawBody (signed webhooks) */
    rawBody?: boolean
    /**
     * the route's contract says unknown fields are ignored (shop events): its body schema may leave objects open,
     * and the service stores only the fields its schemas know
     */
    acceptsUnknownFields?: boolean
  }
  interface FastifyRequest {
    /** the body exactly as sent, for routes with `config.rawBody` */
    rawBody?: string
  }
}

/** Bodies larger than this are refused (413) unless the route sets its own `bodyLimit`. */
export const DEFAULT_BODY_LIMIT = 64 * 1024
/** Bodies nested deeper than this are refused (400) unless the route sets `config.maxBodyDepth`. */
export const DEFAULT_MAX_DEPTH = 8

// TypeBox checks formats with its own registry
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)))
}

/** A compiled TypeBox check (with the formats the schemas use registered). */
export function compileCheck<T extends TSchema>(schema: T): TypeCheck<T> {
  return TypeCompiler.Compile(schema)
}

/**
 * The first thing wrong with a value, as `<path>: <what>` (`lines.0.paidFen: Expected integer`), the path prefixed
 * with `prefix`. For a union it looks into the alternative the value came closest to, so an unknown property inside
 * one of several object shapes is named rather than "Expected union value".
 */
export function describeFirstError(errors: ValueErrorIterator, prefix: string, whole = 'value'): string {
  const first = errors.First()
  if (!first) return `${prefix || whole}: is not valid`
  const error = closest(first)
  const steps = error.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  const path = [prefix, ...steps].filter((p, i) => i > 0 || p !== '').join('.')
  return clip(`${path || whole}: ${explain(error)}`)
}

function closest(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union || error.errors.length === 0) return error
  // alternatives that are all constants: say which values are allowed
  const options = (error.schema.anyOf as TSchema[] | undefined) ?? []
  if (options.length > 0 && options.every((o) => o.const !== undefined)) return error
  let best: ValueError[] | undefined
  for (const variant of error.errors) {
    const found: ValueError[] = []
    for (const e of variant) {
      found.push(e)
      if (found.length >= 10) break
    }
    if (found.length > 0 && (!best || found.length < best.length)) best = found
  }
  return best ? closest(best[0]!) : error
}

function explain(error: ValueError): string {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown property (not allowed)'
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.Union: {
      const options = ((error.schema.anyOf as TSchema[] | undefined) ?? []).map((o) => o.const).filter((c) => c !== undefined)
      return options.length > 0 ? `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : error.message
    }
    default:
      return error.message
  }
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * Fastify's validator: TypeBox checks, strict. A body is checked as sent — no type coercion ("5" is not 5), no
 * properties dropped: an unknown one is an error naming it. Querystrings, path parameters and headers are strings
 * on the wire, so numbers and booleans in them are converted (and defaults applied) before the check.
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart, method, url }) => {
  if (!(Kind in schema)) throw new Error(`${method} ${url}: the ${httpPart} schema must be a TypeBox schema`)
  const check = compileCheck(schema)
  const convert = httpPart !== 'body'
  return (input: unknown) => {
    const value = convert ? coerce(schema, input) : input
    if (check.Check(value)) return { value }
    const message = describeFirstError(check.Errors(value), httpPart ?? 'request')
    return { error: [{ keyword: 'typebox', instancePath: '', schemaPath: '', params: {}, message }] }
  }
}

/**
 * What is wrong with a JSON text before it is parsed, by one scan: nesting deeper than `max` (a deep body costs
 * nothing more than a flat one), or an escaped lone surrogate (`"\ud800"`, not Unicode: the database would store
 * another string than the one checked). Syntax is left to the parser.
 */
export function jsonTextProblem(text: string, max: number): 'too-deep' | 'lone-surrogate' | null {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 34) inString = false
      else if (c === 92) {
        // an escape: \uXXXX may be half of a surrogate pair, which must be whole
        if (text.charCodeAt(i + 1) === 117) {
          const unit = parseInt(text.slice(i + 2, i + 6), 16)
          if (unit >= 0xdc00 && unit <= 0xdfff) return 'lone-surrogate'
          if (unit >= 0xd800 && unit <= 0xdbff) {
            const low = text.charCodeAt(i + 7) === 117 && text.charCodeAt(i + 6) === 92 ? parseInt(text.slice(i + 8, i + 12), 16) : NaN
            if (!(low >= 0xdc00 && low <= 0xdfff)) return 'lone-surrogate'
            i += 6
          }
          i += 5
        } else i++
      }
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > max) return 'too-deep'
    } else if (c === 125 || c === 93) depth--
  }
  return null
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Every object in a request schema closed, every string, number and array bounded; else why not. */
function schemaProblems(schema: TSchema, where: string, open: boolean, problems: string[]): string[] {
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const s of (schema[key] as TSchema[] | undefined) ?? []) schemaProblems(s, where, open, problems)
  }
  if (schema.const !== undefined || schema.enum !== undefined) return problems
  switch (schema.type) {
    case 'object':
      if (!open && schema.additionalProperties !== false) problems.push(`${where}: an object without additionalProperties: false`)
      for (const [name, property] of Object.entries((schema.properties as Record<string, TSchema> | undefined) ?? {})) {
        schemaProblems(property, `${where}.${name}`, open, problems)
      }
      break
    case 'array':
      if (schema.maxItems === undefined) problems.push(`${where}: an array without maxItems`)
      if (schema.items) schemaProblems(schema.items as TSchema, `${where}[]`, open, problems)
      break
    case 'string':
      if (schema.maxLength === undefined) problems.push(`${where}: a string without maxLength`)
      break
    case 'number':
    case 'integer':
      if (schema.minimum === undefined && schema.exclusiveMinimum === undefined) problems.push(`${where}: a number without minimum`)
      if (schema.maximum === undefined && schema.exclusiveMaximum === undefined) problems.push(`${where}: a number without maximum`)
      break
  }
  return problems
}

/** `/members/:memberId/adjustments` → a RegExp matching its paths whatever the parameters' lengths, one group each. */
function pathPattern(url: string): RegExp {
  const segments = url.split('/').map((s) => (s === '*' ? '(?:.*)' : s.startsWith(':') ? '([^/]+)' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  return new RegExp(`^${segments.join('/')}$`)
}

function decoded(param: string): string {
  try {
    return decodeURIComponent(param)
  } catch {
    return param
  }
}

/**
 * Values coerced from the strings of a querystring, path or headers: an integer or a number only when the whole
 * string is one in plain decimal ("1e400", "5abc", "0x10" stay strings and fail the check), a boolean from
 * "true"/"false". Then the schema's defaults.
 */
function coerce(schema: TSchema, input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  const properties = (schema.properties as Record<string, TSchema> | undefined) ?? {}
  const value = { ...(input as Record<string, unknown>) }
  for (const [name, property] of Object.entries(properties)) {
    const raw = value[name]
    if (typeof raw !== 'string') continue
    const types = [property.type, ...((property.anyOf as TSchema[] | undefined) ?? []).map((s) => s.type)]
    if (types.includes('integer') && /^-?\d{1,15}$/.test(raw)) value[name] = Number(raw)
    else if (types.includes('number') && /^-?\d{1,15}(\.\d{1,15})?$/.test(raw)) value[name] = Number(raw)
    else if (types.includes('boolean') && (raw === 'true' || raw === 'false')) value[name] = raw === 'true'
  }
  return Value.Default(schema, value)
}

/**
 * Strict input, for every route: the validator above; JSON bodies only (anything else is 415), bounded in size
 * (413) and nesting depth (400) per route before they are parsed; every request schema checked at boot (objects
 * closed, strings, numbers and arrays bounded), so a route cannot be added without them; and requests no route
 * takes answer in the one error shape — 404, 405 with an Allow header when the path exists with other methods,
 * 414 when a path parameter is longer than the router reads.
 */
export default fp(
  async (app) => {
    app.setValidatorCompiler(strictValidatorCompiler)

    // JSON only: text/plain (Fastify's other default) is refused with 415 like any other type
    app.removeContentTypeParser('text/plain')
    const parseJson = app.getDefaultJsonParser('error', 'error')
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: DEFAULT_BODY_LIMIT }, (request, body, done) => {
      let text: string
      try {
        text = utf8.decode(body as Buffer)
      } catch {
        done(new ValidationFailed('the body is not valid UTF-8'), undefined)
        return
      }
      // wx.request sends content-type: application/json on every request, a DELETE's empty body included: nothing to parse
      if (text.length === 0 && request.method === 'DELETE') {
        done(null, undefined)
        return
      }
      const maxDepth = request.routeOptions.config.maxBodyDepth ?? DEFAULT_MAX_DEPTH
      const problem = jsonTextProblem(text, maxDepth)
      if (problem) {
        done(new ValidationFailed(problem === 'too-deep' ? `the body is nested deeper than ${maxDepth} levels` : 'the body has a lone surrogate (\\uD800–\\uDFFF unpaired): not Unicode'), undefined)
        return
      }
      if (request.routeOptions.config.rawBody) request.rawBody = text
      parseJson(request, text, done)
    })

    // every route, for the answers below; and its request schemas checked as it is added
    const routes: { url: string; methods: string[]; pattern: RegExp }[] = []
    app.addHook('onRoute', (route: RouteOptions & { routePath?: string; prefix?: string }) => {
      if ((route.config as { unmatched?: boolean } | undefined)?.unmatched) return
      const methods = [route.method].flat()
      routes.push({ url: route.url, methods, pattern: pathPattern(route.url) })
      // a plugin's root ('/' under a prefix) is served with and without the slash, though announced once
      if (route.routePath === '' && route.prefix) routes.push({ url: `${route.url}/`, methods, pattern: pathPattern(`${route.url}/`) })
      const schema = route.schema as Record<string, TSchema | undefined> | undefined
      if (!schema || schema.hide) return
      const open = route.config?.acceptsUnknownFields === true
      const problems: string[] = []
      for (const part of ['body', 'querystring', 'params'] as const) {
        const s = schema[part]
        if (s) schemaProblems(s, part, part === 'body' && open, problems)
      }
      if (problems.length > 0) throw new Error(`${[route.method].flat().join(',')} ${route.url}: request schema not strict: ${problems.join('; ')}`)
    })

    const config = app.initialConfig as { maxParamLength?: number; routerOptions?: { maxParamLength?: number } }
    const maxParamLength = config.routerOptions?.maxParamLength ?? config.maxParamLength ?? 100
    const unmatched = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0]!
      const shown = path.length > 120 ? `${path.slice(0, 120)}…` : path
      const matching = routes.filter((r) => r.pattern.test(path))
      const allowed = [...new Set(matching.flatMap((r) => r.methods))].sort()
      if (matching.length > 0 && !allowed.includes(request.method)) {
        reply.header('allow', allowed.join(', '))
        throw new MethodNotAllowed(`${request.method} is not supported on ${shown}; it takes ${allowed.join(', ')}`)
      }
      // the path is a route's, but the router refused it: a parameter longer than it reads
      const tooLong = matching.some((r) => r.methods.includes(request.method) && r.pattern.exec(path)!.slice(1).some((p) => decoded(p).length > maxParamLength))
      if (tooLong) throw new UriTooLong(`a path parameter is longer than ${maxParamLength} characters`)
      throw new NotFound(`no route for ${request.method} ${shown}`)
    }
    // a request no route takes lands here (a wildcard is the router's last resort, so it also catches paths whose
    // parameter is too long — which the router would otherwise answer itself, outside the error shape); it answers
    // in onRequest, before any body is read
    app.route({
      method: app.supportedMethods,
      url: '/*',
      schema: { hide: true },
      config: { unmatched: true } as never,
      onRequest: unmatched,
      handler: async () => undefined,
    })
    app.setNotFoundHandler(async (request, reply) => unmatched(request, reply))
  },
  { name: 'strict-input' },
)
