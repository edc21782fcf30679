/** Where migrations create things: IXC's database and the project's own schema (validated identifiers). */
export interface SchemaNames {
  ixcDatabase: string;
  syncSchema: string;
}

/** Backtick-quotes a validated identifier; config validation only admits [A-Za-z0-9_]. */
export function q(identifier: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(identifier)) throw new Error(`Unsafe SQL identifier: ${identifier}`);
  return `\`${identifier}\``;
}
