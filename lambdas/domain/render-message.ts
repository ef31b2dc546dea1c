/**
 * Fills `{{name}}` placeholders from the execution's variables. An unknown placeholder is kept
 * as written, so a missing variable is visible in the message rather than silently blank.
 */
export function renderMessage(template: string, variables: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (placeholder, name: string) => {
    // Own variables only: `{{constructor}}` must not reach Object.prototype.
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    return value === undefined || value === null ? placeholder : String(value);
  });
}
