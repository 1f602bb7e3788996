/**
 * Where the browser build is: web/dist in the source tree (`npm run build:web`), holding the web
 * app (web/dist/app) and the offline verifier, one self-contained page (web/dist/verifier.html).
 * The server serves both and puts the verifier in every evidence ZIP; `tamga evidence -o FOLDER`
 * copies the same file beside the bundle.
 */
import { fileURLToPath } from 'node:url';

/** The browser build's folder in the source tree. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Returns the offline verifier's file in the build `webDist`. */
export function verifierFileIn(webDist: string): string {
  return `${webDist}/verifier.html`;
}
