/** Builds web/dist before the browser tests, so that they test the current sources. */
import { buildWeb } from '../../web/build/build-web.js';

export default async function setup(): Promise<void> {
  await buildWeb();
}
