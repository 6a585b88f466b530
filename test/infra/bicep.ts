import fs from 'node:fs';
import path from 'node:path';

/**
 * Just enough Bicep reading for static checks (the compiler is not available everywhere): blocks by brace
 * matching, top-level keys of an object literal, string arrays, params, outputs and module calls.
 * Comments are stripped first; the templates keep one property per line (as `bicep format` writes them).
 */

export const ROOT = path.resolve(__dirname, '..', '..');
export const INFRA = path.join(ROOT, 'infra');

export function readInfra(relative: string): string {
  return stripComments(fs.readFileSync(path.join(INFRA, relative), 'utf8'));
}

export function bicepFiles(): string[] {
  const modules = fs
    .readdirSync(path.join(INFRA, 'modules'))
    .filter((f) => f.endsWith('.bicep'))
    .map((f) => `modules/${f}`);
  return ['main.bicep', ...modules];
}

/** Removes // and /* *\/ comments outside string literals. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === "'") {
        inString = false;
      }
      continue;
    }
    if (c === "'") {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Checks (), [] and {} nest properly outside strings; returns the first problem or null. */
export function bracketProblem(text: string): string | null {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c])
        return `unbalanced '${c}' at offset ${i}: ${text.slice(Math.max(0, i - 60), i + 1)}`;
    }
  }
  if (inString) return 'unterminated string';
  return stack.length ? `unclosed '${stack[stack.length - 1]}'` : null;
}

/** The text between the brace/bracket that opens at `open` (index of '{' or '[') and its match. */
export function enclosed(text: string, open: number): string {
  const opener = text[open];
  const closer = opener === '{' ? '}' : opener === '[' ? ']' : '';
  if (!closer) throw new Error(`no '{' or '[' at ${open}: ${text.slice(open, open + 40)}`);
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  throw new Error(`unclosed ${opener} at ${open}`);
}

/** The object or array that follows the first match of `pattern` (which must end just before it). */
export function after(text: string, pattern: RegExp): string {
  const m = pattern.exec(text);
  if (!m) throw new Error(`not found: ${pattern}`);
  const open = text.slice(m.index + m[0].length).search(/[{[]/);
  return enclosed(text, m.index + m[0].length + open);
}

/** Top-level `key: value` pairs of an object body (value as written, first line only for nested ones). */
export function objectEntries(body: string): Map<string, string> {
  const entries = new Map<string, string>();
  let depth = 0;
  const inString = false;
  let lineStart = 0;
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (i === body.length || (c === '\n' && !inString)) {
      const line = body.slice(lineStart, i);
      if (depth === 0) {
        const m = /^\s*'?([A-Za-z_$][\w$-]*)'?\s*:\s*(.*?)\s*$/.exec(line);
        if (m) entries.set(m[1], m[2]);
      }
      // depth is updated after the line so that `key: {` counts at the level it starts on
      for (let j = lineStart; j < i; j++) {
        const d = body[j];
        if (d === "'") {
          j = skipString(body, j);
          continue;
        }
        if (d === '{' || d === '[' || d === '(') depth++;
        if (d === '}' || d === ']' || d === ')') depth--;
      }
      lineStart = i + 1;
      continue;
    }
    if (c === "'") i = skipString(body, i);
  }
  return entries;
}

function skipString(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'") return i;
  }
  return text.length;
}

/** String literals of an array body (interpolations kept as written). */
export function stringItems(body: string): string[] {
  return [...body.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]);
}

/** Non-string items (identifiers) of an array body. */
export function identifierItems(body: string): string[] {
  return body
    .replace(/'((?:[^'\\]|\\.)*)'/g, '')
    .split(/[\s,]+/)
    .filter((s) => /^[A-Za-z_]\w*$/.test(s));
}

export interface Param {
  name: string;
  type: string;
  /** The default as written, e.g. `'US'`, `36`, `resourceGroup().location`. */
  defaultValue?: string;
  decorators: string[];
}

export function params(text: string): Param[] {
  const result: Param[] = [];
  const lines = text.split('\n');
  let decorators: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.startsWith('@')) {
      decorators.push(trimmed);
      continue;
    }
    const m = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$/.exec(trimmed);
    if (m) result.push({ name: m[1], type: m[2], defaultValue: m[3], decorators });
    if (trimmed) decorators = [];
  }
  return result;
}

export function outputs(text: string): string[] {
  return [...text.matchAll(/^output\s+(\w+)\s+/gm)].map((m) => m[1]);
}

/** A string literal's value, or undefined when the text is not a plain literal. */
export function literal(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^'((?:[^'\\$]|\\.)*)'$/.exec(value.trim());
  return m ? m[1] : undefined;
}

export interface ModuleCall {
  symbol: string;
  path: string;
  params: Map<string, string>;
}

export function moduleCalls(text: string): ModuleCall[] {
  return [...text.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=/gm)].map((m) => {
    const body = enclosed(text, text.indexOf('{', m.index + m[0].length));
    return { symbol: m[1], path: m[2], params: objectEntries(after(body, /(^|\n)\s*params:\s*/)) };
  });
}

/** Resource declarations: symbol, type@version and body. */
export function resources(text: string): { symbol: string; type: string; body: string }[] {
  return [
    ...text.matchAll(
      /^\s*resource\s+(\w+)\s+'([^']+)'(?:\s+existing)?\s*=\s*(?:\[\s*for[^:]+:\s*)?(?:if\s*\([^{]*\)\s*)?/gm,
    ),
  ].map((m) => {
    const open = text.indexOf('{', m.index + m[0].length - 1);
    return { symbol: m[1], type: m[2], body: enclosed(text, open) };
  });
}
