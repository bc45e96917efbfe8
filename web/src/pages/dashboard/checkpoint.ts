import { parseNote } from '../../verify/note';

/** The names that signed a checkpoint note, comma-separated; null if it does not parse. */
export function parseCheckpointSafe(note: string): string | null {
  try {
    return [...new Set(parseNote(note).signatures.map((s) => s.name))].join(', ');
  } catch {
    return null;
  }
}
