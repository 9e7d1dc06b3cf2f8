import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../../pipeline/checks/exifCopyright.ts';
import { readExif } from '../../../pipeline/checks/exifRead.ts';
import { createAllowlist } from '../../../pipeline/fetch/allowlist.ts';
import {
  ascii,
  exifBlock,
  iim,
  photoshopBlock,
  undefinedTag,
  withSegments,
  xp,
} from '../../../pipeline/devkit/universe/metadataBytes.ts';
import { startServer } from '../fetch/imageServer.ts';

// Metadata as real files carry it, written byte by byte and read through the product's path (HTTP Range → sharp → readers).
const COPYRIGHT = 0x8298,
  ARTIST = 0x013b,
  DESCRIPTION = 0x010e,
  MAKE = 0x010f;
const XP_TITLE = 0x9c9b,
  XP_COMMENT = 0x9c9c,
  XP_AUTHOR = 0x9c9d,
  XP_KEYWORDS = 0x9c9e,
  XP_SUBJECT = 0x9c9f;
const USER_COMMENT = 0x9286;

const FILES: Record<string, { marker: number; payload: Buffer }[]> = {
  // Nikon (big-endian TIFF): Copyright in the camera's Latin-1, © as the single byte 0xA9, padded with NULs.
  nikon: [
    {
      marker: 0xe1,
      payload: exifBlock(
        [
          ascii(MAKE, 'NIKON CORPORATION'),
          ascii(COPYRIGHT, Buffer.from('\xa9 2018 J\xfcrgen M\xfcller', 'latin1'), 20),
        ],
        { bigEndian: true },
      ),
    },
  ],
  // Canon (little-endian): Artist and Copyright with cp1252-only characters (0x80 is €, 0x99 is ™).
  canon: [
    {
      marker: 0xe1,
      payload: exifBlock([
        ascii(MAKE, 'Canon'),
        ascii(ARTIST, 'Ren\xe9e Dupr\xe9'),
        ascii(
          COPYRIGHT,
          Buffer.from([
            ...Buffer.from('Studio'),
            0x99,
            ...Buffer.from(' - Tous droits r\xe9serv\xe9s', 'latin1'),
          ]),
        ),
      ]),
    },
  ],
  // EXIF 2.3: photographer and editor notices separated by a NUL inside the Copyright tag.
  editor: [
    {
      marker: 0xe1,
      payload: exifBlock([
        ascii(COPYRIGHT, Buffer.from('Jane Doe\0\xa9 Acme Editing, all rights reserved', 'latin1')),
      ]),
    },
  ],
  // A modern tool writing UTF-8 into the ASCII tag: must not be read as cp1252 mojibake.
  utf8: [
    { marker: 0xe1, payload: exifBlock([ascii(COPYRIGHT, Buffer.from('© 2021 Zoë Ångström', 'utf8'))]) },
  ],
  // Windows Explorer's Properties dialog: XP* tags as UCS-2 LE, even in a big-endian file.
  windows: [
    {
      marker: 0xe1,
      payload: exifBlock(
        [
          xp(XP_TITLE, 'Sunset'),
          xp(XP_COMMENT, 'Do not use without my permission'),
          xp(XP_AUTHOR, 'Jürgen'),
          xp(XP_KEYWORDS, 'sea;sun'),
        ],
        { bigEndian: true },
      ),
    },
  ],
  windowsFree: [
    { marker: 0xe1, payload: exifBlock([xp(XP_SUBJECT, 'Holiday'), xp(XP_COMMENT, 'Feel free to use')]) },
  ],
  // UserComment with the UNICODE prefix (UCS-2 in the file's byte order) in the Exif IFD.
  comment: [
    {
      marker: 0xe1,
      payload: exifBlock([ascii(MAKE, 'SONY')], {
        exifIfd: [
          undefinedTag(
            USER_COMMENT,
            Buffer.concat([Buffer.from('UNICODE\0'), Buffer.from('All rights reserved', 'utf16le')]),
          ),
        ],
      }),
    },
  ],
  // Photoshop: IPTC 2:116 CopyrightNotice in Latin-1 (no 1:90 charset), beside a resolution resource.
  photoshop: [
    {
      marker: 0xed,
      payload: photoshopBlock(
        iim([
          [2, 0, Buffer.from([0, 4])],
          [2, 80, 'Fran\xe7ois'],
          [2, 116, '\xa9 2016 Fran\xe7ois Lef\xe8vre'],
        ]),
        [{ id: 0x03ed, data: Buffer.alloc(16) }],
      ),
    },
  ],
  // IPTC declared UTF-8 with ESC % G.
  iptcUtf8: [
    {
      marker: 0xed,
      payload: photoshopBlock(
        iim([
          [1, 90, Buffer.from([0x1b, 0x25, 0x47])],
          [2, 116, Buffer.from('Copyright © Łukasz', 'utf8')],
        ]),
      ),
    },
  ],
  // A bare name in Latin-1 stays a claim for a reviewer, not a failure.
  bareName: [
    {
      marker: 0xe1,
      payload: exifBlock([
        ascii(DESCRIPTION, 'OLYMPUS DIGITAL CAMERA         '),
        ascii(COPYRIGHT, 'Jos\xe9 Garc\xeda'),
      ]),
    },
  ],
};

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  const base = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6a7' } })
    .jpeg()
    .toBuffer();
  server = await startServer(
    Object.fromEntries(
      Object.entries(FILES).map(([name, segs]) => {
        const body = withSegments(base, segs);
        return [
          `/${name}_o.jpg`,
          (_q: unknown, res: { writeHead: (n: number) => { end: (b: Buffer) => void } }) =>
            res.writeHead(200).end(body),
        ];
      }),
    ),
  );
});
afterAll(() => server.close());

