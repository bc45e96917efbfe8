import { useEffect, useState } from 'preact/hooks';

/** Loads a module once (dynamic import), for code that only some pages need. */
export function useModule<M>(load: () => Promise<M>): { mod: M | null; error: unknown } {
  const [state, setState] = useState<{ mod: M | null; error: unknown }>({ mod: null, error: null });
  useEffect(() => {
    let live = true;
    load().then(
      (mod) => live && setState({ mod, error: null }),
      (error: unknown) => live && setState({ mod: null, error }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** Sets document.title. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
