/**
 * Uploading and sealing files from the browser: announce a file, send its bytes in one or more
 * PUTs (each from the offset the server holds, so a dropped connection resumes), then seal it.
 * Bytes are hashed and age-encrypted as they arrive (src/vault/uploads.ts); sealing appends a
 * `document` record exactly like `tamga seal` makes, and seals finishing together share a batch.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { newRecordId } from '../../records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../../records/record.js';
import { sealedEntry } from '../../vault/entry.js';
import { mediaTypeOf } from '../../vault/media-type.js';
import { cleanUploadPath, type Upload } from '../../vault/uploads.js';
import type { Vault } from '../../vault/vault.js';
import {
  type CreateUploadResponse,
  createUploadRequest,
  ROUTES,
  type SealResponse,
  UPLOAD_OFFSET_HEADER,
  type UploadStatus,
} from './api.js';
import { AppError } from './errors.js';
import { defineRoute, type RouteEnv } from './http.js';

const PLACEHOLDER_SHA256 = '0'.repeat(64);

async function* nothing(): AsyncGenerator<Buffer> {}

/** Counts seals per user between two activity flushes: one activity entry per user and batch. */
export class SealTally {
  private readonly byUser = new Map<string, { files: number; bytes: number; paths: string[] }>();

  add(user: string, path: string, size: number): void {
    const t = this.byUser.get(user) ?? { files: 0, bytes: 0, paths: [] };
    t.files++;
    t.bytes += size;
    if (t.paths.length < 20) t.paths.push(path);
    this.byUser.set(user, t);
  }

  /**
   * Hands the tallies to `note`, and forgets them once it returns. When `note` throws (a full
   * disk), they are kept, to be noted on the next try: nothing is lost.
   */
  drainInto(note: (tallies: Array<{ user: string; details: string }>) => void): void {
    const out = [...this.byUser].map(([user, t]) => ({
      user,
      details: `${t.files} file${t.files === 1 ? '' : 's'}, ${t.bytes} bytes: ${t.paths.join(', ')}${t.files > t.paths.length ? ', …' : ''}`,
    }));
    if (out.length === 0) return;
    note(out);
    this.byUser.clear();
  }
}

function documentRecord(
  upload: Pick<Upload, 'path' | 'rawPath' | 'tags' | 'meta' | 'owner' | 'documentDate'>,
  file: { sha256: string; size: number },
  created: Date,
  previous: string | null,
): TamgaRecord {
  const meta: Record<string, string> = { ...upload.meta };
  if (upload.rawPath !== undefined) {
    meta['tamga:rawPath'] = Buffer.from(upload.rawPath, 'utf8').toString('base64');
  }
  const name = upload.path.split('/').pop() || 'file';
  return {
    kind: 'document',
    id: newRecordId(created.getTime(), randomBytes(10)),
    created: `${created.toISOString().slice(0, 19)}Z`,
    author: upload.owner,
    body: {
      path: upload.path,
      ...(upload.documentDate === undefined ? {} : { documentDate: upload.documentDate }),
      tags: [...upload.tags],
      meta,
    },
    files: [{ sha256: file.sha256, size: file.size, name, mediaType: mediaTypeOf(upload.path) }],
    refs: previous === null ? [] : [previous],
  };
}

function sealedPath(
  vault: Vault,
  path: string,
): { sha256: string; record_id: string; idx: number } | null {
  const row = vault.db
    .prepare(
      'SELECT p.sha256 AS sha256, p.record_id AS record_id, r.idx AS idx FROM sealed_paths p JOIN records r ON r.id = p.record_id WHERE p.path = ?',
    )
    .get(path) as { sha256: string; record_id: string; idx: number } | undefined;
  return row ?? null;
}

function status(u: Upload): UploadStatus {
  return { id: u.id, path: u.path, size: u.size, offset: u.offset };
}

function uploadId(params: Readonly<Record<string, string>>): string {
  const id = params.id ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) {
    throw new AppError(404, 'upload.missing', 'no such upload; start the file again');
  }
  return id;
}

