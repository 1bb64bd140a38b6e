import { useEffect, useRef, useState } from '../vendor/preact-htm.js';

/**
 * Loads `load()` now and again every `everyMs` while the page shows; `key` reloads at once when it
 * changes (filters). Keeps the last good value on an error and reports the error beside it.
 */
export function usePoll(load, everyMs, key = '') {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const tick = useRef(0);
  const reload = () => {
    const mine = ++tick.current;
    return load().then(
      (data) => mine === tick.current && setState({ data, error: null, loading: false }),
      (error) => mine === tick.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  };
  useEffect(() => {
    reload();
    if (!everyMs) return undefined;
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, [key]);
  return { ...state, reload };
}
