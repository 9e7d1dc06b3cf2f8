// flickr.photos.getExif as the EXIF fallback for photos whose owner hides the original (rate-limited by the shared client).
import type { FlickrClient } from '../flickr/client.ts';
import { FlickrApiError } from '../flickr/errors.ts';
import type { FlickrExifCall } from './exifRead.ts';

type ExifAnswer = { photo?: { exif?: { tag: string; raw?: { _content?: string } | string }[] } };

export function flickrExifCall(client: FlickrClient): FlickrExifCall {
  return async (photoId, secret) => {
    try {
      const answer = (await client.call('flickr.photos.getExif', {
        photo_id: photoId,
        secret,
      })) as ExifAnswer;
      return (answer.photo?.exif ?? []).map((e) => ({
        tag: e.tag,
        raw: typeof e.raw === 'string' ? e.raw : (e.raw?._content ?? ''),
      }));
    } catch (e) {
      // Code 2: the owner hides EXIF; code 1: the photo is gone. Answers, not errors: there is nothing to read.
      if (e instanceof FlickrApiError && e.code === 2) return 'hidden';
      if (e instanceof FlickrApiError && e.code === 1) return 'not_found';
      throw e;
    }
  };
}
