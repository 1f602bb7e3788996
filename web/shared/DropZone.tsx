/**
 * Where files are dropped or chosen: single files, several, or whole folders. `onFiles` gets
 * every file with its path inside what was dropped.
 */
import { type DragEvent, useRef, useState } from 'react';
import { filesFromDrop, filesFromInput, type PickedFile } from './collect.js';

export interface DropZoneProps {
  /** What to drop, in words. */
  readonly prompt: string;
  readonly chooseFiles: string;
  readonly chooseFolder: string;
  readonly onFiles: (files: PickedFile[]) => void;
  readonly disabled?: boolean;
  /** The `accept` attribute of the file picker. */
  readonly accept?: string;
  readonly testId?: string;
}

export function DropZone(props: DropZoneProps) {
  const [over, setOver] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);

  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setOver(false);
    if (props.disabled) return;
    void filesFromDrop(e.dataTransfer).then((picked) => {
      if (picked.length > 0) props.onFiles(picked);
    });
  };
  const onPicked = (input: HTMLInputElement | null) => {
    if (input === null) return;
    const picked = filesFromInput(input.files);
    input.value = '';
    if (picked.length > 0) props.onFiles(picked);
  };

  return (
    // Dropping is for a pointer; the two buttons inside are the keyboard's way to the same.
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target, with buttons as the alternative.
    <section
      className={`dropzone${over ? ' over' : ''}`}
      data-testid={props.testId}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>{props.prompt}</p>
      <div className="actions">
        <button type="button" disabled={props.disabled} onClick={() => files.current?.click()}>
          {props.chooseFiles}
        </button>
        <button type="button" disabled={props.disabled} onClick={() => folder.current?.click()}>
          {props.chooseFolder}
        </button>
      </div>
      <input
        ref={files}
        type="file"
        multiple
        hidden
        data-testid={props.testId ? `${props.testId}-files` : undefined}
        {...(props.accept ? { accept: props.accept } : {})}
        onChange={(e) => onPicked(e.currentTarget)}
      />
      <input
        ref={folder}
        type="file"
        multiple
        hidden
        data-testid={props.testId ? `${props.testId}-folder` : undefined}
        {...{ webkitdirectory: '' }}
        onChange={(e) => onPicked(e.currentTarget)}
      />
    </section>
  );
}
