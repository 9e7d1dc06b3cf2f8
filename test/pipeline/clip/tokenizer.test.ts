import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainBpe } from '../../../pipeline/devkit/clip/bpeTrain.ts';
import {
  bytesToUnicode,
  ClipTokenizer,
  loadTokenizer,
  preTokenize,
} from '../../../pipeline/clip/tokenizer.ts';

const trained = trainBpe(['a</w>', 'photo', 'of', 'cat', 'photograph'].flatMap(preTokenize));
const tokenizer = new ClipTokenizer({
  vocab: new Map(Object.entries(trained.vocab)),
  merges: trained.merges,
});
const id = (t: string) => trained.vocab[t];

describe('CLIP tokenizer', () => {
  it('splits like CLIP: lower case, letters runs, single digits, punctuation runs, contractions', () => {
    expect(preTokenize("  A  Photo's 3D render!!  ")).toEqual(['a', 'photo', "'s", '3', 'd', 'render', '!!']);
  });

  it('maps bytes reversibly, leaving printable ASCII as itself', () => {
    const map = bytesToUnicode();
    expect(new Set(map).size).toBe(256);
    expect(map[65]).toBe('A');
    expect(map[32]).toBe('Ġ');
  });

  it('wraps whole-word tokens in start and end tokens', () => {
    expect(tokenizer.encode('A photo of a cat')).toEqual([
      tokenizer.bosId,
      id('a</w>'),
      id('photo</w>'),
      id('of</w>'),
      id('a</w>'),
      id('cat</w>'),
      tokenizer.eosId,
    ]);
    expect(tokenizer.encode('photograph')).toEqual([tokenizer.bosId, id('photograph</w>'), tokenizer.eosId]);
  });

  it('falls back to smaller pieces for unknown words and never loses a byte', () => {
    const ids = tokenizer.encode('zebra é');
    expect(ids.length).toBe(2 + 5 + 2);
    expect(ids.at(-2)).toBe(id(`${bytesToUnicode()[0xa9]}</w>`));
  });

  it('truncates to 77 tokens keeping the end token, and pads batches with the pad id', () => {
    const long = tokenizer.encode('cat '.repeat(100));
    expect(long.length).toBe(77);
    expect(long.at(-1)).toBe(tokenizer.eosId);
    const { ids, mask, length } = tokenizer.encodeBatch(['cat', 'a photo of a cat']);
    expect(length).toBe(7);
    expect(Array.from(ids.slice(0, 7), Number)).toEqual([
      tokenizer.bosId,
      id('cat</w>'),
      tokenizer.eosId,
      ...Array(4).fill(tokenizer.padId),
    ]);
    expect(Array.from(mask.slice(0, 7), Number)).toEqual([1, 1, 1, 0, 0, 0, 0]);
  });

  it('reads tokenizer.json and vocab.json + merges.txt to the same ids', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-tok-'));
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'vocab.json'), JSON.stringify(trained.vocab));
    fs.writeFileSync(
      path.join(a, 'merges.txt'),
      ['#version: 0.2', ...trained.merges.map((m) => m.join(' '))].join('\n'),
    );
    const specials = ['<|startoftext|>', '<|endoftext|>'];
    fs.writeFileSync(
      path.join(b, 'tokenizer.json'),
      JSON.stringify({
        added_tokens: specials.map((content) => ({ id: trained.vocab[content], content })),
        model: { type: 'BPE', vocab: trained.vocab, merges: trained.merges.map((m) => m.join(' ')) },
      }),
    );
    const text = 'a photograph of a cat, photo 3';
    expect(loadTokenizer(b).encode(text)).toEqual(loadTokenizer(a).encode(text));
    expect(loadTokenizer(a).encode(text)).toEqual(tokenizer.encode(text));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
