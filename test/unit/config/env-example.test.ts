import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('.env.example', () => {
  it('documents every variable the config loader reads, and nothing else', () => {
    const loader = readFileSync(path.join(root, 'src/config/load-config.ts'), 'utf8');
    const read = new Set([...loader.matchAll(/r\.\w+\('([A-Z0-9_]+)'/g)].map((m) => m[1]));
    // A secret is read from NAME or from the file named by NAME_FILE.
    for (const m of loader.matchAll(/r\.secret\('([A-Z0-9_]+)'/g)) read.add(`${m[1]}_FILE`);
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
    expect(read.size).toBeGreaterThan(40);
  });
});
