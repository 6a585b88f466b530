import type { Finding } from './findings';

/**
 * The two shapes a caller may send: the flat object, or the Partner Center create-customer payload
 * exactly as a portal is about to submit it. Both are read into the same fields; every field keeps
 * the name the caller used, so that findings point at the caller's own field.
 */

export const CUSTOMER_FIELDS = [
  'country',
  'organizationRegistrationNumber',
  'phoneNumber',
  'firstName',
  'middleName',
  'lastName',
  'companyName',
  'email',
] as const;

export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** Where each field sits in the Partner Center create-customer payload. */
const CREATE_CUSTOMER_PATHS: Record<CustomerField, readonly string[]> = {
  country: ['billingProfile', 'defaultAddress', 'country'],
  organizationRegistrationNumber: ['companyProfile', 'organizationRegistrationNumber'],
  phoneNumber: ['billingProfile', 'defaultAddress', 'phoneNumber'],
  firstName: ['billingProfile', 'defaultAddress', 'firstName'],
  middleName: ['billingProfile', 'defaultAddress', 'middleName'],
  lastName: ['billingProfile', 'defaultAddress', 'lastName'],
  companyName: ['billingProfile', 'companyName'],
  email: ['billingProfile', 'email'],
};

const CREATE_CUSTOMER_ROOTS = [...new Set(Object.values(CREATE_CUSTOMER_PATHS).map((path) => path[0]))];

/** Where to find each field and what to call it, per shape (worked out once: batches read millions of records). */
interface FieldLocation {
  field: CustomerField;
  name: string;
  path: readonly string[];
}
const FLAT_LOCATIONS: FieldLocation[] = CUSTOMER_FIELDS.map((field) => ({ field, name: field, path: [field] }));
const CREATE_CUSTOMER_LOCATIONS: FieldLocation[] = CUSTOMER_FIELDS.map((field) => ({
  field,
  name: CREATE_CUSTOMER_PATHS[field].join('.'),
  path: CREATE_CUSTOMER_PATHS[field],
}));

/** A field as read: absent (missing, null or blank), text, or unusable (not a string; already reported). */
export type FieldValue = { state: 'absent' } | { state: 'text'; text: string } | { state: 'unusable' };

export interface ReadField {
  /** The caller's name for the field. */
  name: string;
  value: FieldValue;
}

export interface ReadCustomer {
  fields: Record<CustomerField, ReadField>;
  /** Type problems found while reading (a number where text belongs, a string where an object belongs). */
  errors: Finding[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a key of a payload holds customer data (a flat field or a root of the create-customer
 * payload); other keys, e.g. a batch's reference-id column, are passed through.
 */
export function isCustomerKey(key: string): boolean {
  return (CUSTOMER_FIELDS as readonly string[]).includes(key) || CREATE_CUSTOMER_ROOTS.includes(key);
}

export function readCustomer(payload: Record<string, unknown>): ReadCustomer {
  const nested = CREATE_CUSTOMER_ROOTS.some((root) => Object.hasOwn(payload, root));
  const errors: Finding[] = [];
  const fields = {} as Record<CustomerField, ReadField>;
  for (const { field, name, path } of nested ? CREATE_CUSTOMER_LOCATIONS : FLAT_LOCATIONS) {
    const found = walk(payload, path);
    if (found.kind === 'notAnObject') {
      // Several fields sit under one parent: report the parent once.
      if (!errors.some((error) => error.field === found.at)) {
        errors.push({ field: found.at, code: 'FIELD_TYPE', message: `${found.at} must be an object` });
      }
      fields[field] = { name, value: { state: 'unusable' } };
      continue;
    }
    const raw = found.value;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      fields[field] = { name, value: { state: 'absent' } };
    } else if (typeof raw === 'string') {
      fields[field] = { name, value: { state: 'text', text: raw.trim() } };
    } else {
      // A JSON number would also have lost the leading zeros of a registration number.
      errors.push({ field: name, code: 'FIELD_TYPE', message: `${name} must be a string` });
      fields[field] = { name, value: { state: 'unusable' } };
    }
  }
  return { fields, errors };
}

type Walked = { kind: 'value'; value: unknown } | { kind: 'notAnObject'; at: string };

function walk(root: Record<string, unknown>, path: readonly string[]): Walked {
  let current: unknown = root;
  for (let i = 0; i < path.length; i++) {
    if (current === undefined || current === null) return { kind: 'value', value: undefined };
    if (!isPlainObject(current)) return { kind: 'notAnObject', at: path.slice(0, i).join('.') };
    current = Object.hasOwn(current, path[i]) ? current[path[i]] : undefined;
  }
  return { kind: 'value', value: current };
}
