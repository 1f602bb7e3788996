/**
 * Files a person hands over, by dropping them or choosing them, each with its path relative to
 * what was dropped (`folder/sub/name.pdf`), whole folders included. Chromium, Firefox and Safari
 * give dropped folders through `webkitGetAsEntry`; chosen folders carry `webkitRelativePath`.
 */

/** A file and its `/`-separated path relative to what was dropped or chosen. */
export interface PickedFile {
  readonly file: File;
  readonly path: string;
}

/** Returns the files of an `<input type=file>`, with their paths inside a chosen folder. */
export function filesFromInput(list: FileList | null): PickedFile[] {
  if (list === null) return [];
  return Array.from(list, (file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/**
 * Resolves to every file of a drop, descending into folders. Must be called during the drop
 * event: a browser empties the DataTransfer once the handler returns, so the entries are taken
 * at once and read afterwards.
 */
export function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry !== null) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f !== null) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) {
    loose.push(...Array.from(dt.files));
  }
  return (async () => {
    const out: PickedFile[] = loose.map((file) => ({ file, path: file.name }));
    for (const entry of entries) await walk(entry, '', out);
    return out;
  })();
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push({ file, path });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the folder in batches (100 in Chromium) until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, path, out);
  }
}
