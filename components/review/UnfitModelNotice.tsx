/**
 * Why "similar photos" has nothing to show when the installed CLIP model declares its embeddings unfit for similarity
 * (`"nearDuplicates": false` in its manifest, as the generated test model the demo uses does): not a missing index nor
 * missing embeddings, which running the CLIP stage would fix, but the model, which only installing another fixes.
 */
export function UnfitModelNotice({ model }: { model: string }) {
  return (
    <div role="status" data-testid="similarity-unfit" className="space-y-1 text-slate-600">
      <p>
        Similar photos are off: the installed CLIP model, <bdi className="font-medium">{model}</bdi>, declares
        its embeddings unfit for similarity (
        <code className="whitespace-nowrap rounded bg-slate-100 px-1">"nearDuplicates": false</code> in its
        manifest), so they are neither indexed nor searched, and duplicates come from perceptual hashes only.
      </p>
      <p>
        To use similar photos, install a real CLIP export in{' '}
        <code className="whitespace-nowrap rounded bg-slate-100 px-1">CLIP_MODEL_DIR</code>, check it with{' '}
        <code className="whitespace-nowrap rounded bg-slate-100 px-1">npm run quarry -- models check</code>,
        then have an admin run the CLIP stage (Runs page).
      </p>
    </div>
  );
}
