import { z } from 'zod';
import { requestFor, type ApiRequest, type ApiResponse } from '../api/endpoint';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { toolError, toolText, type ToolFailure, type ToolResult } from './toolResult';

/** What a tool call needs: the API's storage clients, the invocation's logger, the paging key. */
export interface ToolServices {
  storage: StorageClients;
  logger: Logger;
  pagingSecret: string;
  /** The partner-earned credit of quotes (PEC_PERCENT). */
  settings: Pick<Settings, 'PEC_PERCENT'>;
  /** Scheme and host the API answers at (`https://<app>.azurewebsites.net`): the base of the `nextLink`s. */
  apiOrigin: string;
}

/**
 * An MCP tool for assistants. `input` is the zod schema of its arguments: the Functions host
 * advertises its properties (shared/assistant/toolProperties), and `run` validates a call against
 * it. `run` never throws for a bad call: it answers a tool error naming the argument.
 */
export interface AssistantTool {
  toolName: string;
  /** Written for a model: what the tool answers, when to use it, what the result holds. */
  description: string;
  input: z.ZodObject;
  run(args: unknown, services: ToolServices): Promise<ToolResult>;
}

/** A tool that asks an HTTP endpoint the same question: its arguments are the endpoint's query parameters. */
export interface QueryToolSpec {
  toolName: string;
  description: string;
  /** The endpoint's query schema (or the part of it the tool takes), plus any argument of the tool's own. */
  input: z.ZodObject;
  /** Arguments sent under another query parameter name (`filter` → `$filter`). */
  parameterNames?: Record<string, string>;
  /** A check across arguments that the endpoint does not make (a failure, or undefined). */
  check?: (args: Record<string, string>) => ToolFailure | undefined;
  /** The endpoint's path below the host (`/api/prices`): the request the endpoint gets is the HTTP one. */
  path: string;
  endpoint: (request: ApiRequest, services: ToolServices) => Promise<ApiResponse>;
}

/**
 * The arguments as query parameters: scalars (a model may send `top` as 100 or "100"), null
 * meaning absent, no argument the tool does not declare. Their values are the endpoint's to
 * validate, with the same schema and messages as over HTTP.
 */
function queryArgumentsSchema(input: z.ZodObject) {
  const scalar = z.union([z.string(), z.number()], { error: 'must be a string or a number' });
  return z.strictObject(Object.fromEntries(Object.keys(input.shape).map((name) => [name, scalar.nullish()])));
}

export function queryTool(spec: QueryToolSpec): AssistantTool {
  const argumentsSchema = queryArgumentsSchema(spec.input);
  const parameterOf = (name: string) => spec.parameterNames?.[name] ?? name;
  const argumentOf = (parameter: string) =>
    Object.entries(spec.parameterNames ?? {}).find(([, query]) => query === parameter)?.[0] ?? parameter;
  return {
    toolName: spec.toolName,
    description: spec.description,
    input: spec.input,
    async run(args, services) {
      const parsed = argumentsSchema.safeParse(args ?? {});
      if (!parsed.success) return toolError(argumentFailure(parsed.error, Object.keys(spec.input.shape)));
      const given: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed.data))
        if (value !== null && value !== undefined) given[name] = String(value);
      const failure = spec.check?.(given);
      if (failure) return toolError(failure);
      const query = new URLSearchParams(
        Object.entries(given).map(([name, value]): [string, string] => [parameterOf(name), value]),
      );
      return endpointResult(
        await spec.endpoint(requestFor(spec.path, query, {}, services.apiOrigin), services),
        argumentOf,
      );
    },
  };
}

/** The first bad argument of a failed validation, named as the caller sent it. */
export function argumentFailure(error: z.ZodError, declared: readonly string[]): ToolFailure {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0];
    return {
      code: 'UnknownArgument',
      message: `${name}: unknown argument; this tool takes ${declared.join(', ')}`,
      argument: name,
    };
  }
  const name = issue.path[0];
  if (name === undefined) return { code: 'InvalidArgument', message: issue.message };
  return { code: 'InvalidArgument', message: `${String(name)}: ${issue.message}`, argument: String(name) };
}

/** The RFC 9457 problem every endpoint answers with (shared/api/problem): its stable code, detail and parameter. */
const endpointErrorSchema = z.object({
  code: z.string(),
  detail: z.string(),
  parameter: z.string().optional(),
  field: z.string().optional(),
});

/**
 * 200: the endpoint's JSON as it is (exact digits). Otherwise a tool error with the endpoint's code
 * and message, its parameter named as the tool's argument.
 */
export function endpointResult(
  response: ApiResponse,
  argumentOf: (parameter: string) => string = (p) => p,
): ToolResult {
  if (response.status === 200) return toolText(response.body);
  const problem = endpointErrorSchema.parse(JSON.parse(response.body));
  const { code, detail } = problem;
  // A query parameter, or a body field (`lines[0].quantity`): named as the tool's argument.
  const parameter = problem.parameter ?? problem.field;
  if (parameter === undefined) return toolError({ code, message: detail, status: response.status });
  const argument = argumentOf(parameter);
  const message = detail.startsWith(`${parameter}:`) ? `${argument}:${detail.slice(parameter.length + 1)}` : detail;
  return toolError({ code, message, argument, status: response.status });
}
