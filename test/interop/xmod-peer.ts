/**
 * Builds and drives test/interop/xmod, a small Go program over golang.org/x/mod/sumdb/{note,tlog}
 * (Debian's golang-go and golang-golang-x-mod-dev). Used by the interoperability tests and by
 * the log benchmark, which runs the same work in Go as its peer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = new URL('./xmod/', import.meta.url).pathname;
const GOPATH = '/usr/share/gocode';

/** Returns why the Go peer cannot be built here, or null when it can. */
export function goPeerUnavailable(): string | null {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) return 'the go command is missing (apt-get install golang-go)';
  if (!existsSync(join(GOPATH, 'src/golang.org/x/mod/sumdb/note/note.go'))) {
    return 'golang.org/x/mod is missing (apt-get install golang-golang-x-mod-dev)';
  }
  return null;
}

let built: string | undefined;

/** Builds the Go peer once per process and returns the path of its binary. */
export function buildGoPeer(): string {
  if (built !== undefined) return built;
  const out = join(mkdtempSync(join(tmpdir(), 'tamga-xmod-')), 'xmod');
  execFileSync('go', ['build', '-o', out, '.'], {
    cwd: SOURCE,
    env: {
      ...process.env,
      GOPATH,
      GO111MODULE: 'off',
      GOFLAGS: '',
      GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'tamga-go-cache'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  built = out;
  return out;
}

/** Sends one JSON request to the Go peer and returns its JSON answer. */
export function askGoPeer<T = Record<string, unknown>>(request: Record<string, unknown>): T {
  const out = execFileSync(buildGoPeer(), {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return JSON.parse(out) as T;
}
