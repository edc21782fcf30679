import { ADMIN_PREFIX } from './sandbox-admin';

/**
 * One call to a running sandbox's admin API (`/__admin`): JSON in and out, any non-2xx thrown
 * with its status and body. The tests, the bench and the chaos runner drive the sandbox with it.
 */
export async function callSandboxAdmin<T = unknown>(baseUrl: string, method: string, route: string, body?: unknown, adminToken?: string): Promise<T> {
  const response = await fetch(`${baseUrl}${ADMIN_PREFIX}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`sandbox admin ${method} ${route}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
