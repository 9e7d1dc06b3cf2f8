import { describe, expect, it } from 'vitest';
import { classifyText, evaluate, tagsToText } from '../../../pipeline/checks/copyrightText.ts';
import { htmlToText } from '../../../pipeline/checks/textNormalize.ts';
import { PHRASES } from './copyrightPhrases.table.ts';

describe('copyright text classifier', () => {
  it('has a table of at least 80 phrasings with both restrictions and decoys', () => {
    expect(PHRASES.length).toBeGreaterThanOrEqual(80);
    expect(PHRASES.filter(([, r]) => r).length).toBeGreaterThan(30);
    expect(PHRASES.filter(([, r]) => !r).length).toBeGreaterThan(30);
  });

  it.each(PHRASES)('%s → restricted=%s', (text, restricted) => {
    const c = classifyText(
      text.includes(' ') || /[^\x00-\x7f]/.test(text) ? htmlToText(text) : htmlToText(tagsToText(text)),
    );
    expect(c.restricted, JSON.stringify(c.matches)).toBe(restricted);
    if (restricted) expect(c.matches[0].phrase.length).toBeGreaterThan(0);
  });

  it('fails a photo on its description and quotes the phrase from the decoded text', () => {
    const r = evaluate({
      title: 'Harbour',
      description: 'Fish &amp; chips.<br>\n&copy; 2019 Jane Doe. All rights reserved.',
      tags: 'sea boats',
    });
    expect(r.verdict).toBe('fail');
    expect(r.details.field).toBe('description');
    expect(String(r.details.phrase)).toMatch(/© 2019 Jane Doe/);
  });

  it('finds restrictions in tags and passes freedom statements', () => {
    expect(evaluate({ title: '', description: '', tags: 'sunset allrightsreserved' }).verdict).toBe('fail');
    const free = evaluate({
      title: 'Old mill',
      description: 'No known copyright restrictions',
      tags: 'publicdomain',
    });
    expect(free.verdict).toBe('pass');
    expect(free.details.freedoms).toBeDefined();
  });
});
