/**
 * The committed read position of a file feed, kept beside the file as `<filename>.readPointer`. It is
 * replaced atomically (write a temporary file, then rename over the old one), so a crash leaves either
 * the old pointer or the new one, never a torn one. It records the file's inode too, so a file replaced
 * while the server was down is read from its start.
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

/** Where to resume reading. */
export interface ReadPosition {
  offset: number;
  inode: number;
}

/**
 * @example
 * ```ts
 * const pointer = new ReadPointer("data-in/prices.jsonl");
 * const resume = pointer.read(); // undefined on a first run
 * pointer.write({ offset: 1024, inode: 42 });
 * ```
 */
export class ReadPointer {
  readonly path: string;

  constructor(filename: string) {
    this.path = `${filename}.readPointer`;
  }

  /** The stored position, or undefined if there is none (or it cannot be understood). */
  read(): ReadPosition | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return undefined;
    }
    try {
      const position = JSON.parse(text) as Partial<ReadPosition>;
      if (Number.isSafeInteger(position.offset) && position.offset! >= 0 && Number.isSafeInteger(position.inode)) {
        return { offset: position.offset!, inode: position.inode! };
      }
    } catch {
      // An unreadable pointer is treated as absent; the caller logs it.
    }
    return undefined;
  }

  /** Replaces the stored position atomically. */
  write(position: ReadPosition): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(position) + "\n");
    renameSync(temporary, this.path);
  }
}