const read = (name: string) =>
  readExif(
    { id: name, secret: 's', urlO: `${server.origin}/${name}_o.jpg` },
    { allowlist: createAllowlist([server.host]), timeoutMs: 2000, maxBytes: 1_000_000, retries: 0 },
  );
const fieldsOf = async (name: string) => {
  const r = await read(name);
  if (!r.ok) throw new Error(r.message);
  return r.fields;
};

describe('EXIF and IPTC text as cameras and editors write it', () => {
  it('decodes a Latin-1 © (byte 0xA9) as © and fails the photo', async () => {
    expect((await fieldsOf('nikon')).Copyright).toBe('© 2018 Jürgen Müller');
    const r = evaluate(await read('nikon'));
    expect(r).toMatchObject({
      verdict: 'fail',
      details: { field: 'Copyright', value: '© 2018 Jürgen Müller' },
    });
  });

  it('decodes cp1252-only bytes (™) and Latin-1 accents in Artist and Copyright', async () => {
    const f = await fieldsOf('canon');
    expect(f).toMatchObject({ Artist: 'Renée Dupré', Copyright: 'Studio™ - Tous droits réservés' });
    expect(evaluate(await read('canon')).verdict).toBe('fail');
  });

  it('keeps both notices of a NUL-separated Copyright tag', async () => {
    expect((await fieldsOf('editor')).Copyright).toBe('Jane Doe\n© Acme Editing, all rights reserved');
    expect(evaluate(await read('editor')).verdict).toBe('fail');
  });

  it('reads valid UTF-8 in an ASCII tag as UTF-8', async () => {
    expect((await fieldsOf('utf8')).Copyright).toBe('© 2021 Zoë Ångström');
  });

  it('reads Windows XP tags as UCS-2 little-endian whatever the file byte order', async () => {
    expect(await fieldsOf('windows')).toMatchObject({
      XPTitle: 'Sunset',
      XPComment: 'Do not use without my permission',
      XPAuthor: 'Jürgen',
      XPKeywords: 'sea;sun',
    });
    expect(evaluate(await read('windows'))).toMatchObject({
      verdict: 'fail',
      details: { field: 'XPComment' },
    });
    expect(evaluate(await read('windowsFree')).verdict).toBe('pass');
  });

  it('reads a UNICODE UserComment from the Exif IFD', async () => {
    expect((await fieldsOf('comment')).UserComment).toBe('All rights reserved');
    expect(evaluate(await read('comment')).verdict).toBe('fail');
  });

  it('reads IPTC CopyrightNotice from Photoshop APP13 in Latin-1 and in declared UTF-8', async () => {
    expect(await fieldsOf('photoshop')).toMatchObject({
      'IPTC CopyrightNotice': '© 2016 François Lefèvre',
      'IPTC By-line': 'François',
    });
    expect(evaluate(await read('photoshop'))).toMatchObject({
      verdict: 'fail',
      details: { field: 'IPTC CopyrightNotice' },
    });
    expect((await fieldsOf('iptcUtf8'))['IPTC CopyrightNotice']).toBe('Copyright © Łukasz');
    expect(evaluate(await read('iptcUtf8')).verdict).toBe('fail');
  });

  it('leaves a bare Latin-1 name in Copyright uncertain', async () => {
    expect(evaluate(await read('bareName'))).toMatchObject({
      verdict: 'uncertain',
      details: { value: 'José García' },
    });
  });
});
