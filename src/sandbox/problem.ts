import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface ProblemFieldError {
  field: string;
  message: string;
}

/** A thrown RFC 9457 problem; the server turns it into an `application/problem+json` response. */
export class SandboxProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ProblemFieldError[];
  readonly existingId: string | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    detail: string,
    extra: { errors?: ProblemFieldError[]; existingId?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'SandboxProblem';
    this.status = status;
    this.code = code;
    this.errors = extra.errors ?? [];
    this.existingId = extra.existingId;
    this.headers = extra.headers ?? {};
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function newRequestId(): string {
  return `req_${randomBytes(8).toString('hex')}`;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
  res.end(text);
}

export function sendProblem(res: ServerResponse, problem: SandboxProblem, requestId: string): void {
  const body = {
    type: `https://sandbox.invalid/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    code: problem.code,
    detail: problem.message,
    ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
    ...(problem.existingId ? { existing_id: problem.existingId } : {}),
    request_id: requestId,
  };
  res.writeHead(problem.status, { 'content-type': 'application/problem+json', 'x-request-id': requestId, ...problem.headers });
  res.end(JSON.stringify(body));
}
