-- Photos an earlier version recorded `corrupt` because OUR disk failed while storing their thumbnail (a Node
-- filesystem error: "EPERM: operation not permitted, mkdir '…'", "ENOSPC: …, write", "EACCES: …, open '…'") were no
-- fault of the photo. Put them back in the fetch queue so the next run fetches them again; the code no longer records
-- such errors per photo (the batch fails instead). Errors from decoding the image itself carry no syscall and stay.
UPDATE "photos"
SET "availability" = 'unknown', "fetch_error" = NULL, "fetched_at" = NULL
WHERE "availability" = 'error'
  AND "fetch_error" ~ '^corrupt: processing failed: E[A-Z]+: [^,]*, (mkdir|open|write|writev|rename|unlink|close|fsync|fdatasync|copyfile|ftruncate|utime|chmod|chown|symlink|link|rmdir|scandir|stat|lstat|fstat|access)( |$)';
