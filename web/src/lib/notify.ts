// Module state that components follow (the location, the session, the
// interface language): a set of listeners, and one hook that re-renders a
// component whenever the set is notified.
import { useEffect, useState } from 'preact/hooks';

export class Notifier {
  private readonly listeners = new Set<() => void>();

  /** Calls `f` on every notify() until the returned function is called. */
  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => {
      this.listeners.delete(f);
    };
  }

  notify(): void {
    for (const f of this.listeners) f();
  }
}

/** Re-renders the calling component whenever `source` notifies. */
export function useNotifier(source: Notifier): void {
  const [, setTick] = useState(0);
  useEffect(() => source.subscribe(() => setTick((n) => n + 1)), [source]);
}
