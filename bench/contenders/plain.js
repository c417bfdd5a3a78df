// The floor: the plain fetch wrapper an app writes itself. One shared refresh promise; a 401 for
// a token that has been replaced since is replayed without another refresh.
export async function create({ fetch: f = (...a) => globalThis.fetch(...a), refreshUrl, access }) {
  let token = access;
  let refreshing = null;
  const refresh = () =>
    (refreshing ??= f(refreshUrl, { method: "POST", credentials: "include" })
      .then(async (r) => {
        if (!r.ok) throw new Error(`refresh answered ${r.status}`);
        token = (await r.json()).access;
      })
      .finally(() => (refreshing = null)));
  const send = (input, init, bearer) => {
    const headers = new Headers(init?.headers);
    headers.set("Authorization", `Bearer ${bearer}`);
    return f(input, { ...init, headers });
  };
  async function authFetch(input, init) {
    if (refreshing) await refreshing;
    const sentWith = token;
    const first = await send(input, init, sentWith);
    if (first.status !== 401) return first;
    if (token === sentWith) await refresh();
    else if (refreshing) await refreshing;
    return send(input, init, token);
  }
  return {
    async get(url) {
      const r = await authFetch(url);
      if (!r.ok) throw new Error(`answered ${r.status}`);
      return r.json();
    },
  };
}
