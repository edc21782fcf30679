import net from 'node:net';

/** `localhost`, `127.0.0.0/8` and `::1` (bracketed or not): traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Plain `http://` is accepted only to loopback: beyond it the secret and the tokens would cross the network in clear. */
export function cleartextUrlProblem(variable: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname)) return undefined;
  return `${variable} must use https:// for a host other than loopback (got http://${parsed.host}): credentials and tokens would travel in clear`;
}
