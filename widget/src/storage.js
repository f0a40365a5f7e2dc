// Web storage that never throws: private browsing, disabled cookies or a full quota
// fall back to memory, so the chat still works (it just forgets on reload).

export function storage(kind) {
  const memory = {};
  let store = null;
  try {
    store = window[kind];
    store.setItem("s3martmed-chat:probe", "1");
    store.removeItem("s3martmed-chat:probe");
  } catch (error) {
    store = null;
  }

  function get(key) {
    try {
      if (store) return store.getItem(key);
      return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
    } catch (error) {
      return null;
    }
  }

  function set(key, value) {
    try {
      if (store) store.setItem(key, value);
      else memory[key] = value;
    } catch (error) {
      // Quota exceeded: the conversation goes on, only the copy is lost.
    }
  }

  function getJSON(key, fallback) {
    const raw = get(key);
    if (!raw) return fallback;
    try {
      return JSON.parse(raw);
    } catch (error) {
      return fallback;
    }
  }

  return { get, set, getJSON, setJSON: (key, value) => set(key, JSON.stringify(value)) };
}
