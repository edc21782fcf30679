import { EventEmitter } from 'node:events';
import { normaliseEmail } from '../handlers/domain/customer/email';
import { validateCustomerInput, validateCustomerPatch } from '../handlers/domain/customer/customer-input';
import type {
  CallContext,
  CreateMode,
  CustomerInput,
  FoundOrCreated,
  IotPlatform,
  LicenceInput,
  PlatformCustomer,
  PlatformLicence,
  PlatformProduct,
  PlatformSubscription,
} from '../handlers/ports/iot-platform';
import { PlatformError } from '../handlers/ports/platform-errors';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { registerSecretValue } from '../lib/mask';
import * as wire from './api-contract';
import { ENDPOINTS, ERROR_CODES, OPERATIONS, PAGE_LIMIT, QUERY } from './api-contract';
import type { ApiAuditRecorder } from './api-audit-recorder';
import { HOST_BREAKER, createBreakerRegistry, type BreakerState } from './breakers';
import { resolveIotClientOptions, type IotClientOptions } from './client-options';
import { IotApiPermanentError, IotConfigurationError } from './errors';
import { FoundAfterAmbiguous, createIotTransport, type TransportRequest } from './http-transport';
import { idempotencyKey } from './idempotency-key';
import { createRateLimiter } from './rate-limiter';
import { createTokenManager } from './token-manager';
import type { TokenStore } from './token-store';

export interface IotPlatformClientDeps {
  /** Where the token is shared (`createIntegrationTokenStore`) and, without configured credentials, where they come from. */
  tokenStore: TokenStore;
  /** Audit of every request (`createApiAuditRecorder`); the caller flushes it per reconcile. */
  audit?: ApiAuditRecorder;
  logger?: Logger;
}

/** The IotPlatform port plus what operations need: breaker states and events for metrics. */
export interface IotPlatformClient extends IotPlatform {
  /** `host` and one entry per endpoint used so far (`POST /customers` …). */
  breakerStates(): Record<string, BreakerState>;
  /** The client-side rate limiter now: requests holding a slot and requests waiting for one. */
  limiterStats(): { active: number; waiting: number };
  /**
   * `breaker:open|halfOpen|close` ({breaker, state}), `request` ({endpoint, status, durationMs,
   * attempt}) and `limiter:wait` ({waitMs}: how long a request waited for its limiter slot).
   */
  events: EventEmitter;
  /** Obtains a token now (doctor, `catalog list`). */
  checkToken(): Promise<void>;
  close(): void;
}

/** Payload of the client's `limiter:wait` event. */
export interface LimiterWaitEvent {
  waitMs: number;
}

const MAX_PAGES = 1000;

/** What one kind of object needs for `findOrCreate`. */
interface FindOrCreateSpec<T> {
  /** For messages: 'Customer', 'Subscription', 'Licence'. */
  what: string;
  /** The search by reference (or document), null when absent. */
  find(): Promise<T | null>;
  get(id: string): Promise<T | null>;
  /** Whether the object a 409 names is the one being created. */
  isSame(existing: T): boolean;
  request: Pick<TransportRequest, 'endpoint' | 'params' | 'body'>;
  operation: string;
  externalId: string;
  parse(body: unknown): T | null;
  /** 409 codes that say something else than "already exists" (a limit, a transition): thrown as they are. */
  conflictsToThrow: readonly string[];
  /** The error for a 409 no search resolves; the 409 itself by default. */
  unresolved?(conflict: IotApiPermanentError): Error;
}

/** The call's result, or `null` when the platform answers 404 (none, or already gone). */
async function nullIfNotFound<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof PlatformError && err.status === 404) return null;
    throw err;
  }
}

function sameDocument(a: string | null, b: string): boolean {
  return a !== null && a.replace(/[^0-9A-Za-z]/g, '').toUpperCase() === b;
}

/**
 * The IoT platform over HTTP (iot-platform-api.md §2). Creates are find-or-create with the
 * deterministic external reference and an Idempotency-Key; 409 and ambiguous outcomes are
 * resolved by looking the object up. Wire names live in api-contract.ts only.
 */
