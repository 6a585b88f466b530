import { z } from 'zod';

/**
 * A tool argument as the Functions MCP extension advertises it (`toolProperties` of app.mcpTool):
 * a name, one JSON type, a description and whether it is required. The extension has no place for
 * enums, defaults or examples, so those go into the description, where a model reads them.
 */
export interface ToolProperty {
  propertyName: string;
  propertyType: 'string' | 'integer' | 'number' | 'boolean' | 'object';
  description: string;
  isRequired: boolean;
  /** A list of `propertyType` values (a quote's lines: objects). */
  isArray?: boolean;
}

/** The part of a property's JSON Schema the description is made of (the API's schemas use scalars). */
interface JsonProperty {
  $ref?: string;
  type?: string;
  items?: JsonProperty;
  properties?: Record<string, JsonProperty>;
  required?: string[];
  anyOf?: JsonProperty[];
  description?: string;
  enum?: (string | number)[];
  default?: string | number | boolean;
  example?: string | number | boolean;
}

const TYPES = new Set<string>(['string', 'integer', 'number', 'boolean', 'object']);

/** The properties of a tool's zod input schema (its JSON Schema as a request would be validated). */
export function toolProperties(input: z.ZodObject): ToolProperty[] {
  const json = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as JsonProperty & {
    $defs?: Record<string, JsonProperty>;
  };
  // Schemas named with `.meta({ id })` (the quote request and its lines) come as references into $defs.
  const resolve = (property: JsonProperty): JsonProperty =>
    property.$ref ? (json.$defs?.[property.$ref.slice('#/$defs/'.length)] ?? property) : property;
  const schema = resolve(json);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    propertyName: name,
    ...(property.type === 'array' && property.items
      ? { propertyType: typeOf(name, resolve(property.items)), isArray: true }
      : { propertyType: typeOf(name, property) }),
    description: describe(property),
    isRequired: schema.required?.includes(name) ?? false,
  }));
}

/** The one JSON type of a property; a union of strings (a date or `future`) is a string. */
function typeOf(name: string, property: JsonProperty): ToolProperty['propertyType'] {
  const types = new Set(property.anyOf ? property.anyOf.map((member) => member.type) : [property.type]);
  const [type] = types;
  if (types.size === 1 && type !== undefined && TYPES.has(type)) return type as ToolProperty['propertyType'];
  throw new Error(`tool argument ${name}: not one of the MCP extension's types (${[...types].join(', ')})`);
}

function describe(property: JsonProperty): string {
  return [
    property.description,
    property.enum && `One of: ${property.enum.join(', ')}.`,
    property.default !== undefined && `Default: ${String(property.default)}.`,
    property.example !== undefined && `Example: ${String(property.example)}.`,
  ]
    .filter((part): part is string => typeof part === 'string')
    .join(' ');
}
