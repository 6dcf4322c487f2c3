import { z } from 'zod';
import type { MountedRoute } from './routes';

type JsonSchema = Record<string, unknown>;

const COMPONENT = (id: string) => `#/components/schemas/${id}`;

/** A named contract becomes a $ref to its component; anything else is written inline. */
function schemaOf(s: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = z.globalRegistry.get(s)?.id;
  if (id) return { $ref: COMPONENT(id) };
  // Named contracts nested inside come back as local $defs; in the document they are components.
  const { $schema: _drop, $defs: _defs, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}

/** `/:number` → `/{number}` (OpenAPI path templating). */
export function openApiPath(base: string, path: string): string {
  const full = `${base.replace(/\/$/, '')}${path === '/' ? '' : path}` || '/';
  return full.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(s: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!s) return [];
  const json = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema,
  }));
}

/**
 * OpenAPI 3.1 from the same zod schemas the routes validate with (zod 4's JSON Schema output,
 * draft 2020-12, which OpenAPI 3.1 adopts as is). Served at `/api/openapi.json`.
 */
export function buildOpenApi(routes: readonly MountedRoute[], info: { title: string; version: string }): JsonSchema {
  const registry = z.toJSONSchema(z.globalRegistry, { io: 'input', uri: COMPONENT, unrepresentable: 'any' }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(
    Object.entries(registry.schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest]),
  );
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const { base, tag, spec, access } of routes) {
    const path = openApiPath(base, spec.path);
    const responses = Object.fromEntries(
      Object.entries(spec.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema
            ? { content: { 'application/json': { schema: schemaOf(r.schema, 'output') } } }
            : r.contentType
              ? { content: { [r.contentType]: {} } }
              : {}),
        },
      ]),
    );
    (paths[path] ??= {})[spec.method] = {
      tags: [tag],
      summary: spec.summary,
      operationId: `${spec.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...('roles' in access
        ? { security: [{ bearer: [] }], 'x-roles': access.roles.length ? [...access.roles] : ['any signed-in user'] }
        : { description: access.public }),
      ...(access.narrowed ? { 'x-narrowed': access.narrowed } : {}),
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } } } : {}),
      responses: {
        ...responses,
        ...(spec.body || spec.query || spec.params ? { 400: { description: 'invalid input', content: { 'application/json': { schema: { $ref: COMPONENT('Error') } } } } } : {}),
        ...('roles' in access ? { 401: { description: 'no valid token' }, ...(access.roles.length ? { 403: { description: 'role not allowed' } } : {}) } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
