import { failed, outcome, type FieldOutcome } from './findings';
import type { ReadField } from './payload';

const MAX_NAME_LENGTH = 50;

/** First, middle and last name: optional here, 1–50 characters when given (Partner Center's limits). */
export function checkName(field: ReadField): FieldOutcome<string> {
  if (field.value.state !== 'text') return outcome(null);
  // Count characters as people do (code points), not UTF-16 units.
  const length = [...field.value.text].length;
  if (length <= MAX_NAME_LENGTH) return outcome(field.value.text);
  return failed({
    field: field.name,
    code: 'NAME_LENGTH',
    message: `${field.name} may have at most ${MAX_NAME_LENGTH} characters (has ${length})`,
  });
}
