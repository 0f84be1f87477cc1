// Text people (or staff) send, as the database can hold it. PostgreSQL text cannot hold NUL,
// and a lone UTF-16 surrogate has no UTF-8 form (drivers silently turn it into U+FFFD).
// Everything else is kept exactly: bidi marks, joiners, combining marks, emoji, controls.
const UNSTORABLE = /\0|\p{Cs}/gu;

/** For what people send through a platform: never refused, the unstorable characters become U+FFFD. */
export const storableText = (text: string): string => text.replace(UNSTORABLE, "\uFFFD");

/** For forms (the staff console): text with unstorable characters is refused instead. */
export const isStorableText = (text: string): boolean => !/\0|\p{Cs}/u.test(text);
