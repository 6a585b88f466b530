/**
 * What other features may use of customer validation (they import customers through this file
 * only; the dependency rules in .dependency-cruiser.js enforce it). Entry points (functions/,
 * cli/, runtime/, bench/) may import any module of shared/ directly.
 */

/** Uploads: validating a dropped customer file into a report. */
export { customerFileFormat, customerReportName, validateCustomerRecords, type CustomerBatchSummary } from './batch';
/** Assistant tools: the validation endpoint, asked about one customer. */
export { handleValidateCustomer } from './endpoint';