/** Registers the upload routes (in their own context: they read raw bytes). */
export function uploadRoutes(app: FastifyInstance, env: RouteEnv, tally: SealTally): void {
  // The PUT body is the file's bytes, streamed to the upload store, never buffered here.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
    done(null, payload),
  );

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.uploads,
    access: 'seal',
    body: createUploadRequest,
    handler: async ({ body, session }): Promise<CreateUploadResponse> => {
      const { vault, uploads } = env.host.requireReady();
      const { path, lossy } = cleanUploadPath(body.path);
      if (body.sha256 !== undefined) {
        const previous = sealedPath(vault, path);
        if (previous !== null && previous.sha256 === body.sha256) {
          return { status: 'unchanged', path, recordId: previous.record_id, index: previous.idx };
        }
      }
      const request = {
        path,
        ...(lossy ? { rawPath: body.path } : {}),
        size: body.size,
        ...(body.sha256 === undefined ? {} : { sha256: body.sha256 }),
        ...(body.lastModified === undefined ? {} : { lastModified: body.lastModified }),
        tags: body.tags,
        meta: body.meta,
        ...(body.documentDate === undefined ? {} : { documentDate: body.documentDate }),
        owner: session!.user.name,
      };
      // Refuse now what could not be sealed later (a record past its bounds), before any byte.
      parseRecordCanonical(
        documentRecord(request, { sha256: PLACEHOLDER_SHA256, size: body.size }, env.now(), null),
      );
      const upload = uploads.create(request);
      return { status: 'upload', ...status(upload) };
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.upload,
    access: 'seal',
    handler: async ({ params, session }) => {
      const { uploads } = env.host.requireReady();
      const u = uploads.get(uploadId(params), session!.user.name);
      if (u === null) {
        throw new AppError(404, 'upload.missing', 'no such upload; start the file again');
      }
      return status(u);
    },
  });

  defineRoute(app, env, {
    method: 'PUT',
    url: ROUTES.upload,
    access: 'seal',
    handler: async ({ params, session, request }) => {
      const { uploads } = env.host.requireReady();
      const id = uploadId(params);
      const header = request.headers[UPLOAD_OFFSET_HEADER];
      if (typeof header !== 'string' || !/^\d{1,16}$/.test(header)) {
        throw new AppError(
          400,
          'upload.offset-header',
          `say where the bytes start with the ${UPLOAD_OFFSET_HEADER} header (a byte offset)`,
        );
      }
      const body = request.body as AsyncIterable<Buffer> | undefined;
      if (body !== undefined && typeof body[Symbol.asyncIterator] !== 'function') {
        throw new AppError(
          415,
          'request.media-type',
          'send the bytes of an upload as application/octet-stream',
        );
      }
      const owner = session!.user.name;
      try {
        await uploads.write(id, owner, Number(header), body ?? nothing());
      } catch (e) {
        if (e instanceof Error && 'code' in e && e.code === 'upload.offset') {
          const u = uploads.get(id, owner);
          throw new AppError(409, 'upload.offset', e.message, { offset: u?.offset ?? 0 });
        }
        throw e;
      }
      const u = uploads.get(id, owner);
      if (u === null) throw new AppError(404, 'upload.missing', 'the upload is gone');
      return status(u);
    },
  });

  defineRoute(app, env, {
    method: 'DELETE',
    url: ROUTES.upload,
    access: 'seal',
    handler: async ({ params, session }) => {
      const { uploads } = env.host.requireReady();
      await uploads.cancel(uploadId(params), session!.user.name);
      return { ok: true };
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.uploadSeal,
    access: 'seal',
    handler: async ({ params, session }): Promise<SealResponse> => {
      const { vault, uploads, appender } = env.host.requireReady();
      const { upload, blob } = await uploads.finish(uploadId(params), session!.user.name);
      const previous = sealedPath(vault, upload.path);
      if (previous !== null && previous.sha256 === blob.sha256) {
        return {
          status: 'unchanged',
          recordId: previous.record_id,
          index: previous.idx,
          path: upload.path,
          sha256: blob.sha256,
          size: blob.size,
        };
      }
      const known = vault.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').get(blob.sha256);
      const record = documentRecord(upload, blob, env.now(), previous?.record_id ?? null);
      const { canonical } = parseRecordCanonical(record);
      const syncDirs: string[] = [];
      if (known === undefined) syncDirs.push(dirname(blob.path));
      if (blob.createdDir) syncDirs.push(vault.layout.blobs);
      const index = await appender.append({
        entry: sealedEntry(
          record,
          canonical,
          [
            {
              sha256: blob.sha256,
              name: record.files[0]!.name,
              size: blob.size,
              ...(known === undefined ? { storedSize: blob.storedSize } : {}),
            },
          ],
          {
            path: upload.path,
            size: blob.size,
            mtimeMs: upload.lastModified ?? env.now().getTime(),
            sha256: blob.sha256,
          },
        ),
        syncDirs,
      });
      tally.add(upload.owner, upload.path, blob.size);
      return {
        status: 'sealed',
        recordId: record.id,
        ...(previous === null ? {} : { supersedes: previous.record_id }),
        index,
        path: upload.path,
        sha256: blob.sha256,
        size: blob.size,
      };
    },
  });
}
