/**
 * Text → tokens. One alphabet for everything (letters and digits, Unicode-aware), lowercased,
 * so mutes, interests and the embedding table agree on what a "word" is.
 */

const WORD = /[\p{L}\p{N}]+/gu;

/** Lowercased words of a text, in order (no stemming: used for mutes and phrases as typed). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Words with their original spelling, for showing a matched word as the source wrote it. */
export function tokenizeKeepCase(text: string): string[] {
  return text.match(WORD) ?? [];
}

/**
 * A conservative plural stemmer (Harman's "S" stemmer, 1991): folds cars/car, recipes/recipe,
 * stories/story but leaves everything else alone, so matches stay explainable to a reader.
 */
export function stem(word: string): string {
  const n = word.length;
  if (n <= 3 || word.charCodeAt(n - 1) !== 115 /* s */) return word;
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies'))
    return `${word.slice(0, -3)}y`;
  if (word.endsWith('es') && !/(?:ae|ee|oe)s$/.test(word)) return word.slice(0, -1);
  if (word.endsWith('us') || word.endsWith('ss')) return word;
  return word.slice(0, -1);
}

/**
 * Function words that carry no topic. A standard English list (not fitted to any data set): it
 * keeps "the" out of query expansion and out of phrase idf.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he
her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves s t don will just
new says said get gets got one two may might us via amp quot`
    .split(/\s+/)
    .filter(Boolean),
);

/** True for tokens that should count toward relevance (not function words, not single letters). */
export function isContentWord(token: string): boolean {
  return token.length > 1 && !STOPWORDS.has(token);
}
