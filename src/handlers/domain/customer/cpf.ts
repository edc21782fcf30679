/**
 * CPF (Brazilian individual taxpayer id): 11 digits, the last two are mod-11 check digits.
 * Formatting (`211.114.963-23`) is accepted and stripped.
 */

/** Digits only; `null` when the value holds anything other than digits and CPF punctuation. */
export function normaliseCpf(value: string): string | null {
  const trimmed = value.trim();
  if (!/^[\d.\-\s]+$/.test(trimmed)) return null;
  return trimmed.replace(/\D/g, '');
}

function checkDigit(digits: string, firstWeight: number): number {
  let sum = 0;
  for (let i = 0; i < firstWeight - 1; i += 1) sum += Number(digits[i]) * (firstWeight - i);
  const rest = (sum * 10) % 11;
  return rest === 10 ? 0 : rest;
}

/** Why a CPF is invalid, or `null` when it is valid. */
export function cpfProblem(value: string): string | null {
  const digits = normaliseCpf(value);
  if (digits === null) return 'CPF must contain only digits and punctuation';
  if (digits.length !== 11) return `CPF must have 11 digits, got ${digits.length}`;
  if (/^(\d)\1{10}$/.test(digits)) return 'CPF with all digits repeated';
  if (checkDigit(digits, 10) !== Number(digits[9]) || checkDigit(digits, 11) !== Number(digits[10])) {
    return 'CPF check digits do not match';
  }
  return null;
}

export function isValidCpf(value: string): boolean {
  return cpfProblem(value) === null;
}