export function createIotPlatformClient(deps: IotPlatformClientDeps, options: Partial<IotClientOptions> & { baseUrl: string }): IotPlatformClient {
  const opts = resolveIotClientOptions(options);
  const logger = deps.logger?.child({ module: 'iot-client' });
  const breakers = createBreakerRegistry({
    errorThresholdPercent: opts.breakerErrorThresholdPercent,
    volumeThreshold: opts.breakerVolumeThreshold,
    hostVolumeThreshold: opts.breakerHostVolumeThreshold,
    resetTimeoutMs: opts.breakerResetTimeoutMs,
    rollingWindowMs: opts.breakerRollingWindowMs,
  });
  const events = breakers.events;
  const limiter = createRateLimiter({
    requestsPerSecond: opts.maxRequestsPerSecond,
    maxConcurrency: opts.maxConcurrency,
    onWait: (waitMs) => events.emit('limiter:wait', { waitMs } satisfies LimiterWaitEvent),
  });
  const transport = createIotTransport(
    {
      limiter,
      breakers,
      audit: deps.audit,
      logger,
      events,
    },
    opts,
  );

  const credentials = async (): Promise<{ clientId: string; clientSecret: string }> => {
    if (opts.clientId && opts.clientSecret) return { clientId: opts.clientId, clientSecret: opts.clientSecret };
    const stored = await deps.tokenStore.credentials();
    const clientId = opts.clientId ?? stored?.clientId ?? undefined;
    const clientSecret = opts.clientSecret ?? stored?.clientSecret ?? undefined;
    registerSecretValue(clientSecret);
    if (!clientId || !clientSecret) {
      throw new IotConfigurationError('No IoT client credentials: set IOT_CLIENT_ID/IOT_CLIENT_SECRET or run `integration set`');
    }
    return { clientId, clientSecret };
  };

  const tokenEndpoint: wire.EndpointDef = { method: 'POST', template: opts.tokenPath };
  // Every breaker exists (closed) from the start: dashboards show "all closed", not "no data".
  breakers.declare([HOST_BREAKER, wire.endpointKey(tokenEndpoint), ...Object.values(ENDPOINTS).map((e) => wire.endpointKey(e))]);
  const tokens = createTokenManager(
    {
      store: deps.tokenStore,
      fetchToken: async () => {
        const creds = await credentials();
        const parts = wire.tokenRequest(creds.clientId, creds.clientSecret, opts.tokenEncoding);
        try {
          const res = await transport.send({
            endpoint: tokenEndpoint,
            auth: false,
            retry: true, // asking for a token twice is harmless (§2.3: 429 and 5xx back off)
            ...(opts.tokenEncoding === 'json' ? { body: parts.fields } : { form: parts.fields, basicAuth: parts.basic }),
          });
          const token = wire.tokenFromWire(res.body);
          if (!token) throw new IotConfigurationError('The token response has no access_token', { endpoint: wire.endpointKey(tokenEndpoint) });
          return token;
        } catch (thrown) {
          const err = coerceError(thrown);
          if (err instanceof IotApiPermanentError && (err.status === 400 || err.status === 401)) {
            throw new IotConfigurationError(`Token request refused (${err.status} ${err.code ?? ''}): check the client credentials`, {
              status: err.status, code: err.code, endpoint: err.endpoint, cause: err,
            });
          }
          throw err;
        }
      },
    },
    { renewBeforeExpiryMs: opts.renewBeforeExpiryMs, defaultLifetimeMs: opts.defaultTokenLifetimeMs },
  );
  transport.setTokenManager(tokens);

  const send = (req: TransportRequest) => transport.send(req);

  /** GET of one object; `null` on 404. */
  const getOrNull = <T>(req: TransportRequest, parse: (body: unknown) => T | null): Promise<T | null> =>
    nullIfNotFound(async () => parse((await send(req)).body));

  /** All pages of a list: page/limit, cursor or next link; stops on a short page (§2.13). */
  const readAll = async (req: TransportRequest): Promise<unknown[]> => {
    const items: unknown[] = [];
    let query: Record<string, string | number | boolean | undefined> = { ...req.query, [QUERY.page]: 1, [QUERY.limit]: PAGE_LIMIT };
    for (let i = 0; i < MAX_PAGES; i += 1) {
      const res = await send({ ...req, query });
      const page = wire.pageFromWire(res.body);
      items.push(...page.items);
      if (Array.isArray(res.body)) break;
      if (page.nextLink) {
        const next = new URL(page.nextLink, opts.baseUrl);
        query = Object.fromEntries(next.searchParams);
        continue;
      }
      if (page.nextCursor) {
        query = { ...req.query, [QUERY.cursor]: page.nextCursor, [QUERY.limit]: PAGE_LIMIT };
        continue;
      }
      if (page.items.length < PAGE_LIMIT) break;
      query = { ...query, [QUERY.page]: Number(query[QUERY.page] ?? 1) + 1 };
    }
    return items;
  };

  const parseAll = <T>(raw: unknown[], parse: (body: unknown) => T | null): T[] => raw.map(parse).filter((v): v is T => v !== null);

  /**
   * Find-or-create (iot-platform-api.md §2.4): search first (unless told the reference is new);
   * create with the deterministic reference and Idempotency-Key; after a create whose outcome is
   * unknown, look up before retrying; on 409, take the existing object when it is the same one
   * (by the id the conflict names, or a second search).
   */
  const findOrCreate = async <T>(spec: FindOrCreateSpec<T>, ctx: CallContext | undefined, findFirst = true): Promise<FoundOrCreated<T>> => {
    const found = findFirst ? await spec.find() : null;
    if (found) return { value: found, created: false };
    const { request, what } = spec;
    try {
      const res = await send({
        ...request,
        idempotencyKey: idempotencyKey(spec.operation, spec.externalId, request.body),
        ctx,
        onAmbiguous: async () => {
          const existing = await spec.find();
          if (existing) throw new FoundAfterAmbiguous(existing);
        },
      });
      const created = spec.parse(res.body);
      if (!created) throw new IotApiPermanentError(`${what} create answered without an id`, { endpoint: `${request.endpoint.method} ${request.endpoint.template}`, status: res.status });
      return { value: created, created: true };
    } catch (thrown) {
      if (thrown instanceof FoundAfterAmbiguous) return { value: thrown.value as T, created: true };
      // A 409 is always a rejection (IotApiPermanentError), which carries the conflict's existing id.
      if (!(thrown instanceof IotApiPermanentError) || thrown.status !== 409 || (thrown.code !== undefined && spec.conflictsToThrow.includes(thrown.code))) throw thrown;
      if (thrown.existingId) {
        const existing = await spec.get(thrown.existingId);
        if (existing && spec.isSame(existing)) return { value: existing, created: false };
      }
      const again = await spec.find();
      if (again) return { value: again, created: false };
      throw spec.unresolved?.(thrown) ?? thrown;
    }
  };

  // ------------------------------------------------------------ customers

  // A 404 on search reads as "none".
  const searchCustomers = async (query: Record<string, string>, ctx?: CallContext): Promise<PlatformCustomer[]> =>
    parseAll((await nullIfNotFound(() => readAll({ endpoint: ENDPOINTS.findCustomers, query, ctx }))) ?? [], wire.customerFromWire);

  const findCustomersByDocument = async (document: string, ctx?: CallContext) => {
    const doc = document.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    // Filtered again here: a platform that ignores the parameter must not hand us someone else.
    return (await searchCustomers({ [QUERY.document]: doc }, ctx)).filter((c) => sameDocument(c.document, doc));
  };

  const findCustomersByEmail = async (email: string, ctx?: CallContext) => {
    const wanted = (normaliseEmail(email) ?? email.trim()).toLowerCase();
    return (await searchCustomers({ [QUERY.email]: email.trim() }, ctx)).filter((c) => c.email?.toLowerCase() === wanted);
  };

  /** Document first, then e-mail (accepted only when the document matches or is absent); external_id match preferred. */
  const searchCustomer = async (input: CustomerInput, ctx?: CallContext): Promise<PlatformCustomer | null> => {
    const byDocument = await findCustomersByDocument(input.document, ctx);
    const pick = (list: PlatformCustomer[]) => list.find((c) => c.externalId === input.externalId) ?? list[0] ?? null;
    if (byDocument.length > 0) return pick(byDocument);
    if (!input.email) return null;
    const byEmail = (await findCustomersByEmail(input.email, ctx)).filter((c) => c.document === null || c.document === '' || sameDocument(c.document, input.document));
    return pick(byEmail);
  };

  const getCustomer = (id: string, ctx?: CallContext) =>
    getOrNull({ endpoint: ENDPOINTS.getCustomer, params: { id }, ctx }, wire.customerFromWire);

  const findOrCreateCustomer = async (raw: CustomerInput, ctx?: CallContext): Promise<FoundOrCreated<PlatformCustomer>> => {
    const input = validateCustomerInput(raw); // throws before anything is sent
    return findOrCreate(
      {
        what: 'Customer',
        find: () => searchCustomer(input, ctx),
        get: (id) => getCustomer(id, ctx),
        // Never create a second customer: a conflict resolves to the existing one only if it is this person.
        isSame: (existing) => existing.document === null || existing.document === '' || sameDocument(existing.document, input.document),
        request: { endpoint: ENDPOINTS.createCustomer, body: wire.customerToWire(input) },
        operation: OPERATIONS.createCustomer,
        externalId: input.externalId,
        parse: wire.customerFromWire,
        conflictsToThrow: [],
        unresolved: (conflict) =>
          new IotApiPermanentError('Customer conflicts with another platform customer (e-mail or external id in use)', {
            status: 409, code: conflict.code ?? ERROR_CODES.customerExists, endpoint: conflict.endpoint, existingId: conflict.existingId, cause: conflict,
          }),
      },
      ctx,
    );
  };

  const updateCustomer: IotPlatform['updateCustomer'] = async (id, patch, ctx) => {
    const clean = validateCustomerPatch(patch);
    const res = await send({ endpoint: ENDPOINTS.updateCustomer, params: { id }, body: wire.customerPatchToWire(clean), ctx });
    const customer = wire.customerFromWire(res.body);
    if (!customer) throw new IotApiPermanentError('Customer update answered without a customer', { endpoint: 'PATCH /customers/{id}' });
    return customer;
  };

  // ------------------------------------------------------------ products

  let catalog: { at: number; products: PlatformProduct[] } | null = null;
  const listProducts = async (ctx?: CallContext): Promise<PlatformProduct[]> => {
    if (catalog && Date.now() - catalog.at < opts.catalogCacheMs) return catalog.products;
    const raw =
      (await nullIfNotFound(() => readAll({ endpoint: ENDPOINTS.listProducts, ctx }))) ??
      (await readAll({ endpoint: ENDPOINTS.listPlans, ctx })); // the catalogue may be called "plans"
    const products = parseAll(raw, wire.productFromWire);
    catalog = { at: Date.now(), products };
    return products;
  };

  // ------------------------------------------------------------ subscriptions

  const getSubscription = (id: string, ctx?: CallContext) =>
    getOrNull({ endpoint: ENDPOINTS.getSubscription, params: { id }, ctx }, wire.subscriptionFromWire);

  const findSubscriptionByExternalId = async (externalId: string, ctx?: CallContext) => {
    const raw = await nullIfNotFound(() => readAll({ endpoint: ENDPOINTS.findSubscriptions, query: { [QUERY.externalId]: externalId }, ctx }));
    return parseAll(raw ?? [], wire.subscriptionFromWire).find((s) => s.externalId === externalId) ?? null;
  };

  const findOrCreateSubscription: IotPlatform['findOrCreateSubscription'] = (customerId, input, ctx, mode) =>
    findOrCreate(
      {
        what: 'Subscription',
        find: () => findSubscriptionByExternalId(input.externalId, ctx),
        get: (id) => getSubscription(id, ctx),
        isSame: (existing) => existing.externalId === null || existing.externalId === input.externalId,
        request: { endpoint: ENDPOINTS.createSubscription, params: { customer_id: customerId }, body: wire.subscriptionToWire(input) },
        operation: OPERATIONS.createSubscription,
        externalId: input.externalId,
        parse: wire.subscriptionFromWire,
        conflictsToThrow: [ERROR_CODES.invalidTransition],
      },
      ctx,
      mode?.findFirst !== false,
    );

  const setSubscriptionStatus: IotPlatform['setSubscriptionStatus'] = async (id, status, reason, ctx) => {
    const update = async (): Promise<PlatformSubscription> => {
      const res = await send({ endpoint: ENDPOINTS.updateSubscription, params: { id }, body: wire.subscriptionStatusToWire(status, reason), ctx });
      const sub = wire.subscriptionFromWire(res.body);
      if (!sub) throw new IotApiPermanentError('Subscription update answered without a subscription', { status: res.status });
      return sub;
    };
    if (status !== 'cancelled') return update();
    // A 404 while cancelling: already gone, which is what we wanted.
    return (await nullIfNotFound(update)) ?? { id, customerId: '', externalId: null, status: 'cancelled', statusReason: reason };
  };

  // ------------------------------------------------------------ licences

  const listLicences = async (subscriptionId: string, ctx?: CallContext) =>
    parseAll(await readAll({ endpoint: ENDPOINTS.listLicences, params: { id: subscriptionId }, ctx }), wire.licenceFromWire);

  const getLicence = (id: string, ctx?: CallContext) => getOrNull({ endpoint: ENDPOINTS.getLicence, params: { id }, ctx }, wire.licenceFromWire);

  const findLicenceByExternalId = async (subscriptionId: string, externalId: string, ctx?: CallContext) =>
    (await nullIfNotFound(() => listLicences(subscriptionId, ctx)))?.find((l) => l.externalId === externalId) ?? null;

  const findOrCreateLicence = (subscriptionId: string, input: LicenceInput, ctx?: CallContext, mode?: CreateMode): Promise<FoundOrCreated<PlatformLicence>> =>
    findOrCreate(
      {
        what: 'Licence',
        find: () => findLicenceByExternalId(subscriptionId, input.externalId, ctx),
        get: (id) => getLicence(id, ctx),
        isSame: (existing) => existing.externalId === null || existing.externalId === input.externalId,
        request: { endpoint: ENDPOINTS.createLicence, params: { id: subscriptionId }, body: wire.licenceToWire(input) },
        operation: OPERATIONS.createLicence,
        externalId: input.externalId,
        parse: wire.licenceFromWire,
        conflictsToThrow: [ERROR_CODES.licenceLimit, ERROR_CODES.invalidTransition],
      },
      ctx,
      mode?.findFirst !== false,
    );

  const patchLicence = async (id: string, body: unknown, ctx?: CallContext): Promise<PlatformLicence> => {
    const res = await send({ endpoint: ENDPOINTS.updateLicence, params: { id }, body, ctx });
    const licence = wire.licenceFromWire(res.body);
    if (!licence) throw new IotApiPermanentError('Licence update answered without a licence', { status: res.status });
    return licence;
  };

  return {
    findCustomersByDocument,
    findCustomersByEmail,
    getCustomer,
    findOrCreateCustomer,
    updateCustomer,
    listProducts,
    getSubscription,
    findSubscriptionByExternalId,
    findOrCreateSubscription,
    setSubscriptionStatus,
    listLicences,
    getLicence,
    findLicenceByExternalId,
    findOrCreateLicence,
    updateLicenceItems: (id, items, ctx) => patchLicence(id, wire.licenceItemsPatchToWire(items), ctx),
    setLicenceStatus: (id, status, ctx) => patchLicence(id, wire.licenceStatusToWire(status), ctx),
    async revokeLicence(id, ctx) {
      await nullIfNotFound(() => send({ endpoint: ENDPOINTS.revokeLicence, params: { id }, ctx })); // 404: already gone
    },
    breakerStates: () => breakers.states(),
    limiterStats: () => limiter.stats(),
    events,
    async checkToken() {
      await tokens.getToken();
    },
    close() {
      breakers.shutdown();
    },
  };
}
