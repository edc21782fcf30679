import { createHash } from 'node:crypto';

/**
 * The project's own tables never keep a customer's CPF/CNPJ (issue 14): they keep this key
 * instead, 64 hex characters, the same for the same document. Only equality is ever asked of it
 * (is this the document the customer/owner was recorded with?). The label is constant, not the
 * tenant's, so migration m0008 computes the same key in SQL:
 * `SHA2(CONCAT('ixc-iot-sync:document:', document), 256)`.
 */
export const DOCUMENT_KEY_LABEL = 'ixc-iot-sync:document:';

export function documentKey(document: string): string {
  return createHash('sha256').update(`${DOCUMENT_KEY_LABEL}${document}`, 'utf8').digest('hex');
}
