/** One pattern for every email address we accept: something@domain.tld, no spaces, line breaks or angle brackets. */
const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL_ADDRESS.test(text);
}

/** An address as configured: `a@b.c` or `Name <a@b.c>`. */
export function isMailbox(text: string): boolean {
  const named = /^([^<>\r\n]*)<([^<>]+)>$/.exec(text);
  return isEmailAddress(named ? (named[2] ?? '') : text);
}
