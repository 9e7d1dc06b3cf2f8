// flickr.photos.getExif, flickr.people.getInfo and flickr.photos.getSizes answered from a universe in Flickr's JSON shapes.
import { FlickrFailure } from './failure.ts';
import { imageUrl, renditions } from './sizes.ts';
import type { UniverseIndex } from './universeIndex.ts';

const content = (v: string | number) => ({ _content: v });

function photoOf(index: UniverseIndex, id: string | undefined) {
  const photo = id ? index.byId.get(id) : undefined;
  if (!photo || photo.deleted) throw new FlickrFailure(1, 'Photo not found');
  return photo;
}

const EXIF_SPACE: Record<string, string> = { DateTimeOriginal: 'ExifIFD', CopyrightNotice: 'IPTC' };
const EXIF_LABEL: Record<string, string> = {
  ImageDescription: 'Image Description',
  DateTimeOriginal: 'Date and Time (Original)',
};

export function getExif(index: UniverseIndex, p: Record<string, string>): Record<string, unknown> {
  const photo = photoOf(index, p.photo_id);
  if (p.secret && p.secret !== photo.secret) throw new FlickrFailure(1, 'Photo not found');
  if (photo.exifHidden) throw new FlickrFailure(2, 'Permission denied');
  const exif = Object.entries(photo.exif)
    .filter(([, v]) => v)
    .map(([tag, value]) => ({
      tagspace: EXIF_SPACE[tag] ?? 'IFD0',
      tagspaceid: 0,
      tag,
      label: EXIF_LABEL[tag] ?? tag,
      raw: content(value as string),
    }));
  return {
    photo: {
      id: photo.id,
      secret: photo.secret,
      server: photo.server,
      farm: photo.farm,
      camera: photo.exif.Model ?? '',
      exif,
    },
    stat: 'ok',
  };
}

export function getInfo(index: UniverseIndex, p: Record<string, string>): Record<string, unknown> {
  const account = p.user_id ? index.accounts.get(p.user_id) : undefined;
  if (!account) throw new FlickrFailure(1, 'User not found');
  const first = index.photos.find((ph) => ph.owner === account.nsid);
  const base = `https://www.flickr.com/photos/${account.nsid}/`;
  return {
    person: {
      id: account.nsid,
      nsid: account.nsid,
      ispro: 0,
      is_deleted: 0,
      iconserver: '0',
      iconfarm: 0,
      path_alias: null,
      has_stats: 0,
      username: content(account.username),
      realname: content(account.realName),
      location: content(''),
      description: content(''),
      photosurl: content(base),
      profileurl: content(`https://www.flickr.com/people/${account.nsid}/`),
      mobileurl: content(`https://m.flickr.com/photostream.gne?id=${account.nsid}`),
      photos: {
        firstdatetaken: content(first?.dateTaken ?? ''),
        firstdate: content(first ? String(first.dateUpload) : ''),
        count: content(index.photoCounts.get(account.nsid) ?? 0),
      },
    },
    stat: 'ok',
  };
}

export function getSizes(
  index: UniverseIndex,
  p: Record<string, string>,
  origin: string,
): Record<string, unknown> {
  const photo = photoOf(index, p.photo_id);
  const size = renditions(photo).map((r) => ({
    label: r.label,
    width: r.width,
    height: r.height,
    source: imageUrl(origin, photo, r),
    url: `https://www.flickr.com/photos/${photo.owner}/${photo.id}/sizes/${r.suffix || 'm'}/`,
    media: 'photo',
  }));
  return { sizes: { canblog: 0, canprint: 0, candownload: photo.originalHidden ? 0 : 1, size }, stat: 'ok' };
}
