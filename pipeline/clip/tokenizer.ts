// CLIP's byte-level BPE tokenizer (lower-cased, <|startoftext|> … <|endoftext|>, 77 tokens), read from a model directory.
import fs from 'node:fs';
import path from 'node:path';

export const CONTEXT_LENGTH = 77;
export const BOS = '<|startoftext|>';
export const EOS = '<|endoftext|>';

/** GPT-2/CLIP's reversible byte -> printable character map, so BPE never sees whitespace or control bytes. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + extra++);
  }
  return map;
}

const BYTE_CHARS = bytesToUnicode();
const PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** CLIP's cleaning: Unicode NFC, the few HTML entities prompts contain, collapsed whitespace, lower case. */
export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Splits text into CLIP's pre-tokens, each mapped to its byte characters. */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of cleanText(text).matchAll(PATTERN)) {
    out.push(Array.from(Buffer.from(m[0], 'utf8'), (b) => BYTE_CHARS[b]).join(''));
  }
  return out;
}

export type BpeTables = { vocab: Map<string, number>; merges: [string, string][] };

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();

  constructor(
    private readonly tables: BpeTables,
    padToken = EOS,
  ) {
    for (const [i, [a, b]] of tables.merges.entries()) this.ranks.set(`${a} ${b}`, i);
    this.bosId = this.id(BOS);
    this.eosId = this.id(EOS);
    this.padId = tables.vocab.get(padToken) ?? this.eosId;
  }

  get vocabSize(): number {
    return this.tables.vocab.size;
  }

  private id(token: string): number {
    const id = this.tables.vocab.get(token);
    if (id === undefined) throw new Error(`tokenizer vocabulary has no ${JSON.stringify(token)}`);
    return id;
  }

  /** BPE of one pre-token: start from characters (last one marked </w>), merge the best-ranked pair until none applies. */
  bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = Array.from(token);
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const next: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(word[i]);
      }
      word = next;
    }
    this.cache.set(token, word);
    return word;
  }

  /** Token ids with BOS and EOS, truncated to the context length (EOS kept). */
  encode(text: string, contextLength = CONTEXT_LENGTH): number[] {
    const ids = [this.bosId];
    for (const pre of preTokenize(text)) {
      if (pre === BOS || pre === EOS) {
        ids.push(this.id(pre));
        continue;
      }
      for (const piece of this.bpe(pre)) {
        const id = this.tables.vocab.get(piece);
        if (id === undefined)
          throw new Error(
            `token ${JSON.stringify(piece)} of ${JSON.stringify(text)} is not in the vocabulary`,
          );
        ids.push(id);
      }
    }
    return [...ids.slice(0, contextLength - 1), this.eosId];
  }

  /** A padded [count, length] int64 batch and its attention mask. */
  encodeBatch(texts: string[], length?: number) {
    const encoded = texts.map((t) => this.encode(t, length ?? CONTEXT_LENGTH));
    const len = length ?? Math.max(...encoded.map((e) => e.length));
    const ids = new BigInt64Array(texts.length * len).fill(BigInt(this.padId));
    const mask = new BigInt64Array(texts.length * len);
    encoded.forEach((e, i) => {
      e.forEach((id, j) => {
        ids[i * len + j] = BigInt(id);
        mask[i * len + j] = 1n;
      });
    });
    return { ids, mask, length: len };
  }
}

function parseMergeLines(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#version'))
    .map((l) => {
      const [a, b] = l.split(' ');
      return [a, b];
    });
}

/** Reads tokenizer.json (Hugging Face format) or else vocab.json + merges.txt from a model directory. */
export function loadTokenizer(dir: string): ClipTokenizer {
  const tokenizerJson = path.join(dir, 'tokenizer.json');
  let tables: BpeTables;
  if (fs.existsSync(tokenizerJson)) {
    const t = JSON.parse(fs.readFileSync(tokenizerJson, 'utf8'));
    const vocab = new Map<string, number>(Object.entries(t.model?.vocab ?? {}) as [string, number][]);
    for (const added of t.added_tokens ?? []) vocab.set(added.content, added.id);
    const merges = (t.model?.merges ?? []).map((m: string | [string, string]) =>
      typeof m === 'string' ? (m.split(' ') as [string, string]) : m,
    );
    tables = { vocab, merges };
  } else {
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8'));
    const merges = parseMergeLines(fs.readFileSync(path.join(dir, 'merges.txt'), 'utf8'));
    tables = { vocab: new Map(Object.entries(vocab) as [string, number][]), merges };
  }
  return new ClipTokenizer(tables, readPadToken(dir));
}

function readPadToken(dir: string): string {
  const file = path.join(dir, 'special_tokens_map.json');
  if (!fs.existsSync(file)) return EOS;
  const pad = JSON.parse(fs.readFileSync(file, 'utf8')).pad_token;
  return typeof pad === 'string' ? pad : (pad?.content ?? EOS);
}
