/**
 * CNPJ (Brazilian company id): 14 characters. Since July 2026 the first 12 may be letters
 * (IN RFB 2.229/2024); the last two are always digits. Check digits are mod 11 over each
 * character's value `charCode − 48` (so '0'..'9' keep their value and 'A' is 17).
 */

const WEIGHTS_1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const WEIGHTS_2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/** Uppercase, punctuation (`.`, `/`, `-`, spaces) removed; `null` when other characters appear. */
export function normaliseCnpj(value: string): string | null {
  const trimmed = value.trim().toUpperCase();
  if (!/^[0-9A-Z./\-\s]+$/.test(trimmed)) return null;
  return trimmed.replace(/[./\-\s]/g, '');
}

function checkDigit(chars: string, weights: number[]): number {
  let sum = 0;
  weights.forEach((weight, i) => {
    sum += (chars.charCodeAt(i) - 48) * weight;
  });
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** Computes the two check digits of the 12-character base (used by tests and the sandbox's seed). */
export function cnpjCheckDigits(base12: string): string {
  const d1 = checkDigit(base12, WEIGHTS_1);
  const d2 = checkDigit(`${base12}${d1}`, WEIGHTS_2);
  return `${d1}${d2}`;
}

/** Why a CNPJ is invalid, or `null` when it is valid. */
export function cnpjProblem(value: string): string | null {
  const chars = normaliseCnpj(value);
  if (chars === null) return 'CNPJ must contain only letters, digits and punctuation';
  if (chars.length !== 14) return `CNPJ must have 14 characters, got ${chars.length}`;
  if (!/^[0-9A-Z]{12}\d{2}$/.test(chars)) return 'CNPJ check digits must be digits';
  if (/^(.)\1{13}$/.test(chars)) return 'CNPJ with all characters repeated';
  if (cnpjCheckDigits(chars.slice(0, 12)) !== chars.slice(12)) return 'CNPJ check digits do not match';
  return null;
}

export function isValidCnpj(value: string): boolean {
  return cnpjProblem(value) === null;
}
