// Learns a tiny CLIP-format BPE vocabulary (vocab.json + merges) in which each given pre-token is one token.
import { BOS, bytesToUnicode, EOS } from '../../clip/tokenizer.ts';

export type TrainedBpe = { vocab: Record<string, number>; merges: [string, string][] };

/**
 * Classic BPE training over the distinct pre-tokens: merge the most frequent adjacent pair (ties broken by
 * the pair's text, for determinism) until every word is a single symbol. The vocabulary starts like CLIP's
 * (256 byte characters, then the same with </w>), so any text still tokenises.
 */
export function trainBpe(preTokens: Iterable<string>): TrainedBpe {
  const words = [...new Set(preTokens)].sort().map((t) => {
    const chars = Array.from(t);
    return [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
  });
  const byteChars = bytesToUnicode();
  const vocabList = [...byteChars, ...byteChars.map((c) => `${c}</w>`)];
  const merges: [string, string][] = [];
  for (;;) {
    const counts = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i < w.length - 1; i++) {
        const key = `${w[i]} ${w[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    if (counts.size === 0) break;
    const [best] = [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0];
    const [a, b] = best.split(' ');
    merges.push([a, b]);
    vocabList.push(a + b);
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      const next: string[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i < w.length - 1 && w[i] === a && w[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(w[i]);
      }
      words[k] = next;
    }
  }
  vocabList.push(BOS, EOS);
  const vocab: Record<string, number> = {};
  for (const token of vocabList) if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  return { vocab, merges };
}
