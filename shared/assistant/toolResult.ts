/**
 * A tool's answer in the shape of MCP's CallToolResult: one text block, and `isError` when the
 * call failed. Text only, no `structuredContent`: prices travel as the endpoints' JSON text, whose
 * numbers keep their published digits (0.096000), which a parsed JSON value would not.
 */
// A type, not an interface: the SDK takes it where its results (with an index signature) go.
export type ToolResult = {
  content: { type: 'text'; text: string }[];
  isError?: boolean;
};

/** What a failed call tells the assistant: the argument at fault as it sent it, and why. */
export interface ToolFailure {
  /** The endpoint's error code (InvalidParameter, RateNotFound, …) or InvalidArgument / UnknownArgument. */
  code: string;
  /** Starts with the argument's name when one argument is at fault: `market: a two-letter market code …`. */
  message: string;
  argument?: string;
  /** The HTTP status the endpoint answered the same question with. */
  status?: number;
}

export const toolText = (text: string): ToolResult => ({ content: [{ type: 'text', text }] });

export const toolError = (failure: ToolFailure): ToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(failure) }],
  isError: true,
});
