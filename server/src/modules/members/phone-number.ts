/**
 * One spelling per phone number, so a number bound by one spelling is found by any other. Mainland China mobile
 * numbers become their 11 digits (`+86 138 0013 8000`, `8613800138000`, `0086-138-0013-8000`, `138 0013 8000` →
 * `13800138000`); other numbers given with their country code (`+852 9123 4567`, `00852…`, or WeChat's country code
 * beside the number) become E.164, `+` and digits (`+85291234567`), which no mainland number can be mistaken for; a
 * number with neither keeps its digits. Spaces, dashes, dots and brackets are dropped. Answers null for anything
 * that is not 6–15 digits once cleaned.
 */
export function normalisePhone(raw: string, countryCode?: string): string | null {
  const cleaned = raw.trim().replace(/[\s\-().]/g, '')
  let international: string | null = null
  let national = cleaned
  if (cleaned.startsWith('+')) international = cleaned.slice(1)
  else if (cleaned.startsWith('00')) international = cleaned.slice(2)
  else if (countryCode && /^\d{1,4}$/.test(countryCode) && countryCode !== '86') {
    // WeChat's phoneNumber carries the country code for numbers outside the mainland; purePhoneNumber does not
    international = cleaned.startsWith(countryCode) && cleaned.length - countryCode.length >= 6 ? cleaned : countryCode + cleaned
  }
  if (international !== null) {
    if (!/^\d{6,15}$/.test(international)) return null
    const mainland = /^86(1\d{10})$/.exec(international)
    return mainland ? mainland[1]! : `+${international}`
  }
  if (!/^\d{6,15}$/.test(national)) return null
  const withCode = /^86(1\d{10})$/.exec(national)
  if (withCode) national = withCode[1]!
  return national
}
