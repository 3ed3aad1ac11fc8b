/**
 * Refuses YAML nested too deeply before it is parsed. The `yaml` package builds documents recursively:
 * 10,000 levels of `[` took 22 s and overflowed the stack, `{a: ` 100 s (Bun, this machine), so a
 * hostile or broken file would hang `mongoose validate` instead of failing it. Nesting is measured on the
 * lexer's tokens, which stop being read at the first excess, so the check costs one pass over a
 * normal file and little more over a hostile one.
 *
 * @module
 */
import { Lexer } from "yaml";

/** Most open flow brackets (`[`, `{`) and deepest block indentation, in columns, a configuration may have. */
export const MAX_YAML_NESTING = 1000;

/** Where a YAML text first nests deeper than {@link MAX_YAML_NESTING}. */
export interface NestingExcess {
  /** Character offset in the text. */
  offset: number;
  message: string;
}

const isWhitespace = (token: string) => /^[ \t]+$/.test(token);
/** The lexer's markers (document start, flow end, scalar start): not in the source text. */
const isMarker = (token: string) => token === "\x02" || token === "\x18" || token === "\x1f";

/**
 * The first place `text` nests deeper than `limit`, or undefined. Block nesting is bounded by the column
 * of a line's indentation and of its `-`/`?` indicators (each nested block node sits further right), flow
 * nesting by the count of open brackets.
 *
 * @example
 * ```ts
 * yamlNestingExcess("a: " + "[".repeat(5000));   // { offset: 1003, message: "flow collections nested deeper than 1000 levels" }
 * yamlNestingExcess("a: [1, {b: 2}]\n");          // undefined
 * ```
 */
export function yamlNestingExcess(text: string, limit = MAX_YAML_NESTING): NestingExcess | undefined {
  let offset = 0;
  let column = 0;
  let atLineStart = true;
  let flowDepth = 0;
  for (const token of new Lexer().lex(text)) {
    if (isMarker(token)) continue;
    if (token === "[" || token === "{") {
      if (++flowDepth > limit) return { offset, message: `flow collections nested deeper than ${limit} levels` };
    } else if (token === "]" || token === "}") {
      flowDepth = Math.max(0, flowDepth - 1);
    } else if ((token === "-" || token === "?" || (atLineStart && isWhitespace(token))) && column + token.length > limit) {
      return { offset, message: `block nesting deeper than ${limit} columns of indentation` };
    }
    offset += token.length;
    const newline = Math.max(token.lastIndexOf("\n"), token.lastIndexOf("\r"));
    column = newline < 0 ? column + token.length : token.length - newline - 1;
    atLineStart = newline >= 0 && newline === token.length - 1;
  }
  return undefined;
}
