// A Flickr API failure the simulator answers as HTTP 200 {"stat":"fail","code":N,"message":"…"}, as Flickr does.
export class FlickrFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
