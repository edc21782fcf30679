/** What must never appear in logs, audit rows, dead letters or the status page. */
export interface SecretNeedles {
  clientSecret: string;
  /** Every access token the platform issued. */
  tokens: readonly string[];
  /** CPFs/CNPJs of the world, formatted or not (both forms are searched). */
  documents: readonly string[];
  /** Customer names, e-mails and phones of the world (phones formatted or as bare digits). */
  names?: readonly string[];
  emails?: readonly string[];
  phones?: readonly string[];
}

export interface SecretHit {
  source: string;
  kind: 'client_secret' | 'token' | 'document' | 'name' | 'email' | 'phone';
  /** The needle's last 4 characters only: the report must not leak it either. */
  tail: string;
}

function forms(document: string): string[] {
  const digits = document.replace(/[^0-9A-Za-z]/g, '');
  return [...new Set([document, digits])].filter((d) => d.length >= 11);
}

function phoneForms(phone: string): string[] {
  return [...new Set([phone, phone.replace(/\D/g, '')])];
}

/** Every occurrence (one per source and needle) of the secret, a token or unmasked personal data in the named texts. */
export function scanForSecrets(sources: Record<string, string>, needles: SecretNeedles): SecretHit[] {
  const hits: SecretHit[] = [];
  const list: Array<{ kind: SecretHit['kind']; value: string }> = [
    { kind: 'client_secret', value: needles.clientSecret },
    ...needles.tokens.map((value) => ({ kind: 'token' as const, value })),
    ...needles.documents.flatMap((d) => forms(d).map((value) => ({ kind: 'document' as const, value }))),
    ...(needles.names ?? []).map((value) => ({ kind: 'name' as const, value })),
    ...(needles.emails ?? []).map((value) => ({ kind: 'email' as const, value })),
    ...(needles.phones ?? []).flatMap((p) => phoneForms(p).map((value) => ({ kind: 'phone' as const, value }))),
  ];
  for (const [source, text] of Object.entries(sources)) {
    for (const needle of list) {
      if (needle.value.length >= 8 && text.includes(needle.value)) hits.push({ source, kind: needle.kind, tail: needle.value.slice(-4) });
    }
  }
  return hits;
}
