/**
 * Phone numbers to E.164. IXC stores Brazilian numbers as typed (`(17) 99812-3456`,
 * `017 3222-4410`, `+55 17 99812-3456`); the platform wants `+5517998123456`.
 */

const BR_AREA = /^[1-9][1-9]$/;

function brazilianNational(national: string): string | null {
  // DDD (2 digits) + subscriber: mobile 9 digits starting with 9, landline 8 digits starting 2-5.
  if (national.length === 11 && BR_AREA.test(national.slice(0, 2)) && national[2] === '9') return national;
  if (national.length === 10 && BR_AREA.test(national.slice(0, 2)) && /[2-5]/.test(national[2] ?? '')) return national;
  return null;
}

/**
 * `+55…` for Brazilian numbers given with or without country code, trunk prefix `0` or a
 * 2-digit carrier code (`0 15 17 …`); other `+<country>` numbers pass when 8-15 digits long.
 * Returns `null` when the number cannot be read as a phone number.
 */
export function toE164(value: string, defaultCountry: 'BR' = 'BR'): string | null {
  const trimmed = value.trim();
  if (trimmed === '' || /[A-Za-z]/.test(trimmed)) return null;
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  let digits = trimmed.replace(/\D/g, '');
  if (international) {
    if (trimmed.startsWith('00')) digits = digits.slice(2);
    if (digits.startsWith('55')) {
      const national = brazilianNational(digits.slice(2));
      return national === null ? null : `+55${national}`;
    }
    return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0' ? `+${digits}` : null;
  }
  if (defaultCountry !== 'BR') return null;
  if (digits.startsWith('0')) {
    // trunk prefix 0 + DDD + number, or 0 + carrier code (2 digits) + DDD + number
    const national = brazilianNational(digits.slice(1)) ?? brazilianNational(digits.slice(3));
    return national === null ? null : `+55${national}`;
  }
  if (digits.startsWith('55') && (digits.length === 12 || digits.length === 13)) {
    const national = brazilianNational(digits.slice(2));
    if (national !== null) return `+55${national}`;
  }
  const national = brazilianNational(digits);
  return national === null ? null : `+55${national}`;
}
