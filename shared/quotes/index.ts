/**
 * What other features may use of quotes (they import quotes through this file only; the dependency
 * rules in .dependency-cruiser.js enforce it). Entry points may import any module of shared/ directly.
 */

/** An MCP tool or another feature: a quote from a validated request. */
export { quote, quoteRequestSchema, type Quote, type QuoteRequest } from './quote';
/** Assistant tools: the quotes endpoint, asked the same question. */
export { handleQuote } from './endpoints/quotes';
