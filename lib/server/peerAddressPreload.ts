// Preloaded into the Next.js server (`node --import`, pipeline/cli/serveApp.ts) so the very first request is
// stamped with its connection's address too, before instrumentation.ts runs.
import { installPeerAddressStamp } from './peerAddress.ts';

installPeerAddressStamp();
