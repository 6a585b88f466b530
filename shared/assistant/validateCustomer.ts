import { Readable } from 'node:stream';
import { z } from 'zod';
import { handleValidateCustomer } from '../customers';
import { argumentFailure, endpointResult, type AssistantTool } from './tool';
import { toolError, toolText } from './toolResult';

const field = (description: string) => z.string().meta({ description }).optional();

const customerArguments = z.strictObject({
  country: z.string().meta({ description: 'Two-letter ISO country code of the customer, e.g. RU, KZ, BY.' }),
  organizationRegistrationNumber: field(
    'The INN / organization registration number as the customer gave it (spaces and dashes allowed).',
  ),
  phoneNumber: field('The phone number as the customer gave it, ideally international (+7 …).'),
  firstName: field('Contact first name (its length is checked).'),
  middleName: field('Contact middle name (its length is checked).'),
  lastName: field('Contact last name (its length is checked).'),
});

/** The verdict's findings as the tool returns them: codes, never the values checked. */
const findingSchema = z.object({
  field: z.string(),
  code: z.string(),
  message: z.string(),
  partnerCenterCode: z.number().optional(),
  expected: z.string().optional(),
});
const verdictSchema = z.object({
  valid: z.boolean(),
  errors: z.array(findingSchema),
  warnings: z.array(findingSchema),
});

/**
 * Customer validation through POST /api/customers/validate. The result is the verdict without its
 * `normalized` part: codes and messages (which never quote the value), so no INN or phone number
 * reaches the assistant's transcript.
 */
export const validateCustomerTool: AssistantTool = {
  toolName: 'validate_customer',
  description:
    "Check a customer's INN (organization registration number) and phone number against Partner Center's " +
    'rules for the country before creating the customer. Returns JSON { valid, errors, warnings }: each ' +
    'finding names the `field`, a stable `code` (INN_REQUIRED, INN_INVALID, INN_CHECK_DIGIT, PHONE_INVALID, ' +
    'PHONE_WRONG_COUNTRY, …), the `partnerCenterCode` Partner Center would refuse it with (600049, 600050, …), ' +
    'the `expected` pattern where there is one, and a message. The values checked are never echoed back.',
  input: customerArguments,
  async run(args, { logger }) {
    const parsed = customerArguments.safeParse(args ?? {});
    if (!parsed.success) return toolError(argumentFailure(parsed.error, Object.keys(customerArguments.shape)));
    const body = Buffer.from(JSON.stringify(parsed.data), 'utf8');
    const response = await handleValidateCustomer(Readable.from([body]), String(body.length), logger);
    if (response.status !== 200) return endpointResult(response);
    return toolText(JSON.stringify(verdictSchema.parse(JSON.parse(response.body))));
  },
};
