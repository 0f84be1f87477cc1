// New staff passwords must be hard to guess: zxcvbn-ts estimates the guesses needed, with
// its common-password and keyboard-pattern lists, and the account's e-mail counts as a word
// an attacker knows. Score 3 of 4 or better ("safely unguessable" against online attacks,
// moderate protection should the scrypt hashes be stolen).
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

export const MIN_PASSWORD_SCORE = 3;

const estimator = new ZxcvbnFactory({ graphs: adjacencyGraphs, dictionary });

/** zxcvbn's warning keys in words. */
const WHY: Record<string, string> = {
  straightRow: "a row of keys",
  keyPattern: "a keyboard pattern",
  simpleRepeat: "repeated characters",
  extendedRepeat: "a repeated pattern",
  sequences: "a sequence like abc or 123",
  recentYears: "a recent year",
  dates: "a date",
  topTen: "one of the most common passwords",
  topHundred: "a very common password",
  common: "a common password",
  similarToCommon: "close to a common password",
  wordByItself: "a single word",
  namesByThemselves: "a name",
  commonNames: "a common name",
  userInputs: "the e-mail address",
};

/** Why `password` is too weak, as a sentence; undefined when it is strong enough. */
export function weakPasswordReason(password: string, email: string): string | undefined {
  const result = estimator.check(password, [email, ...email.split(/[@.]/)]);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = (result.feedback.warning && WHY[result.feedback.warning]) || "easy to guess";
  return `password: too easy to guess (${why}); use four or more unrelated words, or 16 random characters`;
}
