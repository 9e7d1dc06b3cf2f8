'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { GoldPhotoState } from '@/lib/queries/goldPhotos';
import type { SpotLabel } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

export type SetGoldPhotoVars = {
  photoId: string;
  answer: SpotLabel | null;
  reason: string;
  requestId: string;
};

/** Marks or unmarks a known-answer photo; the photo's panel, the list and open spot-checks refresh. */
export function useSetGoldPhotoMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ photoId, ...body }: SetGoldPhotoVars) =>
      fetchJson<GoldPhotoState>(`/api/photos/${encodeURIComponent(photoId)}/gold`, {
        method: 'POST',
        json: body,
      }),
    onSuccess: (state) => {
      qc.setQueryData(['goldPhoto', { id: state.photoId }], state);
      void qc.invalidateQueries({ queryKey: ['goldPhotos'] });
      void qc.invalidateQueries({ queryKey: ['spotCheck'] });
    },
  });
}
