// Reference, not a contender: the fetch in use called directly with a fixed header (no refresh
// logic at all). What every contender's overhead is measured on top of.
export async function create({ fetch: f = (...a) => globalThis.fetch(...a), access }) {
  const init = { headers: { Authorization: `Bearer ${access}` } };
  return {
    async get(url) {
      const r = await f(url, init);
      if (!r.ok) throw new Error(`answered ${r.status}`);
      return r.json();
    },
  };
}
